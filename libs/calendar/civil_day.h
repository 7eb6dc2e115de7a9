#ifndef KPR_LIBS_CALENDAR_CIVIL_DAY_H_
#define KPR_LIBS_CALENDAR_CIVIL_DAY_H_

// Days as kpr's contracts write them: "YYYY-MM-DD", a day in Denmark (no time, no zone). Pure.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace kpr::calendar {

// Exactly "YYYY-MM-DD" naming a real day (no 2027-02-30). INVALID_ARGUMENT otherwise, quoting at
// most 16 characters of the text.
absl::StatusOr<absl::CivilDay> ParseDay(absl::string_view text);

// "2027-01-18".
std::string FormatDay(absl::CivilDay day);

}  // namespace kpr::calendar

#endif  // KPR_LIBS_CALENDAR_CIVIL_DAY_H_
