// kpr-notify is killed (SIGKILL) at random points of a burst of 2,000 session reminders, three
// times, and restarted each time. The sinks then hold every message exactly once: one distinct
// userref per SMS at the gateway simulator (which honours it as the idempotency key) and one
// distinct Message-ID per e-mail at the SMTP sink; every delivery ends SENT. An e-mail cut short
// by a kill is sent again with the same Message-ID (SMTP has no idempotency key), so the sink may
// hold a copy more of it: the delivery says possibly_duplicated, and the test reports how many.
//
// kpr-referral and kpr-notify run as child processes, so a kill is a real crash: whatever was
// claimed, half-written or in flight is left exactly as a dead process leaves it.

#include <iostream>
#include <set>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/harness/smtp_sink.h"
#include "tests/support/notify_burst.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

namespace nv1 = ::kpr::notify::v1;

constexpr int kBurst = 2000;
constexpr int kEmailEvery = 4;  // every 4th citizen prefers e-mail

TEST(NotifyCrash, KilledThreeTimesMidBurstEveryMessageArrivesExactlyOnce) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  SmsGatewaySim& sim = Servers::SmsGateway();
  SmtpSink& smtp = Servers::Smtp();
  sim.Reset();
  ASSERT_TRUE(smtp.Reset().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());

  ReferralProcess referral(secrets);
  ASSERT_TRUE(referral.Start().ok());
  ASSERT_TRUE(referral.WaitServing().ok()) << referral.Log();
  auto citizens =
      SubmitBurstCitizens(referral.grpc_address(), secrets.jwt_secret, kBurst, kEmailEvery);
  ASSERT_TRUE(citizens.ok()) << citizens.status();
  int emails = 0;
  for (const BurstCitizen& c : *citizens) emails += c.prefers_email;
  const int sms = kBurst - emails;

  NotifyStores stores;
  const absl::Time now = absl::Now();
  auto reminders = SeedBurstRoster(stores.roster, *citizens, now + absl::Hours(3), now);
  ASSERT_TRUE(reminders.ok()) << reminders.status();
  ASSERT_TRUE(ScheduleInBatches(stores.timers, *reminders).ok());

  // A short lease, so what a kill leaves claimed or SENDING comes back within the test's time:
  // well above a pass of 100 timers, so a live replica never loses a claim to the lease.
  ServiceProcess notify(
      "notify", secrets,
      NotifyProcessEnv(referral.grpc_address(), sim.url(), 0, {{"KPR_NOTIFY_TIMER_LEASE", "10s"}}));
  ASSERT_TRUE(notify.Start().ok());
  const absl::Time started = absl::Now();

  auto arrived = [&] { return sim.stats().accepted + static_cast<int64_t>(smtp.MessageCount()); };
  absl::BitGen bitgen;
  for (double mark : {0.2, 0.5, 0.8}) {
    const int64_t target =
        static_cast<int64_t>(kBurst * (mark + absl::Uniform(bitgen, -0.07, 0.07)));
    ASSERT_TRUE(
        Eventually([&] { return arrived() >= target; }, absl::Seconds(120), absl::Milliseconds(5)))
        << "stalled at " << arrived() << " of " << kBurst << "\n"
        << notify.Log();
    notify.Kill();
    std::cerr << "killed kpr-notify after " << absl::Now() - started << " at " << arrived()
              << " messages in the sinks (target " << target << ")\n";
    ASSERT_LT(arrived(), kBurst) << "the kill came after the burst";
    ASSERT_TRUE(notify.Start().ok());
  }

  absl::StatusOr<DeliveryTally> tally;
  const bool drained = Eventually(
      [&] {
        if (sim.stats().accepted < sms || smtp.CountByMessageId().size() < size_t(emails)) {
          return false;
        }
        tally = TallyDeliveries(stores.deliveries, kBurstMunicipality);
        return tally.ok() && tally->Count(nv1::DELIVERY_STATUS_SENT) +
                                     tally->Count(nv1::DELIVERY_STATUS_DELIVERED) ==
                                 kBurst;
      },
      absl::Seconds(150), absl::Milliseconds(250));
  std::cerr << "drained after " << absl::Now() - started << "\n";
  ASSERT_TRUE(drained) << "SMS " << sim.stats().accepted << " of " << sms << ", e-mails "
                       << smtp.CountByMessageId().size() << " of " << emails << "\n"
                       << notify.Log().substr(0, 20000);
  absl::SleepFor(absl::Seconds(2));  // a late resend would show now

  // SMS: each delivery once, by its own userref; what came twice was answered, not sent.
  const SimStats stats = sim.stats();
  std::set<std::string> userrefs;
  for (const SimSms& m : sim.Messages()) {
    EXPECT_FALSE(m.userref.empty());
    userrefs.insert(m.userref);
  }
  EXPECT_EQ(stats.accepted, sms);
  EXPECT_EQ(sim.MessageCount(), static_cast<size_t>(sms));
  EXPECT_EQ(userrefs.size(), static_cast<size_t>(sms));

  // E-mail: each delivery under its own Message-ID; a resend after a kill repeats the ID.
  const std::map<std::string, int> by_message_id = smtp.CountByMessageId();
  EXPECT_EQ(by_message_id.size(), static_cast<size_t>(emails));
  int resent = 0;
  for (const auto& [id, copies] : by_message_id) resent += copies - 1;

  ASSERT_TRUE(tally.ok());
  EXPECT_EQ(tally->total(), kBurst);
  EXPECT_EQ(tally->sms, sms);
  EXPECT_EQ(tally->email, emails);
  EXPECT_EQ(tally->possibly_duplicated_sms, 0) << "the gateway honours userref";
  EXPECT_GE(tally->possibly_duplicated_email, resent)
      << "every e-mail the sink holds twice is marked possibly_duplicated";
  std::cerr << "SMS: " << stats.accepted << " accepted, " << stats.duplicates
            << " repeated userrefs answered without sending; e-mail: " << by_message_id.size()
            << " Message-IDs, " << resent << " resent copies, " << tally->possibly_duplicated_email
            << " marked possibly_duplicated\n";
  notify.Terminate();
  referral.Terminate();
}

}  // namespace
}  // namespace kpr::testing
