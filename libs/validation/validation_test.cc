#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/validation/field_violations.h"
#include "libs/validation/period.h"

namespace kpr::validation {
namespace {

using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(int64_t seconds, int32_t nanos = 0) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  t.set_nanos(nanos);
  return t;
}

TEST(ViolationsTest, StatusNamesEveryField) {
  ViolationCollector c;
  EXPECT_TRUE(ViolationsToStatus(c.Take()).ok());
  c.Add("citizen.cpr", "not a valid CPR number");
  c.Add("programs[2].weeks", "must be 1..52");
  absl::Status s = ViolationsToStatus(c.Take(), "invalid catalog entry: ");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "invalid catalog entry: citizen.cpr: not a valid CPR number; programs[2].weeks: must "
            "be 1..52");
}

TEST(PeriodTest, DefaultsValidAndCapped) {
  const absl::Time d0 = absl::FromUnixSeconds(1'800'000'000);
  const absl::Time d1 = d0 + absl::Hours(24 * 365);
  auto p = CheckPeriod(std::nullopt, std::nullopt, d0, d1, kMaxReportPeriod);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->from, d0);
  EXPECT_EQ(p->to, d1);
  // GetProgramReport with to = 10^15 s grew kpr-outcomes to 2 GB.
  p = CheckPeriod(Ts(1'800'000'000), Ts(1'000'000'000'000'000), d0, d1, kMaxReportPeriod);
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(p.status().message(), HasSubstr("to: "));
  // Five years is fine, five years and a week is not.
  EXPECT_TRUE(
      CheckPeriod(Ts(1'800'000'000), Ts(1'800'000'000 + 5 * 365 * 86400), d0, d1, kMaxReportPeriod)
          .ok());
  EXPECT_FALSE(CheckPeriod(Ts(1'800'000'000), Ts(1'800'000'000 + (5 * 365 + 7) * 86400), d0, d1,
                           kMaxReportPeriod)
                   .ok());
  // to before from, or a malformed timestamp.
  EXPECT_THAT(CheckPeriod(Ts(1'800'000'000), Ts(1'700'000'000), d0, d1, kMaxReportPeriod)
                  .status()
                  .message(),
              HasSubstr("to: must be after from"));
  EXPECT_THAT(
      CheckPeriod(Ts(1'800'000'000, -1), std::nullopt, d0, d1, kMaxReportPeriod).status().message(),
      HasSubstr("from: not a valid timestamp"));
}

TEST(DayRangeTest, ParsedOrderedAndCapped) {
  auto r = CheckDayRange("from_day", "2027-01-01", "to_day", "2027-12-31");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->to - r->from, 364);
  EXPECT_THAT(CheckDayRange("from_day", "2027-01-01", "to_day", "2029-01-01").status().message(),
              HasSubstr("to_day: at most 366 days"));
  EXPECT_THAT(CheckDayRange("from_day", "2027-13-01", "to_day", "2027-12-31").status().message(),
              HasSubstr("from_day: required"));
  EXPECT_THAT(CheckDayRange("from_day", "2027-02-01", "to_day", "2027-01-01").status().message(),
              HasSubstr("to_day: before from_day"));
}

}  // namespace
}  // namespace kpr::validation
