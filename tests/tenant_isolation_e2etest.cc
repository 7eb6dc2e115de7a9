// Tenants on every event: each consumer of each service, running as the real binaries on a
// real NATS and Redis, is sent an event whose envelope says municipality 0183 while its subject
// says 0165 (what someone allowed to publish on "*.0165" would send to change 0183's data).
// Each consumer dead-letters it with the reason, and nothing of 0183's is written. A control
// submission on 0183's own subject shows the same path does write when the claim is true.

#include <hiredis/hiredis.h>

#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "tests/harness/servers.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

// Keys of municipality `m` (kpr:{m}:...) in the harness Redis.
std::vector<std::string> KeysOf(const std::string& m) {
  std::vector<std::string> keys;
  redisContext* c = redisConnect("127.0.0.1", Servers::Redis().port());
  if (c == nullptr || c->err) return {"(redis unreachable)"};
  const std::string pattern = absl::StrCat("kpr:{", m, "}:*");
  auto* r = static_cast<redisReply*>(redisCommand(c, "KEYS %s", pattern.c_str()));
  if (r != nullptr && r->type == REDIS_REPLY_ARRAY) {
    for (size_t i = 0; i < r->elements; ++i) keys.emplace_back(r->element[i]->str);
  }
  if (r != nullptr) freeReplyObject(r);
  redisFree(c);
  return keys;
}

// An envelope that claims `envelope_m` around `payload`.
std::string Envelope(const std::string& id, const std::string& envelope_m,
                     const google::protobuf::Message& payload) {
  common::v1::Event e;
  e.set_id(id);
  e.set_type(payload.GetDescriptor()->full_name());
  e.set_municipality(envelope_m);
  e.set_correlation_id(id);
  e.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  e.mutable_payload()->PackFrom(payload);
  return e.SerializeAsString();
}

TEST(TenantIsolation, EveryConsumerDeadLettersAnEnvelopeFromAnotherMunicipality) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  ServiceProcess referral("referral", secrets);
  ServiceProcess scheduling("scheduling", secrets);
  ServiceProcess outcomes("outcomes", secrets);
  for (ServiceProcess* s : {&referral, &scheduling, &outcomes}) {
    ASSERT_TRUE(s->Start().ok());
    ASSERT_TRUE(s->WaitServing().ok()) << s->Log();
    ASSERT_TRUE(s->WaitConsuming().ok()) << s->Log();
  }
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok());
  const std::string victim = "0183-7GYQN1D2XK3M4P5R6S7T8V9W0A";

  // One event per stream, each on a 0165 subject with a 0183 envelope.
  const intake::v1::ReferralSubmitted submission = SyntheticSubmission(1, "0183");
  scheduling::v1::Enrolled enrolled;
  enrolled.set_referral_id(victim);
  enrolled.set_cohort_id("0183-c1");
  outcomes::v1::OutcomeRecorded outcome;
  outcome.set_referral_id(victim);
  outcome.set_cohort_id("0183-c1");
  outcome.set_outcome(outcomes::v1::PARTICIPATION_OUTCOME_DROPPED_OUT);
  scheduling::v1::CohortCancelled cancelled;
  cancelled.set_cohort_id("0183-c1");
  cancelled.set_program_id("p1");
  cancelled.add_participants()->set_referral_id(victim);
  referral::v1::ReferralAccepted accepted;
  accepted.set_referral_id(victim);
  accepted.set_preferred_program("p1");
  ASSERT_TRUE((*nats)
                  ->PublishAsync("kpr.intake.v1.referral_submitted.0165",
                                 IntakeEnvelope(submission, "x-intake", "0183"), "x-intake")
                  .ok());
  ASSERT_TRUE((*nats)
                  ->PublishAsync("kpr.scheduling.v1.enrolled.0165",
                                 Envelope("x-enrolled", "0183", enrolled), "x-enrolled")
                  .ok());
  ASSERT_TRUE((*nats)
                  ->PublishAsync("kpr.scheduling.v1.cohort_cancelled.0165",
                                 Envelope("x-cancelled", "0183", cancelled), "x-cancelled")
                  .ok());
  ASSERT_TRUE((*nats)
                  ->PublishAsync("kpr.outcomes.v1.outcome_recorded.0165",
                                 Envelope("x-outcome", "0183", outcome), "x-outcome")
                  .ok());
  ASSERT_TRUE((*nats)
                  ->PublishAsync("kpr.referral.v1.accepted.0165",
                                 Envelope("x-accepted", "0183", accepted), "x-accepted")
                  .ok());
  ASSERT_TRUE((*nats)->WaitPublished().ok());

  // Every consumer of every service, by its dead-letter subject.
  const std::set<std::string> consumers = {"kpr.dlq.KPR_INTAKE.referral-intake",
                                           "kpr.dlq.KPR_SCHEDULING.referral-placements",
                                           "kpr.dlq.KPR_OUTCOMES.referral-outcomes",
                                           "kpr.dlq.KPR_REFERRAL.scheduling-referrals",
                                           "kpr.dlq.KPR_SCHEDULING.outcomes-scheduling",
                                           "kpr.dlq.KPR_REFERRAL.outcomes-referrals",
                                           "kpr.dlq.KPR_SCHEDULING.scheduling-cancellations"};
  std::set<std::string> dead;
  std::vector<std::string> reasons;
  EXPECT_TRUE(Eventually(
      [&] {
        auto letters = (*nats)->ReadStream("KPR_DLQ");
        if (!letters.ok()) return false;
        dead.clear();
        reasons.clear();
        for (const StreamMessage& m : *letters) {
          common::v1::DeadLetter letter;
          if (!letter.ParseFromString(m.data)) continue;
          dead.insert(m.subject);
          reasons.push_back(letter.reason());
        }
        return dead == consumers;
      },
      absl::Seconds(30)))
      << "dead-lettered by: " << absl::StrJoin(dead, ", ");
  for (const std::string& reason : reasons) {
    EXPECT_THAT(reason, ::testing::HasSubstr("envelope municipality 0183 differs from the "
                                             "subject's 0165"));
  }
  // Nothing of 0183's was written by any service.
  EXPECT_THAT(KeysOf("0183"), ::testing::IsEmpty());

  // Control: the same submission on 0183's own subject is stored.
  ASSERT_TRUE((*nats)
                  ->PublishAsync("kpr.intake.v1.referral_submitted.0183",
                                 IntakeEnvelope(submission, "ok-intake", "0183"), "ok-intake")
                  .ok());
  ASSERT_TRUE((*nats)->WaitPublished().ok());
  EXPECT_TRUE(Eventually([] { return !KeysOf("0183").empty(); }, absl::Seconds(20)));
}

}  // namespace
}  // namespace kpr::testing
