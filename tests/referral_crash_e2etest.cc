// SIGKILL in the middle of a burst of 5,000 submissions, then a restart: every submission is
// stored exactly once and every event is on the stream exactly once (by event id).

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

constexpr int kBurst = 5000;

TEST(ReferralCrash, SigkillMidBurstLosesNothingAndDuplicatesNothing) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  ReferralProcess service(secrets, {{"KPR_INTAKE_ACK_WAIT", "3s"}});
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.WaitServing().ok()) << service.Log();
  ASSERT_TRUE(service.WaitConsuming().ok()) << service.Log();
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());

  // Publish the burst over about two seconds so the kill lands in the middle of it.
  std::atomic<int> sent{0};
  std::thread publisher([&] {
    auto pub = TestNats::Connect(Servers::Nats().url());
    ASSERT_TRUE(pub.ok());
    absl::Time start = absl::Now();
    for (int n = 0; n < kBurst; ++n) {
      auto s = SyntheticSubmission(n, "0165");
      std::string id = absl::StrCat("crash-", n);
      ASSERT_TRUE((*pub)
                      ->PublishAsync("kpr.intake.v1.referral_submitted.0165",
                                     IntakeEnvelope(s, id, "0165"), id)
                      .ok());
      sent.store(n + 1);
      if (n % 100 == 99) {
        absl::Time due = start + absl::Milliseconds(400 * (n + 1) / 1000);
        if (absl::Now() < due) absl::SleepFor(due - absl::Now());
      }
    }
    ASSERT_TRUE((*pub)->WaitPublished().ok());
  });

  // Kill once some, but not all, referrals are in.
  bool midway = Eventually(
      [&] {
        auto n = (*nats)->StreamCount("KPR_REFERRAL");
        return n.ok() && *n >= 500;
      },
      absl::Seconds(30), absl::Milliseconds(5));
  ASSERT_TRUE(midway);
  service.Kill();
  int sent_at_kill = sent.load();
  auto stored_at_kill = (*nats)->StreamCount("KPR_REFERRAL");
  ASSERT_TRUE(stored_at_kill.ok());
  EXPECT_LT(*stored_at_kill, static_cast<uint64_t>(kBurst)) << "the kill came after the burst";
  EXPECT_LT(sent_at_kill, kBurst) << "the kill came after the burst was published";

  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.WaitServing().ok()) << service.Log();
  publisher.join();

  std::map<std::string, int> event_ids;
  std::set<std::string> received_ext;
  bool done = Eventually(
      [&] {
        auto left = (*nats)->StreamCount("KPR_INTAKE");
        if (!left.ok() || *left != 0) return false;
        auto out = (*nats)->StreamCount("KPR_REFERRAL");  // cheap check before reading it all
        if (!out.ok() || *out < static_cast<uint64_t>(kBurst)) return false;
        auto msgs = (*nats)->ReadStream("KPR_REFERRAL");
        if (!msgs.ok()) return false;
        event_ids.clear();
        received_ext.clear();
        for (const auto& m : *msgs) {
          kpr::common::v1::Event e;
          if (!e.ParseFromString(m.data)) continue;
          event_ids[e.id()]++;
          referral::v1::ReferralReceived r;
          if (e.payload().UnpackTo(&r)) received_ext.insert(r.external_id());
        }
        return received_ext.size() >= static_cast<size_t>(kBurst);
      },
      absl::Seconds(120), absl::Milliseconds(500));
  ASSERT_TRUE(done) << "received " << received_ext.size() << " of " << kBurst;
  absl::SleepFor(absl::Seconds(4));  // past the ack wait: late redeliveries would show now

  auto msgs = (*nats)->ReadStream("KPR_REFERRAL");
  ASSERT_TRUE(msgs.ok());
  event_ids.clear();
  for (const auto& m : *msgs) {
    kpr::common::v1::Event e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    event_ids[e.id()]++;
  }
  EXPECT_EQ(event_ids.size(), static_cast<size_t>(kBurst));
  EXPECT_EQ(msgs->size(), static_cast<size_t>(kBurst)) << "an event is on the stream twice";
  for (const auto& [id, n] : event_ids) ASSERT_EQ(n, 1) << id;

  auto dump = DumpRedis(Servers::Redis().port());
  ASSERT_TRUE(dump.ok());
  size_t entities = 0;
  for (size_t pos = 0; (pos = dump->find("kpr:{0165}:referral:r:", pos)) != std::string::npos;
       ++pos) {
    ++entities;
  }
  // Each entity key appears once as a key (index members are bare ids).
  EXPECT_EQ(entities, static_cast<size_t>(kBurst));
  EXPECT_EQ(*(*nats)->StreamCount("KPR_INTAKE"), 0u);
  service.Terminate();
}

}  // namespace
}  // namespace kpr::testing
