#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/danish_time.h"
#include "libs/calendar/iso_week.h"
#include "libs/calendar/proto_time.h"

namespace kpr::calendar {
namespace {

using absl::CivilDay;

TEST(IsoWeek, EdgeCases) {
  EXPECT_EQ(IsoWeek(CivilDay(2020, 12, 31)), 53);
  EXPECT_EQ(IsoWeekYear(CivilDay(2020, 12, 31)), 2020);
  EXPECT_EQ(IsoWeek(CivilDay(2021, 1, 3)), 53);  // Sunday, still 2020's last week
  EXPECT_EQ(IsoWeekYear(CivilDay(2021, 1, 3)), 2020);
  EXPECT_EQ(IsoWeek(CivilDay(2021, 1, 4)), 1);
  EXPECT_EQ(IsoWeek(CivilDay(2026, 1, 1)), 1);    // Thursday
  EXPECT_EQ(IsoWeek(CivilDay(2025, 12, 29)), 1);  // Monday of 2026's week 1
  EXPECT_EQ(IsoWeekYear(CivilDay(2025, 12, 29)), 2026);
  EXPECT_EQ(IsoWeek(CivilDay(2027, 1, 1)), 53);  // Friday of 2026's week 53
  EXPECT_EQ(IsoWeekYear(CivilDay(2027, 1, 1)), 2026);
  EXPECT_EQ(IsoWeeksInYear(2020), 53);
  EXPECT_EQ(IsoWeeksInYear(2021), 52);
  EXPECT_EQ(IsoWeeksInYear(2026), 53);
  EXPECT_EQ(MondayOfIsoWeek(2020, 53), CivilDay(2020, 12, 28));
  EXPECT_EQ(MondayOfIsoWeek(2026, 1), CivilDay(2025, 12, 29));
  EXPECT_EQ(MondayOfIsoWeek(2026, 14), CivilDay(2026, 3, 30));
}

TEST(IsoWeek, RoundTripsEveryDay2015To2035) {
  for (CivilDay d(2015, 1, 1); d <= CivilDay(2035, 12, 31); ++d) {
    const int week = IsoWeek(d);
    const int year = IsoWeekYear(d);
    ASSERT_GE(week, 1) << d;
    ASSERT_LE(week, IsoWeeksInYear(year)) << d;
    const CivilDay monday = MondayOfIsoWeek(year, week);
    ASSERT_EQ(absl::GetWeekday(monday), absl::Weekday::monday) << d;
    ASSERT_LE(monday, d) << d;
    ASSERT_LT(d - monday, 7) << d;
    ASSERT_EQ(d - monday, DaysSinceMonday(d)) << d;
  }
}

TEST(IsoWeek, Labels) {
  EXPECT_EQ(IsoWeekLabel(CivilDay(2027, 1, 18)), "2027-W03");
  EXPECT_EQ(IsoWeekLabel(CivilDay(2027, 1, 1)), "2026-W53");
  auto w = ParseIsoWeekLabel("2027-W33");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->year, 2027);
  EXPECT_EQ(w->week, 33);
  EXPECT_TRUE(ParseIsoWeekLabel("2027-w3").ok());
  EXPECT_TRUE(ParseIsoWeekLabel("2027W03").ok());
  EXPECT_TRUE(ParseIsoWeekLabel("2026-W53").ok());
  for (const char* bad : {"2027-W53", "2027-W00", "2027-33", "27-W33", "2027-W333", "", "W33"}) {
    EXPECT_EQ(ParseIsoWeekLabel(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ParseIsoWeekLabel("2027-W53").status().message(),
            "\"2027-W53\" is not an ISO week like 2027-W33: 2027 has weeks 1-52");
}

TEST(CivilDays, ParseAndFormat) {
  auto d = ParseDay("2027-02-28");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, CivilDay(2027, 2, 28));
  EXPECT_EQ(FormatDay(*d), "2027-02-28");
  EXPECT_TRUE(ParseDay("2028-02-29").ok());
  for (const char* bad : {"2027-02-29", "2027-13-01", "2027-1-01", "27-01-01", "2027/01/01",
                          "0000-01-01", "2027-01-01T00", ""}) {
    EXPECT_FALSE(ParseDay(bad).ok()) << bad;
  }
}

TEST(DanishTime, SummerAndWinter) {
  ASSERT_TRUE(DanishTimeZoneLoaded().ok()) << "tzdata missing";
  // 10:00 in July is 08:00 UTC (CEST); 10:00 in January is 09:00 UTC (CET).
  EXPECT_EQ(LocalToAbsolute(absl::CivilMinute(2027, 7, 1, 10, 0)),
            absl::FromCivil(absl::CivilMinute(2027, 7, 1, 8, 0), absl::UTCTimeZone()));
  EXPECT_EQ(LocalToAbsolute(absl::CivilMinute(2027, 1, 4, 10, 0)),
            absl::FromCivil(absl::CivilMinute(2027, 1, 4, 9, 0), absl::UTCTimeZone()));
  const absl::Time t = absl::FromCivil(absl::CivilMinute(2027, 3, 28, 22, 30), absl::UTCTimeZone());
  EXPECT_EQ(AbsoluteToLocal(t), absl::CivilMinute(2027, 3, 29, 0, 30));
  EXPECT_EQ(LocalDay(t), CivilDay(2027, 3, 29));
  EXPECT_EQ(StartOfLocalDay(CivilDay(2027, 7, 1)),
            absl::FromCivil(absl::CivilMinute(2027, 6, 30, 22, 0), absl::UTCTimeZone()));
}

TEST(DanishTime, DatesPeopleTypeAreDanishMidnight) {
  auto t = ParseLocalDate("2027-01-01", "from");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, absl::FromCivil(absl::CivilMinute(2026, 12, 31, 23, 0), absl::UTCTimeZone()));
  auto bad = ParseLocalDate("1/1/2027", "from");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "from: \"1/1/2027\" is not a day YYYY-MM-DD");
}

TEST(ProtoTime, RoundTripsToTheNanosecondAlsoBeforeTheEpoch) {
  const absl::Time t = absl::FromUnixNanos(1'800'000'000'123'456'789);
  google::protobuf::Timestamp ts = ToTimestamp(t);
  EXPECT_EQ(ts.seconds(), 1'800'000'000);
  EXPECT_EQ(ts.nanos(), 123'456'789);
  EXPECT_EQ(FromTimestamp(ts), t);
  const absl::Time before = absl::FromUnixMillis(-1500);
  ts = ToTimestamp(before);
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500'000'000);
  EXPECT_EQ(FromTimestamp(ts), before);
  EXPECT_FALSE(IsSet(google::protobuf::Timestamp()));
  EXPECT_TRUE(IsSet(ts));
}

}  // namespace
}  // namespace kpr::calendar
