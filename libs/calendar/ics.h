#ifndef KPR_LIBS_CALENDAR_ICS_H_
#define KPR_LIBS_CALENDAR_ICS_H_

// The one iCalendar (RFC 5545) writer of kpr: scheduling's calendar export (kprctl ics) and the
// `kurser.ics` notify attaches to e-mails about sessions. A VCALENDAR with METHOD:PUBLISH and
// one VEVENT per event, local times in Europe/Copenhagen (a VTIMEZONE with the CET/CEST rules is
// included), a stable UID per event and a SEQUENCE the caller bumps when an event moves, so
// calendar clients update it in place; STATUS:CANCELLED for cancelled events. CRLF line ends,
// TEXT values escaped, lines folded at 75 octets without splitting a UTF-8 character. Knows
// nothing of sessions or participants: callers map their own records to IcsEvent. Pure: no I/O,
// no clock.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace kpr::calendar {

struct IcsEvent {
  std::string uid;          // stable per event ("<session id>@kpr"); required
  absl::CivilMinute start;  // Copenhagen local time
  absl::CivilMinute end;    // after start
  std::string summary;
  std::string location;     // omitted when empty
  std::string description;  // omitted when empty
  int64_t sequence = 0;     // bumped on every change that matters to a calendar (a move)
  bool cancelled = false;   // STATUS:CANCELLED, else STATUS:CONFIRMED
};

struct IcsCalendar {
  std::string prodid = "-//kpr//kpr//EN";
  std::string name;  // X-WR-CALNAME; omitted when empty
  // Written in this order: the caller decides it (by start, say).
  std::vector<IcsEvent> events;
};

// The whole VCALENDAR. `dtstamp` (when it was made) is every VEVENT's DTSTAMP, in UTC.
// INVALID_ARGUMENT (naming the event's uid) for an event without a uid or whose end is not after
// its start.
absl::StatusOr<std::string> WriteIcs(const IcsCalendar& calendar, absl::Time dtstamp);

// RFC 5545 TEXT escaping: backslash, semicolon and comma are backslash-escaped, a newline
// (LF, CRLF or CR) becomes "\n"; other control characters but HTAB are dropped.
std::string EscapeIcsText(absl::string_view text);

// One content line (no line end in `line`) folded into lines of at most 75 octets, each ended
// by CRLF; continuation lines start with a space. Never splits a UTF-8 sequence.
std::string FoldIcsLine(absl::string_view line);

// The content lines of an iCalendar text: CRLF-separated, folded lines joined again.
std::vector<std::string> UnfoldIcs(absl::string_view ics);

}  // namespace kpr::calendar

#endif  // KPR_LIBS_CALENDAR_ICS_H_
