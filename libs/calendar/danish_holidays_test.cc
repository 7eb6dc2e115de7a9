#include "libs/calendar/danish_holidays.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::calendar {
namespace {

using absl::CivilDay;

// An independent computus (Knuth, TAOCP vol. 1, 1.3.2 exercise 14, after Lilius and Clavius) to
// cross-check the anonymous Gregorian algorithm in the library.
CivilDay KnuthEaster(int year) {
  const int golden = year % 19 + 1;
  const int century = year / 100 + 1;
  const int x = 3 * century / 4 - 12;        // dropped leap years
  const int z = (8 * century + 5) / 25 - 5;  // moon's orbit correction
  const int d = 5 * year / 4 - x - 10;       // March ((-d) mod 7) is a Sunday
  int epact = (11 * golden + 20 + z - x) % 30;
  if (epact < 0) epact += 30;
  if ((epact == 25 && golden > 11) || epact == 24) ++epact;
  int n = 44 - epact;  // full moon: March n
  if (n < 21) n += 30;
  n = n + 7 - (d + n) % 7;  // the Sunday after
  return n > 31 ? CivilDay(year, 4, n - 31) : CivilDay(year, 3, n);
}

TEST(EasterSundayTest, OfficialDates2019To2030) {
  // Cross-checked with python-dateutil's easter() on this machine.
  const std::vector<std::pair<int, CivilDay>> expected = {
      {2019, CivilDay(2019, 4, 21)}, {2020, CivilDay(2020, 4, 12)}, {2021, CivilDay(2021, 4, 4)},
      {2022, CivilDay(2022, 4, 17)}, {2023, CivilDay(2023, 4, 9)},  {2024, CivilDay(2024, 3, 31)},
      {2025, CivilDay(2025, 4, 20)}, {2026, CivilDay(2026, 4, 5)},  {2027, CivilDay(2027, 3, 28)},
      {2028, CivilDay(2028, 4, 16)}, {2029, CivilDay(2029, 4, 1)},  {2030, CivilDay(2030, 4, 21)},
  };
  for (const auto& [year, day] : expected) EXPECT_EQ(EasterSunday(year), day) << year;
}

TEST(EasterSundayTest, ExtremesAndFarYears) {
  EXPECT_EQ(EasterSunday(1818), CivilDay(1818, 3, 22));  // earliest possible
  EXPECT_EQ(EasterSunday(2285), CivilDay(2285, 3, 22));  // earliest possible
  EXPECT_EQ(EasterSunday(1943), CivilDay(1943, 4, 25));  // latest possible
  EXPECT_EQ(EasterSunday(2038), CivilDay(2038, 4, 25));  // latest possible
  EXPECT_EQ(EasterSunday(2000), CivilDay(2000, 4, 23));
  EXPECT_EQ(EasterSunday(2100), CivilDay(2100, 3, 28));
}

TEST(EasterSundayTest, AgreesWithKnuthAndIsASundayInRange) {
  for (int year = 1583; year <= 5000; ++year) {
    const CivilDay easter = EasterSunday(year);
    ASSERT_EQ(easter, KnuthEaster(year)) << year;
    ASSERT_EQ(absl::GetWeekday(easter), absl::Weekday::sunday) << year;
    ASSERT_GE(easter, CivilDay(year, 3, 22)) << year;
    ASSERT_LE(easter, CivilDay(year, 4, 25)) << year;
  }
}

struct Expected {
  CivilDay day;
  Holiday holiday;
  std::string name;
  bool official;
};

void ExpectHolidays(int year, const std::vector<Expected>& expected) {
  const std::vector<PublicHoliday> got = DanishPublicHolidays(year);
  ASSERT_EQ(got.size(), expected.size()) << year;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].day, expected[i].day) << year << " #" << i;
    EXPECT_EQ(got[i].holiday, expected[i].holiday) << year << " #" << i;
    EXPECT_EQ(std::string(got[i].danish_name), expected[i].name) << year << " #" << i;
    EXPECT_EQ(got[i].official, expected[i].official) << year << " #" << i;
  }
}

TEST(DanishPublicHolidaysTest, Full2023WithStoreBededag) {
  ExpectHolidays(2023,
                 {
                     {CivilDay(2023, 1, 1), Holiday::kNewYearsDay, "Nytårsdag", true},
                     {CivilDay(2023, 4, 6), Holiday::kMaundyThursday, "Skærtorsdag", true},
                     {CivilDay(2023, 4, 7), Holiday::kGoodFriday, "Langfredag", true},
                     {CivilDay(2023, 4, 9), Holiday::kEasterSunday, "Påskedag", true},
                     {CivilDay(2023, 4, 10), Holiday::kEasterMonday, "2. påskedag", true},
                     {CivilDay(2023, 5, 5), Holiday::kGreatPrayerDay, "Store bededag", true},
                     {CivilDay(2023, 5, 18), Holiday::kAscensionDay, "Kristi himmelfartsdag", true},
                     {CivilDay(2023, 5, 28), Holiday::kWhitSunday, "Pinsedag", true},
                     {CivilDay(2023, 5, 29), Holiday::kWhitMonday, "2. pinsedag", true},
                     {CivilDay(2023, 6, 5), Holiday::kConstitutionDay, "Grundlovsdag", false},
                     {CivilDay(2023, 12, 24), Holiday::kChristmasEve, "Juleaftensdag", false},
                     {CivilDay(2023, 12, 25), Holiday::kChristmasDay, "Juledag", true},
                     {CivilDay(2023, 12, 26), Holiday::kBoxingDay, "2. juledag", true},
                     {CivilDay(2023, 12, 31), Holiday::kNewYearsEve, "Nytårsaftensdag", false},
                 });
}

TEST(DanishPublicHolidaysTest, Full2024WithoutStoreBededag) {
  ExpectHolidays(2024,
                 {
                     {CivilDay(2024, 1, 1), Holiday::kNewYearsDay, "Nytårsdag", true},
                     {CivilDay(2024, 3, 28), Holiday::kMaundyThursday, "Skærtorsdag", true},
                     {CivilDay(2024, 3, 29), Holiday::kGoodFriday, "Langfredag", true},
                     {CivilDay(2024, 3, 31), Holiday::kEasterSunday, "Påskedag", true},
                     {CivilDay(2024, 4, 1), Holiday::kEasterMonday, "2. påskedag", true},
                     {CivilDay(2024, 5, 9), Holiday::kAscensionDay, "Kristi himmelfartsdag", true},
                     {CivilDay(2024, 5, 19), Holiday::kWhitSunday, "Pinsedag", true},
                     {CivilDay(2024, 5, 20), Holiday::kWhitMonday, "2. pinsedag", true},
                     {CivilDay(2024, 6, 5), Holiday::kConstitutionDay, "Grundlovsdag", false},
                     {CivilDay(2024, 12, 24), Holiday::kChristmasEve, "Juleaftensdag", false},
                     {CivilDay(2024, 12, 25), Holiday::kChristmasDay, "Juledag", true},
                     {CivilDay(2024, 12, 26), Holiday::kBoxingDay, "2. juledag", true},
                     {CivilDay(2024, 12, 31), Holiday::kNewYearsEve, "Nytårsaftensdag", false},
                 });
}

const PublicHoliday* Find(const std::vector<PublicHoliday>& list, Holiday h) {
  for (const PublicHoliday& p : list) {
    if (p.holiday == h) return &p;
  }
  return nullptr;
}

TEST(DanishPublicHolidaysTest, EasterOffsetsWeekdaysAndOrder2019To2030) {
  for (int year = 2019; year <= 2030; ++year) {
    SCOPED_TRACE(year);
    const std::vector<PublicHoliday> list = DanishPublicHolidays(year);
    const CivilDay easter = EasterSunday(year);
    const std::vector<std::pair<Holiday, int>> offsets = {
        {Holiday::kMaundyThursday, -3}, {Holiday::kGoodFriday, -2},   {Holiday::kEasterSunday, 0},
        {Holiday::kEasterMonday, 1},    {Holiday::kAscensionDay, 39}, {Holiday::kWhitSunday, 49},
        {Holiday::kWhitMonday, 50},
    };
    for (const auto& [h, offset] : offsets) {
      const PublicHoliday* p = Find(list, h);
      ASSERT_NE(p, nullptr);
      EXPECT_EQ(p->day - easter, offset);
      EXPECT_TRUE(p->official);
    }
    EXPECT_EQ(absl::GetWeekday(Find(list, Holiday::kAscensionDay)->day), absl::Weekday::thursday);
    EXPECT_EQ(absl::GetWeekday(Find(list, Holiday::kWhitSunday)->day), absl::Weekday::sunday);
    EXPECT_EQ(absl::GetWeekday(Find(list, Holiday::kGoodFriday)->day), absl::Weekday::friday);

    const PublicHoliday* bededag = Find(list, Holiday::kGreatPrayerDay);
    if (year <= 2023) {
      ASSERT_NE(bededag, nullptr);
      EXPECT_EQ(bededag->day - easter, 26);
      EXPECT_EQ(absl::GetWeekday(bededag->day), absl::Weekday::friday);
      EXPECT_EQ(list.size(), 14u);
    } else {
      EXPECT_EQ(bededag, nullptr);
      EXPECT_EQ(list.size(), 13u);
    }
    for (size_t i = 1; i < list.size(); ++i) {
      EXPECT_LE(list[i - 1].day, list[i].day);
      EXPECT_EQ(list[i].day.year(), year);
    }
  }
}

TEST(DanishPublicHolidaysTest, WhitMondayOnConstitutionDay2028ListsBoth) {
  // Easter 2028-04-16, so 2. pinsedag is 5 June, Grundlovsdag.
  const std::vector<PublicHoliday> list = DanishPublicHolidays(2028);
  const PublicHoliday* whit = Find(list, Holiday::kWhitMonday);
  const PublicHoliday* grundlov = Find(list, Holiday::kConstitutionDay);
  ASSERT_NE(whit, nullptr);
  ASSERT_NE(grundlov, nullptr);
  EXPECT_EQ(whit->day, CivilDay(2028, 6, 5));
  EXPECT_EQ(grundlov->day, CivilDay(2028, 6, 5));
  EXPECT_LT(whit, grundlov);  // ties ordered by Holiday

  // The official holiday wins, and it is a holiday even without customary days.
  std::optional<PublicHoliday> on = DanishPublicHolidayOn(CivilDay(2028, 6, 5));
  ASSERT_TRUE(on.has_value());
  EXPECT_EQ(on->holiday, Holiday::kWhitMonday);
  EXPECT_TRUE(IsDanishPublicHoliday(CivilDay(2028, 6, 5), /*include_customary=*/false));
}

TEST(IsDanishPublicHolidayTest, CustomaryDaysAndStoreBededag) {
  EXPECT_TRUE(IsDanishPublicHoliday(CivilDay(2026, 6, 5)));
  EXPECT_FALSE(IsDanishPublicHoliday(CivilDay(2026, 6, 5), /*include_customary=*/false));
  EXPECT_TRUE(IsDanishPublicHoliday(CivilDay(2026, 12, 24)));
  EXPECT_FALSE(IsDanishPublicHoliday(CivilDay(2026, 12, 24), /*include_customary=*/false));
  EXPECT_TRUE(IsDanishPublicHoliday(CivilDay(2026, 12, 31)));
  EXPECT_FALSE(IsDanishPublicHoliday(CivilDay(2026, 12, 31), /*include_customary=*/false));
  EXPECT_TRUE(IsDanishPublicHoliday(CivilDay(2026, 12, 25), /*include_customary=*/false));

  EXPECT_TRUE(IsDanishPublicHoliday(CivilDay(2023, 5, 5), /*include_customary=*/false));
  EXPECT_FALSE(IsDanishPublicHoliday(CivilDay(2024, 4, 26)));  // would have been Store bededag
  EXPECT_FALSE(IsDanishPublicHoliday(CivilDay(2026, 5, 1)));   // 1 May is not a public holiday
  EXPECT_FALSE(IsDanishPublicHoliday(CivilDay(2026, 4, 7)));   // ordinary Tuesday

  std::optional<PublicHoliday> langfredag = DanishPublicHolidayOn(CivilDay(2026, 4, 3));
  ASSERT_TRUE(langfredag.has_value());
  EXPECT_EQ(langfredag->holiday, Holiday::kGoodFriday);
  EXPECT_EQ(std::string(langfredag->danish_name), "Langfredag");
  EXPECT_EQ(DanishName(Holiday::kEasterMonday), "2. påskedag");
  EXPECT_FALSE(IsOfficial(Holiday::kNewYearsEve));
}

TEST(IsDanishPublicHolidayTest, AgreesWithYearListEveryDay2019To2030) {
  for (int year = 2019; year <= 2030; ++year) {
    std::set<CivilDay> all;
    std::set<CivilDay> official;
    for (const PublicHoliday& p : DanishPublicHolidays(year)) {
      all.insert(p.day);
      if (p.official) official.insert(p.day);
    }
    for (CivilDay d(year, 1, 1); d.year() == year; ++d) {
      ASSERT_EQ(IsDanishPublicHoliday(d), all.count(d) == 1) << d;
      ASSERT_EQ(IsDanishPublicHoliday(d, false), official.count(d) == 1) << d;
    }
  }
}

}  // namespace
}  // namespace kpr::calendar
