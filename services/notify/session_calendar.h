#ifndef KPR_SERVICES_NOTIFY_SESSION_CALENDAR_H_
#define KPR_SERVICES_NOTIFY_SESSION_CALENDAR_H_

// The `kurser.ics` of an e-mail about sessions: one participant's cohort sessions as a VCALENDAR
// (libs/calendar/ics.h). SUMMARY is the program's name, LOCATION the venue, UID
// "<session_id>@kpr" — the UID scheduling's calendar export gives the same session, so an
// imported export and a mailed attachment update one calendar entry — SEQUENCE the session's
// version from scheduling's events, so a moved session replaces the old entry, and
// STATUS:CANCELLED for cancelled sessions. Names no participant. Pure.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::notify {

// A session as notify knows it from scheduling's events.
struct CalendarSession {
  std::string session_id;
  absl::Time start;
  absl::Time end;
  std::string venue;    // name, and address when known
  int64_t version = 0;  // bumped by scheduling on every change
  bool cancelled = false;
};

// Sessions ordered by start, then id; times in Copenhagen local time. INVALID_ARGUMENT for a
// session without an id or that does not end after it starts.
absl::StatusOr<std::string> CohortCalendarIcs(absl::string_view program_name,
                                              std::vector<CalendarSession> sessions,
                                              absl::Time dtstamp);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SESSION_CALENDAR_H_
