#include "services/notify/session_calendar.h"

#include <algorithm>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/calendar/danish_time.h"
#include "libs/calendar/ics.h"

namespace kpr::notify {

absl::StatusOr<std::string> CohortCalendarIcs(absl::string_view program_name,
                                              std::vector<CalendarSession> sessions,
                                              absl::Time dtstamp) {
  std::sort(sessions.begin(), sessions.end(), [](const auto& a, const auto& b) {
    return std::tie(a.start, a.session_id) < std::tie(b.start, b.session_id);
  });
  calendar::IcsCalendar ics;
  ics.prodid = "-//kpr//notify//EN";
  ics.name = std::string(program_name);
  for (const CalendarSession& s : sessions) {
    if (s.session_id.empty()) return absl::InvalidArgumentError("a session has no id");
    ics.events.push_back(calendar::IcsEvent{
        .uid = absl::StrCat(s.session_id, "@kpr"),
        .start = calendar::AbsoluteToLocal(s.start),
        .end = calendar::AbsoluteToLocal(s.end),
        .summary = std::string(program_name),
        .location = s.venue,
        .sequence = s.version,
        .cancelled = s.cancelled,
    });
  }
  return calendar::WriteIcs(ics, dtstamp);
}

}  // namespace kpr::notify
