#ifndef KPR_LIBS_CALENDAR_ISO_WEEK_H_
#define KPR_LIBS_CALENDAR_ISO_WEEK_H_

// ISO 8601 weeks, as Danish staff count them ("uge 33"): weeks start on Monday and week 1 is the
// week holding the year's first Thursday, so 2021-01-03 is week 53 of 2020. Programs are planned
// in weeks and labelled "2027-W33". Pure.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace kpr::calendar {

// ISO week number (1..53) and week-based year of a day.
int IsoWeek(absl::CivilDay day);
int IsoWeekYear(absl::CivilDay day);

// Number of ISO weeks in `iso_year`: 52 or 53.
int IsoWeeksInYear(int iso_year);

// The Monday of week `week` of `iso_year`. Out-of-range weeks count on from week 1 (week 0 is the
// previous year's last week).
absl::CivilDay MondayOfIsoWeek(int iso_year, int week);

// Days since the Monday of the day's week: Monday 0 .. Sunday 6.
int DaysSinceMonday(absl::CivilDay day);

// "2027-W03": the week-based year and two-digit week of `day`.
std::string IsoWeekLabel(absl::CivilDay day);

struct YearWeek {
  int year = 0;
  int week = 0;
};
// Parses "2027-W03" (also "2027-w3" and "2027W03"): a four-digit year and a week that exists in
// it. INVALID_ARGUMENT otherwise, quoting at most 16 characters of the text.
absl::StatusOr<YearWeek> ParseIsoWeekLabel(absl::string_view text);

}  // namespace kpr::calendar

#endif  // KPR_LIBS_CALENDAR_ISO_WEEK_H_
