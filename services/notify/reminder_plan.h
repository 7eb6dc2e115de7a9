#ifndef KPR_SERVICES_NOTIFY_REMINDER_PLAN_H_
#define KPR_SERVICES_NOTIFY_REMINDER_PLAN_H_

// Session reminders as durable timers (libs/timer): which to schedule, move and remove when a
// session is planned, moved or cancelled, or a participant joins or leaves. A timer's id is
// stable for (session, referral, offset), so moving a session replaces its timers instead of
// adding new ones, and cancelling removes exactly them. Quiet hours are applied when a reminder
// fires (the channel is known only then); here a reminder whose time has already passed is not
// planned. Pure.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/records.pb.h"
#include "libs/timer/timer_store.h"

namespace kpr::notify {

// A session as notify knows it from scheduling's events.
struct SessionSlot {
  std::string municipality;
  std::string cohort_id;
  std::string session_id;
  absl::Time start;
};

// "rem:<session>:<referral>:<offset minutes>"
std::string ReminderTimerId(absl::string_view session_id, absl::string_view referral_id,
                            absl::Duration offset);

// What to change in the timers.
struct ReminderChanges {
  std::vector<timer::Timer> schedule;  // create or replace (same id: moved)
  std::vector<std::string> cancel;     // timer ids to remove
};

// A session planned or moved (`slot` with its new start), for the participants enrolled in its
// cohort: each (participant, offset) whose reminder time start - offset is still ahead of `now`
// is scheduled (replacing any timer for the old start); one already past is cancelled, so a
// session moved closer does not keep a reminder for its old time.
ReminderChanges RemindersForSession(const SessionSlot& slot,
                                    const std::vector<std::string>& referral_ids,
                                    const std::vector<absl::Duration>& offsets, absl::Time now);

// A session cancelled, or participants who left: every reminder of theirs for these sessions.
ReminderChanges CancelReminders(const std::vector<std::string>& session_ids,
                                const std::vector<std::string>& referral_ids,
                                const std::vector<absl::Duration>& offsets);

// A timer's payload, and back. INVALID_ARGUMENT for a payload that is not one.
std::string ReminderPayload(const SessionSlot& slot, absl::string_view referral_id,
                            absl::Duration offset);
absl::StatusOr<v1::ReminderTimer> ParseReminderPayload(absl::string_view payload);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_REMINDER_PLAN_H_
