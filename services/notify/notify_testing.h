#ifndef KPR_SERVICES_NOTIFY_NOTIFY_TESTING_H_
#define KPR_SERVICES_NOTIFY_NOTIFY_TESTING_H_
// For notify's desk tests against a real Redis (and the harness's SMTP sink and SMS gateway
// simulator): the stores on a fresh pool, a context over them with a clock the test moves, and a
// contact directory that answers from a map (the desk's view of kpr-referral; the end-to-end
// tests use the real one).
#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/privacy/data_keys.h"
#include "libs/store/redis_pool.h"
#include "services/notify/gatewayapi_client.h"
#include "services/notify/notify_context.h"
#include "tests/harness/servers.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/harness/smtp_sink.h"
#include "tests/support/redis_testing.h"

namespace kpr::notify::testing {

class MapContactDirectory : public ContactDirectory {
 public:
  absl::StatusOr<std::vector<referral::v1::ContactPoints>> Lookup(
      const std::string& m, const std::vector<std::string>& referral_ids) override {
    if (down) return absl::UnavailableError("referral is down");
    std::vector<referral::v1::ContactPoints> out;
    for (const std::string& id : referral_ids) {
      auto it = contacts.find(id);
      if (it != contacts.end()) out.push_back(it->second);
    }
    ++lookups;
    return out;
  }
  std::map<std::string, referral::v1::ContactPoints> contacts;
  bool down = false;
  int lookups = 0;
};

inline referral::v1::ContactPoints Contact(const std::string& referral_id, const std::string& phone,
                                           const std::string& email,
                                           intake::v1::ContactChannel channel,
                                           const std::string& name = "Anna",
                                           const std::string& language = "da") {
  referral::v1::ContactPoints c;
  c.set_referral_id(referral_id);
  c.set_phone(phone);
  c.set_email(email);
  c.set_preferred_channel(channel);
  c.set_given_name(name);
  c.set_preferred_language(language);
  return c;
}

// The stores and a context over them. The SMS channel and the SMTP sender point at the harness's
// simulator and sink.
struct NotifyFixture {
  NotifyFixture() {
    pool = kpr::testing::HarnessRedisPool();
    deliveries = std::make_unique<DeliveryStore>(*pool);
    settings = std::make_unique<SettingsStore>(*pool);
    roster = std::make_unique<RosterStore>(*pool);
    keys = privacy::DeriveDataKeys("notify-test-master-key-32-bytes!");
    stop_list = std::make_unique<SuppressionList>(*pool, keys.pseudonym_key);
    timers = std::make_unique<timer::TimerStore>(*pool, kNotifyService);
    kpr::testing::SmsGatewaySim& sim = kpr::testing::Servers::SmsGateway();
    GatewayApiOptions gw;
    gw.base_url = sim.url();
    gw.token_file = kpr::testing::TestGatewayTokenFile();
    sms = std::make_unique<SmsChannel>(*pool, *GatewayApiClient::Create(gw), nullptr, 0);
    SmtpSettings smtp_settings;
    smtp_settings.url = kpr::testing::Servers::Smtp().url();
    smtp_settings.ca_file = kpr::testing::Servers::Smtp().ca_file();
    smtp = std::make_unique<SmtpSender>(smtp_settings);
  }

  // A context over the stores, its clock reading `now_s`.
  NotifyContext Context() {
    NotifyOptions options;
    options.clock = [this] { return absl::FromUnixSeconds(now_s.load()); };
    options.smtp_from = "kpr@kommune.example";
    options.retry.first_backoff = absl::Seconds(1);
    return NotifyContext{*deliveries, *settings,  *roster,
                         *stop_list,  *timers,    &contacts,
                         sms.get(),   smtp.get(), privacy::SealedBox(keys.encryption_key),
                         nullptr,     nullptr,    options};
  }

  void SetNow(absl::Time t) { now_s = absl::ToUnixSeconds(t); }

  std::unique_ptr<store::RedisPool> pool;
  std::unique_ptr<DeliveryStore> deliveries;
  std::unique_ptr<SettingsStore> settings;
  std::unique_ptr<RosterStore> roster;
  privacy::DataKeys keys;
  std::unique_ptr<SuppressionList> stop_list;
  std::unique_ptr<timer::TimerStore> timers;
  std::unique_ptr<SmsChannel> sms;
  std::unique_ptr<SmtpSender> smtp;
  MapContactDirectory contacts;
  std::atomic<int64_t> now_s{1'800'000'000};
};

}  // namespace kpr::notify::testing

#endif  // KPR_SERVICES_NOTIFY_NOTIFY_TESTING_H_
