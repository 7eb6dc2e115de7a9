#include "services/referral/placement_facts.h"

#include "gtest/gtest.h"

namespace kpr::referral {
namespace {

using namespace ::kpr::referral::v1;  // NOLINT: enum values read better unqualified here
using Kind = PlacementFact::Kind;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

Referral InStatus(ReferralStatus status, const std::string& cohort = "") {
  Referral r;
  r.set_id("0165-R");
  r.set_status(status);
  if (!cohort.empty()) {
    r.mutable_placement()->set_cohort_id(cohort);
    r.mutable_placement()->set_program_id("p");
    r.mutable_placement()->set_first_day("2027-02-01");
  }
  return r;
}

PlacementFact Fact(Kind kind, const std::string& cohort, absl::Time at, bool started = false) {
  PlacementFact f;
  f.kind = kind;
  f.referral_id = "0165-R";
  f.cohort_id = cohort;
  f.program_id = "p";
  f.first_day = "2027-02-01";
  f.started = started;
  f.at = at;
  return f;
}

TEST(PlacementFacts, EnrolledPlacesAnAcceptedOrWaitlistedReferral) {
  for (ReferralStatus from : {REFERRAL_STATUS_ACCEPTED, REFERRAL_STATUS_WAITLISTED}) {
    FactDecision d =
        DecidePlacementFact(InStatus(from), absl::InfinitePast(), Fact(Kind::kEnrolled, "c1", kT0));
    ASSERT_TRUE(d.changes) << d.why;
    EXPECT_EQ(d.to, REFERRAL_STATUS_ENROLLED);
    EXPECT_EQ(d.placement.cohort_id(), "c1");
    EXPECT_EQ(d.placement.first_day(), "2027-02-01");
  }
}

TEST(PlacementFacts, EnrolledInAnotherCohortReplacesThePlacement) {
  FactDecision d = DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"), kT0,
                                       Fact(Kind::kEnrolled, "c2", kT0 + absl::Seconds(1)));
  ASSERT_TRUE(d.changes);
  EXPECT_EQ(d.placement.cohort_id(), "c2");
  // The same cohort again (a redelivery): nothing.
  EXPECT_FALSE(DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"), kT0,
                                   Fact(Kind::kEnrolled, "c1", kT0))
                   .changes);
}

TEST(PlacementFacts, ANotYetAcceptedReferralIsLeftForTheCoordinator) {
  for (ReferralStatus from : {REFERRAL_STATUS_RECEIVED, REFERRAL_STATUS_UNDER_REVIEW}) {
    EXPECT_FALSE(
        DecidePlacementFact(InStatus(from), absl::InfinitePast(), Fact(Kind::kEnrolled, "c1", kT0))
            .changes);
  }
}

TEST(PlacementFacts, WaitlistedOnlyFromAccepted) {
  FactDecision d = DecidePlacementFact(InStatus(REFERRAL_STATUS_ACCEPTED), absl::InfinitePast(),
                                       Fact(Kind::kWaitlisted, "", kT0));
  ASSERT_TRUE(d.changes);
  EXPECT_EQ(d.to, REFERRAL_STATUS_WAITLISTED);
  EXPECT_EQ(d.placement.program_id(), "p");
  EXPECT_TRUE(d.placement.cohort_id().empty());
  EXPECT_FALSE(DecidePlacementFact(InStatus(REFERRAL_STATUS_WAITLISTED), kT0,
                                   Fact(Kind::kWaitlisted, "", kT0))
                   .changes);
}

TEST(PlacementFacts, UnenrolledBeforeTheStartReturnsToAcceptedAfterItDropsOut) {
  FactDecision before = DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"), kT0,
                                            Fact(Kind::kUnenrolled, "c1", kT0, false));
  ASSERT_TRUE(before.changes);
  EXPECT_EQ(before.to, REFERRAL_STATUS_ACCEPTED);
  EXPECT_TRUE(before.placement.cohort_id().empty());
  FactDecision after = DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"), kT0,
                                           Fact(Kind::kUnenrolled, "c1", kT0, true));
  ASSERT_TRUE(after.changes);
  EXPECT_EQ(after.to, REFERRAL_STATUS_DROPPED_OUT);
  EXPECT_EQ(after.placement.cohort_id(), "c1");  // kept, to show where
}

TEST(PlacementFacts, CohortCancelledAfterTheStartIsADropOutWithItsReason) {
  FactDecision d = DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"), kT0,
                                       Fact(Kind::kCohortCancelled, "c1", kT0, true));
  ASSERT_TRUE(d.changes);
  EXPECT_EQ(d.to, REFERRAL_STATUS_DROPPED_OUT);
  EXPECT_EQ(d.reason, STATUS_REASON_COHORT_CANCELLED);
  d = DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"), kT0,
                          Fact(Kind::kCohortCancelled, "c1", kT0, false));
  ASSERT_TRUE(d.changes);
  EXPECT_EQ(d.to, REFERRAL_STATUS_ACCEPTED);
}

// Facts are reordered by replicas and retries: only one naming the current placement counts.
TEST(PlacementFacts, AnUnenrolmentFromAnOldPlacementChangesNothing) {
  // Moved from c1 to c2; the unenrolment from c1 arrives after the enrolment in c2.
  EXPECT_FALSE(DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c2"), kT0,
                                   Fact(Kind::kUnenrolled, "c1", kT0 + absl::Seconds(5)))
                   .changes);
  EXPECT_FALSE(DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c2"), kT0,
                                   Fact(Kind::kCohortCancelled, "c1", kT0 + absl::Seconds(5)))
                   .changes);
}

TEST(PlacementFacts, AnOlderFactThanTheNewestAppliedChangesNothing) {
  // Enrolled in c1 at kT0+10; a stale "enrolled in c0" decided at kT0 arrives late.
  EXPECT_FALSE(DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"),
                                   kT0 + absl::Seconds(10), Fact(Kind::kEnrolled, "c0", kT0))
                   .changes);
  // A late waitlisted after the seat came: nothing.
  EXPECT_FALSE(DecidePlacementFact(InStatus(REFERRAL_STATUS_ENROLLED, "c1"),
                                   kT0 + absl::Seconds(10), Fact(Kind::kWaitlisted, "", kT0))
                   .changes);
}

TEST(PlacementFacts, ClosedReferralsDoNotMove) {
  for (ReferralStatus closed : {REFERRAL_STATUS_COMPLETED, REFERRAL_STATUS_DROPPED_OUT,
                                REFERRAL_STATUS_WITHDRAWN, REFERRAL_STATUS_DECLINED}) {
    for (Kind kind :
         {Kind::kEnrolled, Kind::kWaitlisted, Kind::kUnenrolled, Kind::kCohortCancelled}) {
      EXPECT_FALSE(
          DecidePlacementFact(InStatus(closed, "c1"), absl::InfinitePast(), Fact(kind, "c1", kT0))
              .changes);
    }
  }
}

}  // namespace
}  // namespace kpr::referral
