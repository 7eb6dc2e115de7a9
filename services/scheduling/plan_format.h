#ifndef KPR_SERVICES_SCHEDULING_PLAN_FORMAT_H_
#define KPR_SERVICES_SCHEDULING_PLAN_FORMAT_H_

// Text for coordinators: weekdays, times, day ranges, lists. English, like the rest of the
// planner's messages.

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling::plan {

// "Monday" .. "Sunday" for 0..6.
absl::string_view WeekdayName(int dow);
// "09:30"
std::string ClockText(int minute);
// "09:00-13:00"
std::string SpanText(MinuteSpan span);
// "2026-03-04"
std::string DayText(absl::CivilDay day);
// The activity's name, or its id when the program does not have it or it has no name.
std::string ActivityName(const ProgramModel& program, absl::string_view activity_id);
// "a", "a and b", "a, b and c"
std::string JoinAnd(const std::vector<std::string>& items);
// Weekdays 0..6, ascending: "Tuesday", "Tuesday-Thursday", "Monday, Wednesday and Friday",
// "Monday, Tuesday and Thursday".
std::string WeekdaysText(const std::vector<int>& dows);
// The hours of `spans` on the given weekdays when they are the same on all of them
// ("09:00-13:00", "09:00-11:00 and 12:00-15:00"); empty when they differ or are empty.
std::string CommonHoursText(const WeeklySpans& spans, const std::vector<int>& dows);

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_FORMAT_H_
