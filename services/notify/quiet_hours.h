#ifndef KPR_SERVICES_NOTIFY_QUIET_HOURS_H_
#define KPR_SERVICES_NOTIFY_QUIET_HOURS_H_

// Quiet hours: no SMS at night (default 21:00-08:00 Copenhagen time). An SMS that falls due
// inside the window waits for its end; e-mail is not held back (callers pass Off() for it). The
// window is in local time, so it moves with summer time: on the last Sunday of March the night
// is an hour shorter in absolute time, on the last Sunday of October an hour longer.
//
// And the reminder rule: a reminder that quiet hours would push to or past its session's start
// is dropped, not sent late. Pure; the time zone comes from libs/calendar.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::notify {

class QuietHours {
 public:
  // "HH:MM-HH:MM" (a window that wraps midnight when the start is later than the end) or "off"
  // (any case). INVALID_ARGUMENT naming `field` otherwise, or when start equals end.
  static absl::StatusOr<QuietHours> Parse(absl::string_view text,
                                          absl::string_view field = "quiet_hours");
  static QuietHours Default();  // 21:00-08:00
  static QuietHours Off();

  bool enabled() const { return enabled_; }
  // Whether `t` falls inside the window, by Danish local time.
  bool Contains(absl::Time t) const;
  // When an SMS due at `due` may go: `due` outside the window, else the window's end (the first
  // instant whose local time is at or after it: in the spring gap, the end of the gap).
  absl::Time NextAllowed(absl::Time due) const;
  // "21:00-08:00" or "off", as Parse accepts it.
  std::string ToString() const;

 private:
  QuietHours(bool enabled, int start_minute, int end_minute)
      : enabled_(enabled), start_minute_(start_minute), end_minute_(end_minute) {}

  bool enabled_;
  int start_minute_;  // minutes after local midnight
  int end_minute_;
};

// When a reminder due at `due` for a session starting at `session_start` goes, or nullopt when
// it is dropped: quiet hours would move it to or past the start (or it is due after the start).
std::optional<absl::Time> ReminderSendTime(absl::Time due, absl::Time session_start,
                                           const QuietHours& quiet_hours);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_QUIET_HOURS_H_
