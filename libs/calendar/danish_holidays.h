#ifndef KPR_LIBS_CALENDAR_DANISH_HOLIDAYS_H_
#define KPR_LIBS_CALENDAR_DANISH_HOLIDAYS_H_

// Danish public holidays (helligdage) for any year, computed rather than configured so the planner
// never runs out of calendar. Pure: no I/O, no clock.

#include <optional>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace kpr::calendar {

enum class Holiday {
  kNewYearsDay,
  kMaundyThursday,
  kGoodFriday,
  kEasterSunday,
  kEasterMonday,
  kGreatPrayerDay,
  kAscensionDay,
  kWhitSunday,
  kWhitMonday,
  kConstitutionDay,
  kChristmasEve,
  kChristmasDay,
  kBoxingDay,
  kNewYearsEve,
};

struct PublicHoliday {
  absl::CivilDay day;
  Holiday holiday;
  // Static UTF-8 text, e.g. "Langfredag"; valid for the life of the program.
  absl::string_view danish_name;
  // True for the legal public holidays. False for the customary closing days (Grundlovsdag,
  // Juleaftensdag, Nytårsaftensdag): not holidays by law, but most institutions close.
  bool official;
};

// Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm). Meaningful for
// years >= 1583.
absl::CivilDay EasterSunday(int year);

// Danish name of a holiday, e.g. "2. påskedag".
absl::string_view DanishName(Holiday holiday);

// Whether the day is a legal public holiday (false for the customary closing days).
bool IsOfficial(Holiday holiday);

// All official and customary holidays of `year`, sorted by day (ties by Holiday order: Pinsedag
// or 2. pinsedag can fall on Grundlovsdag, 5 June, and then both are listed). Store bededag is
// included only for years <= 2023: it was abolished as a public holiday from 2024.
std::vector<PublicHoliday> DanishPublicHolidays(int year);

// The holiday on `day`, if any; without allocating, for the planner's hot path. When an official
// holiday and a customary day coincide, the official one is returned.
std::optional<PublicHoliday> DanishPublicHolidayOn(absl::CivilDay day,
                                                   bool include_customary = true);

bool IsDanishPublicHoliday(absl::CivilDay day, bool include_customary = true);

}  // namespace kpr::calendar

#endif  // KPR_LIBS_CALENDAR_DANISH_HOLIDAYS_H_
