#include "services/referral/status_change.h"

#include "gtest/gtest.h"
#include "kpr/referral/v1/events.pb.h"

namespace kpr::referral {
namespace {

using namespace ::kpr::referral::v1;  // NOLINT: enum values read better unqualified here

Referral Accepted() {
  Referral r;
  r.set_id("0165-R");
  r.set_citizen_id("pseudo");
  r.set_source_system("fasit");
  r.set_external_id("ext-1");
  r.set_status(REFERRAL_STATUS_ACCEPTED);
  r.set_version(3);
  return r;
}

TEST(StatusChange, OneStatusChangedWithFhirCodesAndAnIdPerVersion) {
  StatusChangeRequest req;
  req.to = REFERRAL_STATUS_ENROLLED;
  req.at = absl::FromUnixSeconds(1'800'000'000);
  req.changed_by = "kpr-scheduling";
  req.announce_decision = false;
  Placement p;
  p.set_cohort_id("c1");
  p.set_program_id("p");
  p.set_first_day("2027-02-01");
  req.placement = p;
  StatusChangePlan plan = PlanStatusChange(Accepted(), req);
  EXPECT_EQ(plan.after.status(), REFERRAL_STATUS_ENROLLED);
  EXPECT_EQ(plan.after.version(), 4);
  EXPECT_EQ(plan.after.placement().cohort_id(), "c1");
  ASSERT_EQ(plan.after.history_size(), 1);
  EXPECT_EQ(plan.after.history(0).changed_by(), "kpr-scheduling");
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].id, "0165-R.v4.status_changed");
  const auto& e = static_cast<const ReferralStatusChanged&>(*plan.events[0].payload);
  EXPECT_EQ(e.from(), REFERRAL_STATUS_ACCEPTED);
  EXPECT_EQ(e.to(), REFERRAL_STATUS_ENROLLED);
  EXPECT_EQ(e.from_fhir_status(), "accepted");
  EXPECT_EQ(e.to_fhir_status(), "in-progress");
  EXPECT_EQ(e.source_system(), "fasit");
  EXPECT_EQ(e.external_id(), "ext-1");
  EXPECT_EQ(e.placement().cohort_id(), "c1");
  EXPECT_EQ(e.version(), 4);
}

TEST(StatusChange, StaffDecisionsAlsoAnnounceTheDecision) {
  Referral r = Accepted();
  r.set_status(REFERRAL_STATUS_UNDER_REVIEW);
  StatusChangeRequest req;
  req.to = REFERRAL_STATUS_ACCEPTED;
  StatusChangePlan plan = PlanStatusChange(r, req);
  ASSERT_EQ(plan.events.size(), 2u);
  EXPECT_EQ(plan.events[0].name, "accepted");
  EXPECT_EQ(plan.events[1].name, "status_changed");
  // Back to ACCEPTED from a fact: no new acceptance (scheduling would place them again).
  r.set_status(REFERRAL_STATUS_ENROLLED);
  req.announce_decision = false;
  req.placement = Placement();
  plan = PlanStatusChange(r, req);
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].name, "status_changed");
  EXPECT_FALSE(plan.after.has_placement());
}

}  // namespace
}  // namespace kpr::referral
