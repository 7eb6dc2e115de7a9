#include "tools/kprctl/referral_args.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/kprctl/new_york_test_zone.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;

ParsedArgs Args(std::vector<std::string> positional, std::map<std::string, std::string> options) {
  ParsedArgs a;
  a.command = "status";
  a.positional = std::move(positional);
  a.options = std::move(options);
  return a;
}

std::string Error(const absl::Status& s) { return std::string(s.message()); }

int64_t UtcSeconds(int y, int m, int d, int hh) {
  return absl::ToUnixSeconds(absl::FromCivil(absl::CivilHour(y, m, d, hh), absl::UTCTimeZone()));
}

TEST(ReferralStatus, ShortFullAndPrefixedNames) {
  for (const char* name : {"under_review", "UNDER_REVIEW", "REFERRAL_STATUS_UNDER_REVIEW",
                           "Under_Review", " under_review "}) {
    auto s = ParseReferralStatus(name);
    ASSERT_TRUE(s.ok()) << name << ": " << s.status();
    EXPECT_EQ(*s, rv1::REFERRAL_STATUS_UNDER_REVIEW) << name;
  }
  EXPECT_EQ(ReferralStatusName(rv1::REFERRAL_STATUS_UNDER_REVIEW), "under_review");
  EXPECT_EQ(ReferralStatusName(rv1::REFERRAL_STATUS_DROPPED_OUT), "dropped_out");
  EXPECT_EQ(ReferralStatusName(static_cast<rv1::ReferralStatus>(99)), "unknown");
}

TEST(ReferralStatus, EveryStatusOfTheContractRoundTrips) {
  const auto* e = rv1::ReferralStatus_descriptor();
  for (int i = 0; i < e->value_count(); ++i) {
    auto status = static_cast<rv1::ReferralStatus>(e->value(i)->number());
    if (status == rv1::REFERRAL_STATUS_UNSPECIFIED) continue;
    auto parsed = ParseReferralStatus(ReferralStatusName(status));
    ASSERT_TRUE(parsed.ok()) << e->value(i)->name();
    EXPECT_EQ(*parsed, status);
  }
}

TEST(ReferralStatus, WaitlistedGoesToTheServiceWhichDecides) {
  auto req = BuildUpdateReferralStatus(Args({"0165-R1", "waitlisted"}, {}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->status(), rv1::REFERRAL_STATUS_WAITLISTED);
  EXPECT_EQ(ReferralStatusName(rv1::REFERRAL_STATUS_WAITLISTED), "waitlisted");
}

TEST(ReferralStatus, UnknownNamesListTheContractsStatuses) {
  for (const char* bad : {"", "unspecified", "REFERRAL_STATUS_UNSPECIFIED", "review", "9"}) {
    auto s = ParseReferralStatus(bad);
    ASSERT_FALSE(s.ok()) << bad;
  }
  EXPECT_EQ(Error(ParseReferralStatus("review").status()),
            "unknown status 'review' (one of: received under_review accepted enrolled completed "
            "dropped_out declined withdrawn waitlisted)");
}

TEST(BuildUpdateReferralStatus, ReasonNoteAndVersion) {
  auto req = BuildUpdateReferralStatus(
      Args({"0165-R1", "DECLINED"},
           {{"reason", "citizen_declined"}, {"note", "moved away"}, {"expected-version", "4"}}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->id(), "0165-R1");
  EXPECT_EQ(req->status(), rv1::REFERRAL_STATUS_DECLINED);
  EXPECT_EQ(req->reason(), rv1::STATUS_REASON_CITIZEN_DECLINED);
  EXPECT_EQ(req->note(), "moved away");
  EXPECT_EQ(req->expected_version(), 4);
  EXPECT_EQ(BuildUpdateReferralStatus(Args({"0165-R1", "accepted"}, {}))->expected_version(), 0);

  EXPECT_EQ(Error(BuildUpdateReferralStatus(Args({"0165-R1"}, {})).status()),
            "status needs an id and a new status");
  EXPECT_EQ(
      Error(
          BuildUpdateReferralStatus(Args({"0165-R1", "declined"}, {{"reason", "bored"}})).status()),
      "unknown reason 'bored'");
  EXPECT_THAT(
      Error(BuildUpdateReferralStatus(Args({"0165-R1", "accepted"}, {{"expected-version", "x"}}))
                .status()),
      HasSubstr("--expected-version: expected a whole number"));
}

// --since and the funnel's --from/--to are Danish days, whatever the machine's zone.
TEST(BuildListReferrals, FiltersAndADanishSince) {
  ASSERT_TRUE(MachineInNewYork());
  auto req = BuildListReferrals(Args({}, {{"municipality", "0165"},
                                          {"status", "REFERRAL_STATUS_WAITLISTED"},
                                          {"source", "jobcenter"},
                                          {"since", "2027-01-01"},
                                          {"page-size", "200"}}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->municipality(), "0165");
  EXPECT_EQ(req->status(), rv1::REFERRAL_STATUS_WAITLISTED);
  EXPECT_EQ(req->source(), kpr::intake::v1::REFERRAL_SOURCE_JOBCENTER);
  EXPECT_EQ(req->updated_since().seconds(), UtcSeconds(2026, 12, 31, 23));
  EXPECT_EQ(req->page_size(), 200);
  EXPECT_EQ(BuildListReferrals(Args({}, {{"municipality", "0165"}}))->page_size(), 50);

  EXPECT_EQ(Error(BuildListReferrals(Args({}, {})).status()), "list needs --municipality");
  EXPECT_THAT(
      Error(BuildListReferrals(Args({}, {{"municipality", "0165"}, {"status", "x"}})).status()),
      HasSubstr("--status: unknown status 'x'"));
  EXPECT_THAT(Error(BuildListReferrals(Args({}, {{"municipality", "0165"}, {"since", "yesterday"}}))
                        .status()),
              HasSubstr("--since: expected YYYY-MM-DD"));
  EXPECT_THAT(
      Error(
          BuildListReferrals(Args({}, {{"municipality", "0165"}, {"page-size", "501"}})).status()),
      HasSubstr("--page-size: expected a whole number from 1 to 500"));
}

TEST(BuildGetFunnel, DanishDays) {
  ASSERT_TRUE(MachineInNewYork());
  auto req = BuildGetFunnel(
      Args({}, {{"municipality", "0165"}, {"from", "2027-01-01"}, {"to", "2027-07-01"}}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->from().seconds(), UtcSeconds(2026, 12, 31, 23));  // CET
  EXPECT_EQ(req->to().seconds(), UtcSeconds(2027, 6, 30, 22));     // CEST
  EXPECT_FALSE(BuildGetFunnel(Args({}, {{"municipality", "0165"}}))->has_from());
  EXPECT_EQ(Error(BuildGetFunnel(Args({}, {})).status()), "funnel needs --municipality");
}

}  // namespace
}  // namespace kpr::kprctl
