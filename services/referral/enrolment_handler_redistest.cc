// The enrolment handler against a real Redis, fed scheduling's enrolled events directly: the
// referral moves to ENROLLED once, whatever is redelivered; what it cannot apply is left alone
// or dead-lettered, never retried forever.

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/privacy/audit_trail.h"
#include "services/referral/enrolment_handler.h"
#include "tests/harness/servers.h"
#include "tests/support/referral_testing.h"

namespace kpr::referral {
namespace {

class EnrolmentHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::FlushRedis().ok());
    store::RedisOptions options;
    options.port = testing::Servers::Redis().port();
    pool_ = std::make_unique<store::RedisPool>(options);
    store_ = std::make_unique<ReferralStore>(*pool_);
    audit_ = std::make_unique<privacy::AuditTrail>(*pool_);
    desk_ = std::make_unique<ReferralDesk>(*store_, box_, pseudonymizer_, *audit_, nullptr);
    handler_ = std::make_unique<EnrolmentHandler>(*desk_);
    coordinator_.claims.subject = "coordinator-1";
    coordinator_.claims.role = identity::Role::kCoordinator;
    coordinator_.claims.municipalities = {"0165"};
  }

  v1::Referral Submit(int n) {
    auto r = desk_->Submit(testing::SyntheticSubmission(n, "0165"), coordinator_);
    EXPECT_TRUE(r.ok()) << r.status();
    return r->first;
  }

  v1::Referral Move(const v1::Referral& r, v1::ReferralStatus to) {
    v1::UpdateReferralStatusRequest req;
    req.set_id(r.id());
    req.set_expected_version(r.version());
    req.set_status(to);
    auto out = desk_->UpdateStatus(req, coordinator_);
    EXPECT_TRUE(out.ok()) << out.status();
    return *out;
  }

  v1::Referral Reload(const v1::Referral& r) {
    auto out = desk_->Get(r.id(), coordinator_);
    EXPECT_TRUE(out.ok()) << out.status();
    return *out;
  }

  static bus::Delivery EnrolledEvent(const std::string& referral_id, const std::string& event_id) {
    scheduling::v1::Enrolled e;
    e.set_cohort_id("0165-c1");
    e.set_program_id("sund-med-kultur");
    e.set_referral_id(referral_id);
    e.set_citizen_id("citizen-pseudonym");
    bus::Delivery d;
    d.subject = "kpr.scheduling.v1.enrolled.0165";
    d.msg_id = event_id;
    d.data = bus::MakeEvent(event_id, "0165", e, absl::Now(), "corr-1", "").SerializeAsString();
    d.delivery_count = 1;
    return d;
  }

  static bus::Delivery OutcomeEvent(const std::string& referral_id,
                                    outcomes::v1::ParticipationOutcome outcome,
                                    const std::string& event_id) {
    outcomes::v1::OutcomeRecorded e;
    e.set_referral_id(referral_id);
    e.set_cohort_id("0165-c1");
    e.set_outcome(outcome);
    e.set_sessions_held(12);
    e.set_sessions_attended(outcome == outcomes::v1::PARTICIPATION_OUTCOME_COMPLETED ? 10 : 2);
    bus::Delivery d;
    d.subject = "kpr.outcomes.v1.outcome_recorded.0165";
    d.msg_id = event_id;
    d.data = bus::MakeEvent(event_id, "0165", e, absl::Now(), "corr-2", "").SerializeAsString();
    d.delivery_count = 1;
    return d;
  }

  // What the two consumers do with a batch (each consumer gets its own stream's subjects).
  std::vector<bus::Outcome> Handle(const std::vector<bus::Delivery>& batch) {
    std::vector<bus::Outcome> out;
    for (const bus::Delivery& d : batch) {
      const bus::EventRouter& router = absl::StartsWith(d.subject, "kpr.outcomes.")
                                           ? handler_->outcome_facts()
                                           : handler_->scheduling_facts();
      out.push_back(router.RouteOne(d));
    }
    return out;
  }

  privacy::SealedBox box_{std::string(32, 'e')};
  privacy::Pseudonymizer pseudonymizer_{std::string(32, 'p')};
  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<ReferralStore> store_;
  std::unique_ptr<privacy::AuditTrail> audit_;
  std::unique_ptr<ReferralDesk> desk_;
  std::unique_ptr<EnrolmentHandler> handler_;
  Caller coordinator_;
};

TEST_F(EnrolmentHandlerTest, AcceptedReferralBecomesEnrolledOnceAcrossRedeliveries) {
  v1::Referral r = Submit(1);
  r = Move(r, v1::REFERRAL_STATUS_UNDER_REVIEW);
  r = Move(r, v1::REFERRAL_STATUS_ACCEPTED);
  bus::Delivery d = EnrolledEvent(r.id(), "e-1");

  auto outcomes = Handle({d});
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kAck);
  v1::Referral after = Reload(r);
  EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_ENROLLED);
  EXPECT_EQ(after.version(), r.version() + 1);
  EXPECT_EQ(after.history().rbegin()->changed_by(), "kpr-scheduling");

  d.delivery_count = 2;
  outcomes = Handle({d, d});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kAck);
  EXPECT_EQ(outcomes[1].kind, bus::Outcome::kAck);
  EXPECT_EQ(Reload(r).version(), after.version());  // nothing changed again
}

TEST_F(EnrolmentHandlerTest, ReferralNotYetAcceptedIsLeftForTheCoordinator) {
  v1::Referral r = Submit(2);
  auto outcomes = Handle({EnrolledEvent(r.id(), "e-2")});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kAck);
  v1::Referral after = Reload(r);
  EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_RECEIVED);
  EXPECT_EQ(after.version(), r.version());
}

TEST_F(EnrolmentHandlerTest, UnknownReferralAndGarbageAreDeadLetters) {
  auto outcomes = Handle({EnrolledEvent("0165-0000000000000000000000000X", "e-3")});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kDeadLetter);
  bus::Delivery garbage;
  garbage.subject = "kpr.scheduling.v1.enrolled.0165";
  garbage.data = "not an event";
  outcomes = Handle({garbage});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kDeadLetter);
}

TEST_F(EnrolmentHandlerTest, RedisDownIsARetryNotADeadLetter) {
  v1::Referral r = Submit(4);
  r = Move(r, v1::REFERRAL_STATUS_UNDER_REVIEW);
  r = Move(r, v1::REFERRAL_STATUS_ACCEPTED);
  testing::Servers::Redis().Stop();
  auto outcomes = Handle({EnrolledEvent(r.id(), "e-4")});
  ASSERT_TRUE(testing::Servers::Redis().Start().ok());
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kRetry);
  EXPECT_TRUE(testing::Eventually(
      [&] {
        auto o = Handle({EnrolledEvent(r.id(), "e-4")});
        return o[0].kind == bus::Outcome::kAck;
      },
      absl::Seconds(10)));
  EXPECT_EQ(Reload(r).status(), v1::REFERRAL_STATUS_ENROLLED);
}

TEST_F(EnrolmentHandlerTest, OutcomesCloseTheLoopToCompletedOrDroppedOutOnce) {
  v1::Referral done =
      Move(Move(Submit(5), v1::REFERRAL_STATUS_UNDER_REVIEW), v1::REFERRAL_STATUS_ACCEPTED);
  v1::Referral left =
      Move(Move(Submit(6), v1::REFERRAL_STATUS_UNDER_REVIEW), v1::REFERRAL_STATUS_ACCEPTED);
  Handle({EnrolledEvent(done.id(), "e-5"), EnrolledEvent(left.id(), "e-6")});

  auto outcomes =
      Handle({OutcomeEvent(done.id(), outcomes::v1::PARTICIPATION_OUTCOME_COMPLETED, "o-5"),
              OutcomeEvent(left.id(), outcomes::v1::PARTICIPATION_OUTCOME_DROPPED_OUT, "o-6")});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kAck);
  EXPECT_EQ(outcomes[1].kind, bus::Outcome::kAck);
  v1::Referral completed = Reload(done);
  EXPECT_EQ(completed.status(), v1::REFERRAL_STATUS_COMPLETED);
  EXPECT_EQ(completed.history().rbegin()->changed_by(), "kpr-outcomes");
  EXPECT_EQ(Reload(left).status(), v1::REFERRAL_STATUS_DROPPED_OUT);

  // Redelivered: nothing changes.
  Handle({OutcomeEvent(done.id(), outcomes::v1::PARTICIPATION_OUTCOME_COMPLETED, "o-5")});
  EXPECT_EQ(Reload(done).version(), completed.version());

  // An outcome for a referral the coordinator never saw enrolled is left for them.
  v1::Referral review = Move(Submit(7), v1::REFERRAL_STATUS_UNDER_REVIEW);
  outcomes =
      Handle({OutcomeEvent(review.id(), outcomes::v1::PARTICIPATION_OUTCOME_COMPLETED, "o-7")});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kAck);
  EXPECT_EQ(Reload(review).status(), v1::REFERRAL_STATUS_UNDER_REVIEW);

  // No outcome in the event: it can never be applied.
  outcomes =
      Handle({OutcomeEvent(done.id(), outcomes::v1::PARTICIPATION_OUTCOME_UNSPECIFIED, "o-8")});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kDeadLetter);
}

}  // namespace
}  // namespace kpr::referral
