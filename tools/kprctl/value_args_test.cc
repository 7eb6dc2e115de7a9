#include "tools/kprctl/value_args.h"

#include <string>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/kprctl/new_york_test_zone.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;

std::string Error(const absl::Status& s) { return std::string(s.message()); }

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

TEST(ForFlag, PutsTheFlagInFrontOfTheError) {
  EXPECT_EQ(*ForFlag("n", absl::StatusOr<int>(3)), 3);
  auto bad = ForFlag("from", absl::StatusOr<int>(absl::InvalidArgumentError("not a day")));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Error(bad.status()), "--from: not a day");
}

TEST(ParseClockTime, AcceptsHoursAndMinutes) {
  EXPECT_EQ(*ParseClockTime("09:30", "start"), 570);
  EXPECT_EQ(*ParseClockTime("9:30", "start"), 570);
  EXPECT_EQ(*ParseClockTime("00:00", "start"), 0);
  EXPECT_EQ(*ParseClockTime("23:59", "start"), 23 * 60 + 59);
}

TEST(ParseClockTime, RejectsAnythingElse) {
  for (const char* bad : {"24:00", "12:60", "930", "9.30", "09:3", "09:300", "-1:00", "", "ab:cd",
                          "009:30", "09:30 "}) {
    auto t = ParseClockTime(bad, "start");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_THAT(Error(t.status()), HasSubstr("--start: expected a time HH:MM")) << bad;
  }
}

TEST(ParseInteger, WholeNumbersInRange) {
  EXPECT_EQ(*ParseInteger("15", "capacity", 1, 1000), 15);
  for (const char* bad : {"0", "1001", "1.5", "+3", " 3", "x", ""}) {
    auto n = ParseInteger(bad, "capacity", 1, 1000);
    ASSERT_FALSE(n.ok()) << bad;
    EXPECT_THAT(Error(n.status()), HasSubstr("--capacity: expected a whole number from 1 to 1000"));
  }
}

// A day or time typed on a machine in New York is still a Danish one.
TEST(ParseInstant, DaysAndTimesAreDanishWhateverTheMachinesZone) {
  ASSERT_TRUE(MachineInNewYork());
  // Winter (CET, UTC+1): Danish midnight is 23:00 UTC the day before.
  EXPECT_EQ(*ParseInstant("2027-01-01", "from"), Utc(2026, 12, 31, 23, 0));
  EXPECT_EQ(*ParseInstant("2027-01-04 08:00", "opens-at"), Utc(2027, 1, 4, 7, 0));
  EXPECT_EQ(*ParseInstant("2027-01-04T08:00", "opens-at"), Utc(2027, 1, 4, 7, 0));
  // Summer (CEST, UTC+2).
  EXPECT_EQ(*ParseInstant("2027-07-01", "from"), Utc(2027, 6, 30, 22, 0));
  EXPECT_EQ(*ParseInstant("2027-07-01 09:30", "opens-at"), Utc(2027, 7, 1, 7, 30));
  // An offset says which zone is meant.
  EXPECT_EQ(*ParseInstant("2027-01-04T08:00:00Z", "opens-at"), Utc(2027, 1, 4, 8, 0));
  EXPECT_EQ(*ParseInstant("2027-01-04T08:00:00-05:00", "opens-at"), Utc(2027, 1, 4, 13, 0));
}

TEST(ParseInstant, RejectsAnythingElseNamingTheFlag) {
  for (const char* bad : {"tomorrow", "2027-02-30", "2027-02-30T08:00:00Z", "2027-01-04 8:00",
                          "2027-01-04 25:00", "2027-01-04T08:00:00", "2027-1-4", ""}) {
    auto t = ParseInstant(bad, "opens-at");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_THAT(Error(t.status()), HasSubstr("--opens-at: expected YYYY-MM-DD")) << bad;
  }
}

TEST(ToTimestamp, SecondsAndNanosAlsoBefore1970) {
  auto ts = ToTimestamp(absl::FromUnixMillis(1799020800123));
  EXPECT_EQ(ts.seconds(), 1799020800);
  EXPECT_EQ(ts.nanos(), 123000000);
  auto before = ToTimestamp(absl::FromUnixMillis(-1));
  EXPECT_EQ(before.seconds(), -1);
  EXPECT_EQ(before.nanos(), 999000000);
}

}  // namespace
}  // namespace kpr::kprctl
