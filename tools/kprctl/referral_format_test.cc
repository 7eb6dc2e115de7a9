#include "tools/kprctl/referral_format.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/new_york_test_zone.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;

// Times print in Danish time whatever the machine's zone.
const bool kInNewYork = MachineInNewYork();

rv1::Referral Referral(const std::string& text) {
  rv1::Referral r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &r)) << text;
  return r;
}

// 2027-01-18 09:00 in Denmark (08:00 UTC).
constexpr char kEnrolled[] = R"pb(
  id: "0165-R1"
  municipality: "0165"
  source_system: "jobcenter-x"
  external_id: "J-1"
  source: REFERRAL_SOURCE_JOBCENTER
  citizen_id: "Z1"
  status: REFERRAL_STATUS_ENROLLED
  version: 4
  referrer { caseworker_id: "cw-7" }
  target_group: TARGET_GROUP_SICK_LISTED
  received_at { seconds: 1800259200 }
  updated_at { seconds: 1800259200 }
  history {
    from: REFERRAL_STATUS_ACCEPTED
    to: REFERRAL_STATUS_ENROLLED
    changed_at { seconds: 1800259200 }
    changed_by: "kpr-scheduling"
    version: 4
  }
  placement { cohort_id: "0165-C1" program_id: "sund-med-kultur" first_day: "2027-02-01" }
)pb";

TEST(Placement, CohortWaitlistOrNone) {
  rv1::Referral enrolled = Referral(kEnrolled);
  EXPECT_EQ(FormatPlacement(enrolled),
            "cohort 0165-C1 (program sund-med-kultur), first day 2027-02-01");
  EXPECT_EQ(PlacementCell(enrolled), "0165-C1");

  rv1::Referral waitlisted =
      Referral("status: REFERRAL_STATUS_WAITLISTED placement { program_id: 'sund-med-kultur' }");
  EXPECT_EQ(FormatPlacement(waitlisted), "waitlisted for program sund-med-kultur");
  EXPECT_EQ(PlacementCell(waitlisted), "waitlist:sund-med-kultur");

  rv1::Referral accepted = Referral("status: REFERRAL_STATUS_ACCEPTED");
  EXPECT_EQ(FormatPlacement(accepted), "-");
  EXPECT_EQ(PlacementCell(accepted), "-");

  // What the service has not filled in is left out rather than shown empty.
  EXPECT_EQ(FormatPlacement(Referral("placement { cohort_id: 'C9' }")), "cohort C9");
}

TEST(FormatReferral, EveryFieldThePlacementAndTheHistory) {
  ASSERT_TRUE(kInNewYork);
  EXPECT_EQ(FormatReferral(Referral(kEnrolled)),
            "id:           0165-R1\n"
            "status:       enrolled\n"
            "version:      4\n"
            "municipality: 0165\n"
            "source:       jobcenter (jobcenter-x J-1)\n"
            "citizen:      Z1\n"
            "caseworker:   cw-7\n"
            "target group: sick_listed\n"
            "program:      (default)\n"
            "placement:    cohort 0165-C1 (program sund-med-kultur), first day 2027-02-01\n"
            "received:     2027-01-18 09:00\n"
            "updated:      2027-01-18 09:00\n"
            "  2027-01-18 09:00  accepted -> enrolled by kpr-scheduling (v4)\n");
}

TEST(FormatReferral, WaitlistedWithoutACohortAndAReason) {
  std::string text = FormatReferral(Referral(R"pb(
    id: "0165-R2"
    status: REFERRAL_STATUS_WAITLISTED
    placement { program_id: "sund-med-kultur" }
  )pb"));
  EXPECT_THAT(text, HasSubstr("status:       waitlisted\n"));
  EXPECT_THAT(text, HasSubstr("placement:    waitlisted for program sund-med-kultur\n"));
  EXPECT_THAT(text, HasSubstr("caseworker:   -\n"));
  EXPECT_THAT(FormatReferral(Referral("status: REFERRAL_STATUS_DECLINED "
                                      "status_reason: STATUS_REASON_CITIZEN_DECLINED")),
              HasSubstr("status:       declined (citizen_declined)\n"));
}

TEST(FormatReferralList, APlacementColumn) {
  ASSERT_TRUE(kInNewYork);
  rv1::ListReferralsResponse list;
  *list.add_referrals() = Referral(kEnrolled);
  *list.add_referrals() = Referral(R"pb(
    id: "0165-R2"
    source: REFERRAL_SOURCE_SELF_REFERRAL
    status: REFERRAL_STATUS_WAITLISTED
    version: 12
    placement { program_id: "sund-med-kultur" }
  )pb");
  *list.add_referrals() = Referral(R"pb(
    id: "0165-R3"
    source: REFERRAL_SOURCE_GENERAL_PRACTITIONER
    status: REFERRAL_STATUS_UNDER_REVIEW
    version: 1
    updated_at { seconds: 1814857200 }  # 2027-07-06 09:00 CEST
  )pb");
  EXPECT_EQ(FormatReferralList(list),
            "ID       STATUS        SOURCE                PLACEMENT                 UPDATED"
            "            V\n"
            "0165-R1  enrolled      jobcenter             0165-C1                   "
            "2027-01-18 09:00   4\n"
            "0165-R2  waitlisted    self_referral         waitlist:sund-med-kultur  -"
            "                 12\n"
            "0165-R3  under_review  general_practitioner  -                         "
            "2027-07-06 09:00   1\n");
  list.set_next_page_token("p2");
  EXPECT_THAT(FormatReferralList(list), HasSubstr("(more: --page-token p2, or --all)\n"));
  EXPECT_EQ(FormatReferralList({}), "No referrals.\n");
}

// A withheld count must not read as a real 0.
TEST(FormatFunnel, WithheldCountsAreMarkedNotZero) {
  rv1::Funnel f;
  f.set_municipality("0183");
  f.set_suppression_threshold(5);
  f.set_referred(12);
  f.set_accepted(6);
  f.set_enrolled(6);
  f.add_suppressed_stages(rv1::FUNNEL_STAGE_CONTACTED);
  auto* s = f.add_by_status();
  s->set_status(rv1::REFERRAL_STATUS_ENROLLED);
  s->set_count(6);
  s = f.add_by_status();
  s->set_status(rv1::REFERRAL_STATUS_DECLINED);
  s->set_suppressed(true);
  const std::string out = FormatFunnel(f);
  EXPECT_THAT(out, ::testing::HasSubstr("all                          12         *        6"));
  EXPECT_THAT(out, ::testing::HasSubstr("declined      *"));
  EXPECT_THAT(out, ::testing::HasSubstr("enrolled      6"));
  EXPECT_THAT(out, ::testing::HasSubstr("* withheld: fewer than 5 people"));
  // Nothing withheld: no footnote.
  f.clear_suppressed_stages();
  f.mutable_by_status(1)->set_suppressed(false);
  EXPECT_THAT(FormatFunnel(f), ::testing::Not(::testing::HasSubstr("withheld")));
}

}  // namespace
}  // namespace kpr::kprctl
