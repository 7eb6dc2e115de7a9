// The closed loop against a real Redis, fed scheduling's and outcomes' facts directly through
// the consumers' routers: each fact moves the referral once, whatever is redelivered or
// reordered; what it cannot apply is left alone or dead-lettered, never retried forever; every
// status change is one status_changed event with the FHIR codes.

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "services/referral/closed_loop_handler.h"
#include "services/referral/referral_desks.h"
#include "tests/support/referral_fixture.h"

namespace kpr::referral {
namespace {

class ClosedLoopTest : public testing::ReferralDeskTest {
 protected:
  void SetUp() override {
    ReferralDeskTest::SetUp();
    placement_facts_ =
        std::make_unique<bus::EventRouter>(PlacementFactsRouter(desks_->closed_loop));
    outcome_facts_ = std::make_unique<bus::EventRouter>(OutcomeFactsRouter(desks_->closed_loop));
    coordinator_.claims.subject = "coordinator-1";
    coordinator_.claims.role = identity::Role::kCoordinator;
    coordinator_.claims.municipalities = {"0165"};
  }

  v1::Referral Submit(int n) {
    auto r = desks_->intake.Submit(testing::SyntheticSubmission(n, "0165"), coordinator_);
    EXPECT_TRUE(r.ok()) << r.status();
    return r->first;
  }

  v1::Referral Move(const v1::Referral& r, v1::ReferralStatus to) {
    v1::UpdateReferralStatusRequest req;
    req.set_id(r.id());
    req.set_expected_version(r.version());
    req.set_status(to);
    auto out = desks_->review.UpdateStatus(req, coordinator_);
    EXPECT_TRUE(out.ok()) << out.status();
    return *out;
  }

  v1::Referral Reload(const v1::Referral& r) {
    auto out = desks_->review.Get(r.id(), coordinator_);
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

  // Any scheduling event about 0165, decided at `at`.
  static bus::Delivery SchedulingEvent(const std::string& name,
                                       const google::protobuf::Message& payload,
                                       const std::string& event_id, absl::Time at = absl::Now()) {
    bus::Delivery d;
    d.subject = "kpr.scheduling.v1." + name + ".0165";
    d.msg_id = event_id;
    d.data = bus::MakeEvent(event_id, "0165", payload, at, "corr-3", "").SerializeAsString();
    d.delivery_count = 1;
    return d;
  }

  v1::Referral Accepted(int n) {
    return Move(Move(Submit(n), v1::REFERRAL_STATUS_UNDER_REVIEW), v1::REFERRAL_STATUS_ACCEPTED);
  }

  // The status_changed events of referral `id` in the outbox, oldest first.
  std::vector<v1::ReferralStatusChanged> StatusChanges(const std::string& id) {
    std::vector<v1::ReferralStatusChanged> out;
    auto entries = store_->outbox().Read("0165", 10000);
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (!entries.ok()) return out;
    for (const auto& entry : *entries) {
      if (!absl::StrContains(entry.subject, ".status_changed.")) continue;
      auto event = bus::ParseEvent(entry.data);
      EXPECT_TRUE(event.ok());
      auto changed = bus::UnpackEvent<v1::ReferralStatusChanged>(*event);
      EXPECT_TRUE(changed.ok());
      if (changed.ok() && changed->referral_id() == id) out.push_back(*changed);
    }
    return out;
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
      const bus::EventRouter& router =
          absl::StartsWith(d.subject, "kpr.outcomes.") ? *outcome_facts_ : *placement_facts_;
      out.push_back(router.RouteOne(d));
    }
    return out;
  }

  std::unique_ptr<bus::EventRouter> placement_facts_;
  std::unique_ptr<bus::EventRouter> outcome_facts_;
  Caller coordinator_;
};

TEST_F(ClosedLoopTest, AcceptedReferralBecomesEnrolledOnceAcrossRedeliveries) {
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

TEST_F(ClosedLoopTest, ReferralNotYetAcceptedIsLeftForTheCoordinator) {
  v1::Referral r = Submit(2);
  auto outcomes = Handle({EnrolledEvent(r.id(), "e-2")});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kAck);
  v1::Referral after = Reload(r);
  EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_RECEIVED);
  EXPECT_EQ(after.version(), r.version());
}

TEST_F(ClosedLoopTest, UnknownReferralAndGarbageAreDeadLetters) {
  auto outcomes = Handle({EnrolledEvent("0165-0000000000000000000000000X", "e-3")});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kDeadLetter);
  bus::Delivery garbage;
  garbage.subject = "kpr.scheduling.v1.enrolled.0165";
  garbage.data = "not an event";
  outcomes = Handle({garbage});
  EXPECT_EQ(outcomes[0].kind, bus::Outcome::kDeadLetter);
}

TEST_F(ClosedLoopTest, RedisDownIsARetryNotADeadLetter) {
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

TEST_F(ClosedLoopTest, OutcomesCloseTheLoopToCompletedOrDroppedOutOnce) {
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

TEST_F(ClosedLoopTest, WaitlistedThenEnrolledWhenASeatFreesEachOnceWithFhirCodes) {
  v1::Referral r = Accepted(20);
  scheduling::v1::Waitlisted w;
  w.set_program_id("sund-med-kultur");
  w.set_referral_id(r.id());
  const absl::Time t0 = absl::Now();
  bus::Delivery waitlisted = SchedulingEvent("waitlisted", w, "w-20", t0);
  EXPECT_EQ(Handle({waitlisted, waitlisted})[1].kind, bus::Outcome::kAck);
  v1::Referral after = Reload(r);
  EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_WAITLISTED);
  EXPECT_EQ(after.placement().program_id(), "sund-med-kultur");

  scheduling::v1::Enrolled e;
  e.set_cohort_id("0165-c2");
  e.set_program_id("sund-med-kultur");
  e.set_referral_id(r.id());
  e.set_first_day("2027-03-01");
  e.set_from_waitlist(true);
  bus::Delivery enrolled = SchedulingEvent("enrolled", e, "e-20", t0 + absl::Seconds(1));
  Handle({enrolled, waitlisted, enrolled});  // redelivered and reordered
  after = Reload(r);
  EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_ENROLLED);
  EXPECT_EQ(after.placement().cohort_id(), "0165-c2");
  EXPECT_EQ(after.placement().first_day(), "2027-03-01");

  std::vector<v1::ReferralStatusChanged> changes = StatusChanges(r.id());
  ASSERT_EQ(changes.size(), 4u);  // under review, accepted, waitlisted, enrolled
  EXPECT_EQ(changes[2].from(), v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_EQ(changes[2].to(), v1::REFERRAL_STATUS_WAITLISTED);
  EXPECT_EQ(changes[2].from_fhir_status(), "accepted");
  EXPECT_EQ(changes[2].to_fhir_status(), "on-hold");
  EXPECT_EQ(changes[3].to(), v1::REFERRAL_STATUS_ENROLLED);
  EXPECT_EQ(changes[3].from_fhir_status(), "on-hold");
  EXPECT_EQ(changes[3].to_fhir_status(), "in-progress");
  EXPECT_EQ(changes[3].placement().cohort_id(), "0165-c2");
  EXPECT_EQ(changes[3].source_system(), r.source_system());
  EXPECT_EQ(changes[3].external_id(), r.external_id());
}

TEST_F(ClosedLoopTest, UnenrolledBeforeTheStartReturnsToAcceptedAfterTheStartDropsOut) {
  v1::Referral early = Accepted(21);
  v1::Referral late = Accepted(22);
  const absl::Time t0 = absl::Now();
  Handle({EnrolledEvent(early.id(), "e-21"), EnrolledEvent(late.id(), "e-22")});
  scheduling::v1::Unenrolled u;
  u.set_cohort_id("0165-c1");
  u.set_program_id("sund-med-kultur");
  u.set_referral_id(early.id());
  u.set_reason_code(scheduling::v1::CHANGE_REASON_CITIZEN_LEFT);
  Handle({SchedulingEvent("unenrolled", u, "u-21", t0 + absl::Seconds(5))});
  v1::Referral after = Reload(early);
  EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_FALSE(after.has_placement());
  u.set_referral_id(late.id());
  u.set_cohort_started(true);
  Handle({SchedulingEvent("unenrolled", u, "u-22", t0 + absl::Seconds(5))});
  after = Reload(late);
  EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_DROPPED_OUT);
  EXPECT_EQ(after.placement().cohort_id(), "0165-c1");  // kept, to show where

  // An unenrolment from a cohort the referral is not placed in changes nothing.
  v1::Referral other = Accepted(23);
  Handle({EnrolledEvent(other.id(), "e-23")});
  u.set_referral_id(other.id());
  u.set_cohort_id("0165-c9");
  const int64_t version = Reload(other).version();
  EXPECT_EQ(Handle({SchedulingEvent("unenrolled", u, "u-23", t0 + absl::Seconds(6))})[0].kind,
            bus::Outcome::kAck);
  EXPECT_EQ(Reload(other).version(), version);
}

TEST_F(ClosedLoopTest, CohortCancelledAfterTheStartDropsOutEveryParticipantWithTheReason) {
  v1::Referral a = Accepted(24);
  v1::Referral b = Accepted(25);
  Handle({EnrolledEvent(a.id(), "e-24"), EnrolledEvent(b.id(), "e-25")});
  scheduling::v1::CohortCancelled c;
  c.set_cohort_id("0165-c1");
  c.set_program_id("sund-med-kultur");
  c.set_had_started(true);
  c.set_reason_code(scheduling::v1::CHANGE_REASON_VENUE_CLOSED);
  for (const v1::Referral& r : {a, b}) c.add_participants()->set_referral_id(r.id());
  c.add_participants()->set_referral_id("0165-0000000000000000000000000X");  // unknown: skipped
  bus::Delivery cancelled =
      SchedulingEvent("cohort_cancelled", c, "c-1", absl::Now() + absl::Seconds(5));
  EXPECT_EQ(Handle({cancelled, cancelled})[0].kind, bus::Outcome::kAck);
  for (const v1::Referral& r : {a, b}) {
    v1::Referral after = Reload(r);
    EXPECT_EQ(after.status(), v1::REFERRAL_STATUS_DROPPED_OUT);
    EXPECT_EQ(after.status_reason(), v1::STATUS_REASON_COHORT_CANCELLED);
    std::vector<v1::ReferralStatusChanged> changes = StatusChanges(r.id());
    ASSERT_FALSE(changes.empty());
    EXPECT_EQ(changes.back().to_fhir_status(), "failed");
    EXPECT_EQ(changes.back().reason(), v1::STATUS_REASON_COHORT_CANCELLED);
    int dropped = 0;
    for (const auto& ch : changes) dropped += ch.to() == v1::REFERRAL_STATUS_DROPPED_OUT;
    EXPECT_EQ(dropped, 1);  // once, however often the event came
  }
}

}  // namespace
}  // namespace kpr::referral
