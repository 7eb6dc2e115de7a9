#include "libs/calendar/danish_holidays.h"

#include <algorithm>
#include <iterator>

namespace kpr::calendar {
namespace {

// Last year Store bededag was a public holiday (abolished by law in 2023, from 2024).
constexpr int kLastGreatPrayerDayYear = 2023;

// One row per Holiday, in enum order. Either a fixed date (month, day_of_month) or an offset in
// days from Easter Sunday (month == 0).
struct Rule {
  Holiday holiday;
  absl::string_view danish_name;
  bool official;
  int month;
  int day_of_month;
  int easter_offset;
};

constexpr Rule kRules[] = {
    {Holiday::kNewYearsDay, "Nytårsdag", true, 1, 1, 0},
    {Holiday::kMaundyThursday, "Skærtorsdag", true, 0, 0, -3},
    {Holiday::kGoodFriday, "Langfredag", true, 0, 0, -2},
    {Holiday::kEasterSunday, "Påskedag", true, 0, 0, 0},
    {Holiday::kEasterMonday, "2. påskedag", true, 0, 0, 1},
    {Holiday::kGreatPrayerDay, "Store bededag", true, 0, 0, 26},
    {Holiday::kAscensionDay, "Kristi himmelfartsdag", true, 0, 0, 39},
    {Holiday::kWhitSunday, "Pinsedag", true, 0, 0, 49},
    {Holiday::kWhitMonday, "2. pinsedag", true, 0, 0, 50},
    {Holiday::kConstitutionDay, "Grundlovsdag", false, 6, 5, 0},
    {Holiday::kChristmasEve, "Juleaftensdag", false, 12, 24, 0},
    {Holiday::kChristmasDay, "Juledag", true, 12, 25, 0},
    {Holiday::kBoxingDay, "2. juledag", true, 12, 26, 0},
    {Holiday::kNewYearsEve, "Nytårsaftensdag", false, 12, 31, 0},
};

const Rule& RuleFor(Holiday holiday) { return kRules[static_cast<int>(holiday)]; }

bool AppliesIn(const Rule& rule, int year) {
  return rule.holiday != Holiday::kGreatPrayerDay || year <= kLastGreatPrayerDayYear;
}

absl::CivilDay DayOf(const Rule& rule, int year, absl::CivilDay easter) {
  if (rule.month == 0) return easter + rule.easter_offset;
  return absl::CivilDay(year, rule.month, rule.day_of_month);
}

PublicHoliday Make(const Rule& rule, absl::CivilDay day) {
  return PublicHoliday{day, rule.holiday, rule.danish_name, rule.official};
}

}  // namespace

absl::CivilDay EasterSunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return absl::CivilDay(year, month, day);
}

absl::string_view DanishName(Holiday holiday) { return RuleFor(holiday).danish_name; }

bool IsOfficial(Holiday holiday) { return RuleFor(holiday).official; }

std::vector<PublicHoliday> DanishPublicHolidays(int year) {
  const absl::CivilDay easter = EasterSunday(year);
  std::vector<PublicHoliday> out;
  out.reserve(std::size(kRules));
  for (const Rule& rule : kRules) {
    if (AppliesIn(rule, year)) out.push_back(Make(rule, DayOf(rule, year, easter)));
  }
  // Rules are in Holiday order, so a stable sort breaks ties by Holiday.
  std::stable_sort(out.begin(), out.end(),
                   [](const PublicHoliday& x, const PublicHoliday& y) { return x.day < y.day; });
  return out;
}

std::optional<PublicHoliday> DanishPublicHolidayOn(absl::CivilDay day, bool include_customary) {
  const int year = static_cast<int>(day.year());
  const absl::CivilDay easter = EasterSunday(year);
  std::optional<PublicHoliday> customary;
  for (const Rule& rule : kRules) {
    if (!AppliesIn(rule, year) || DayOf(rule, year, easter) != day) continue;
    if (rule.official) return Make(rule, day);
    if (include_customary && !customary) customary = Make(rule, day);
  }
  return customary;
}

bool IsDanishPublicHoliday(absl::CivilDay day, bool include_customary) {
  return DanishPublicHolidayOn(day, include_customary).has_value();
}

}  // namespace kpr::calendar
