// kpr-notify: SMS and e-mail to citizens and coordinators. Only wiring; see notify_server.h.
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/clock/domain_clock.h"
#include "libs/host/run_service.h"
#include "libs/rpc/setting.h"
#include "services/notify/notify_server.h"

ABSL_FLAG(std::string, sms_gateway_url, "",
          "the primary SMS gateway's base URL (env KPR_SMS_GATEWAY_URL)");
ABSL_FLAG(std::string, sms_gateway_token_file, "",
          "the primary gateway's API token file (env KPR_SMS_GATEWAY_TOKEN_FILE)");
ABSL_FLAG(std::string, sms_gateway_failover_url, "",
          "a secondary gateway's base URL, optional (env KPR_SMS_GATEWAY_FAILOVER_URL)");
ABSL_FLAG(std::string, sms_gateway_failover_token_file, "",
          "the secondary gateway's token file (env KPR_SMS_GATEWAY_FAILOVER_TOKEN_FILE)");
ABSL_FLAG(int, sms_rate, -1,
          "SMS per second per gateway, shared by all replicas; 0 unlimited (env KPR_SMS_RATE, "
          "default 10)");
ABSL_FLAG(std::string, sms_sender, "", "the SMS sender name (env KPR_SMS_SENDER, default kpr)");
ABSL_FLAG(std::string, smtp_url, "", "smtp://host:port of the relay (env KPR_SMTP_URL)");
ABSL_FLAG(std::string, smtp_from, "", "the e-mails' sender address (env KPR_SMTP_FROM)");
ABSL_FLAG(std::string, smtp_user, "", "SMTP user, optional (env KPR_SMTP_USER)");
ABSL_FLAG(std::string, smtp_password_file, "", "SMTP password file (env KPR_SMTP_PASSWORD_FILE)");
ABSL_FLAG(std::string, smtp_ca_file, "", "CA bundle to trust for SMTP (env KPR_SMTP_CA_FILE)");
ABSL_FLAG(std::string, smtp_starttls, "",
          "required (default) or opportunistic (env KPR_SMTP_STARTTLS)");
ABSL_FLAG(std::string, notify_quiet_hours, "",
          "no SMS in this local-time window, HH:MM-HH:MM or off (env KPR_NOTIFY_QUIET_HOURS, "
          "default 21:00-08:00)");
ABSL_FLAG(std::string, notify_callback_secret_file, "",
          "the secret signing the gateway's callbacks (env KPR_NOTIFY_CALLBACK_SECRET_FILE)");
ABSL_FLAG(std::string, referral_addr, "",
          "kpr-referral's gRPC target: host:port, dns:///kpr-referral-headless:50051 or "
          "ipv4:h:p,h:p (calls balance over every address; env KPR_REFERRAL_ADDR)");
ABSL_FLAG(std::string, notify_public_url, "",
          "the base URL the gateway calls back on, optional (env KPR_NOTIFY_PUBLIC_URL)");
ABSL_FLAG(std::string, notify_body_retention, "",
          "how long message bodies are kept (env KPR_NOTIFY_BODY_RETENTION, default 720h)");
ABSL_FLAG(std::string, questionnaire_url, "",
          "the base of questionnaire links, optional (env KPR_QUESTIONNAIRE_URL)");
ABSL_FLAG(std::string, notify_timer_lease, "",
          "how long a replica holds a claimed timer before another may fire it; also how long a "
          "send cut short by a crash waits (env KPR_NOTIFY_TIMER_LEASE, default 30s)");
ABSL_FLAG(int, notify_timer_workers, -1,
          "timer worker threads per replica (env KPR_NOTIFY_TIMER_WORKERS, default 2)");

namespace {

using kpr::rpc::SettingName;
using kpr::rpc::TextSetting;

std::string Text(absl::string_view env, absl::string_view flag,
                 const absl::Flag<std::string>& value, std::string fallback = "") {
  return TextSetting(SettingName{env, flag}, absl::GetFlag(value), std::move(fallback));
}

absl::Status Required(absl::string_view env, absl::string_view flag, const std::string& value) {
  if (!value.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(SettingName{env, flag}.Describe(), ": required"));
}

absl::StatusOr<kpr::notify::NotifyServer::Options> LoadOptions() {
  using namespace kpr::notify;  // NOLINT: main only wires
  NotifyServer::Options o;
  o.primary.name = kPrimaryProvider;
  o.primary.base_url = Text("KPR_SMS_GATEWAY_URL", "sms_gateway_url", FLAGS_sms_gateway_url);
  o.primary.token_file =
      Text("KPR_SMS_GATEWAY_TOKEN_FILE", "sms_gateway_token_file", FLAGS_sms_gateway_token_file);
  if (auto st = Required("KPR_SMS_GATEWAY_URL", "sms_gateway_url", o.primary.base_url); !st.ok()) {
    return st;
  }
  if (auto st =
          Required("KPR_SMS_GATEWAY_TOKEN_FILE", "sms_gateway_token_file", o.primary.token_file);
      !st.ok()) {
    return st;
  }
  std::string failover = Text("KPR_SMS_GATEWAY_FAILOVER_URL", "sms_gateway_failover_url",
                              FLAGS_sms_gateway_failover_url);
  if (!failover.empty()) {
    GatewayApiOptions second;
    second.name = kSecondaryProvider;
    second.base_url = failover;
    second.token_file =
        Text("KPR_SMS_GATEWAY_FAILOVER_TOKEN_FILE", "sms_gateway_failover_token_file",
             FLAGS_sms_gateway_failover_token_file);
    o.secondary = second;
  }
  auto rate =
      kpr::rpc::IntSetting({"KPR_SMS_RATE", "sms_rate"}, absl::GetFlag(FLAGS_sms_rate), 10, 0);
  if (!rate.ok()) return rate.status();
  o.sms_rate = *rate;
  o.desks.sms_sender = Text("KPR_SMS_SENDER", "sms_sender", FLAGS_sms_sender, "kpr");

  SmtpSettings smtp;
  smtp.url = Text("KPR_SMTP_URL", "smtp_url", FLAGS_smtp_url);
  if (auto st = Required("KPR_SMTP_URL", "smtp_url", smtp.url); !st.ok()) return st;
  o.desks.smtp_from = Text("KPR_SMTP_FROM", "smtp_from", FLAGS_smtp_from);
  if (auto st = Required("KPR_SMTP_FROM", "smtp_from", o.desks.smtp_from); !st.ok()) return st;
  smtp.user = Text("KPR_SMTP_USER", "smtp_user", FLAGS_smtp_user);
  std::string password_file =
      Text("KPR_SMTP_PASSWORD_FILE", "smtp_password_file", FLAGS_smtp_password_file);
  if (!password_file.empty()) {
    auto password = kpr::rpc::ReadSecretFile(password_file);
    if (!password.ok()) return password.status();
    smtp.password = *std::move(password);
  }
  smtp.ca_file = Text("KPR_SMTP_CA_FILE", "smtp_ca_file", FLAGS_smtp_ca_file);
  auto starttls =
      ParseStartTls(Text("KPR_SMTP_STARTTLS", "smtp_starttls", FLAGS_smtp_starttls, "required"));
  if (!starttls.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("KPR_SMTP_STARTTLS (--smtp_starttls): ", starttls.status().message()));
  }
  smtp.starttls = *starttls;
  if (auto st = CheckSmtpSettings(smtp); !st.ok()) return st;
  o.smtp = smtp;

  auto quiet = QuietHours::Parse(
      Text("KPR_NOTIFY_QUIET_HOURS", "notify_quiet_hours", FLAGS_notify_quiet_hours, "21:00-08:00"),
      "KPR_NOTIFY_QUIET_HOURS (--notify_quiet_hours)");
  if (!quiet.ok()) return quiet.status();
  o.desks.quiet_hours = *quiet;
  o.callback_secret_file = Text("KPR_NOTIFY_CALLBACK_SECRET_FILE", "notify_callback_secret_file",
                                FLAGS_notify_callback_secret_file);
  o.referral_addr = Text("KPR_REFERRAL_ADDR", "referral_addr", FLAGS_referral_addr);
  o.desks.callback_base_url =
      Text("KPR_NOTIFY_PUBLIC_URL", "notify_public_url", FLAGS_notify_public_url);
  auto retention = kpr::rpc::DurationSetting({"KPR_NOTIFY_BODY_RETENTION", "notify_body_retention"},
                                             absl::GetFlag(FLAGS_notify_body_retention),
                                             absl::Hours(24 * 30), absl::Hours(1));
  if (!retention.ok()) return retention.status();
  o.desks.body_retention = *retention;
  o.desks.questionnaire_base_url =
      Text("KPR_QUESTIONNAIRE_URL", "questionnaire_url", FLAGS_questionnaire_url);
  // A pass of 100 timers must finish inside the lease, or another replica fires them too (safe,
  // but a send then counts as an unknown outcome): hence the floor.
  auto lease = kpr::rpc::DurationSetting({"KPR_NOTIFY_TIMER_LEASE", "notify_timer_lease"},
                                         absl::GetFlag(FLAGS_notify_timer_lease), o.timer_lease,
                                         absl::Seconds(5));
  if (!lease.ok()) return lease.status();
  o.timer_lease = *lease;
  auto workers =
      kpr::rpc::IntSetting({"KPR_NOTIFY_TIMER_WORKERS", "notify_timer_workers"},
                           absl::GetFlag(FLAGS_notify_timer_workers), o.timer_workers, 1);
  if (!workers.ok()) return workers.status();
  o.timer_workers = *workers;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace kpr;  // NOLINT: main only wires
  return host::RunService(
      argc, argv, "notify", clock::OpenDomainClock,
      [](const rpc::ServiceConfig& config, const clock::Clock& domain_clock)
          -> absl::StatusOr<std::unique_ptr<host::RunningService>> {
        auto options = LoadOptions();
        if (!options.ok()) return options.status();
        options->desks.clock = domain_clock;
        return host::Running(notify::NotifyServer::Start(config, *std::move(options)));
      });
}
