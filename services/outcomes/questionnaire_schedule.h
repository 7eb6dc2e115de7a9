#ifndef KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_SCHEDULE_H_
#define KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_SCHEDULE_H_

// When the questionnaires are asked (OUTCOMES.md "Time points"): BASELINE opens at the first
// session's start, END at the last session's start, FOLLOWUP_1M / FOLLOWUP_12M at 00:00 local
// on the last session's day + 1 / 12 calendar months. Each falls OVERDUE `grace` after it opens
// and CLOSES `window` (follow-ups: `followup_window`) after it opens. Pure; no I/O (the time
// zone database is read once, by calendar::DanishTimeZone()).

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kpr/outcomes/v1/outcomes.pb.h"
#include "kpr/outcomes/v1/records.pb.h"
#include "libs/calendar/danish_time.h"

namespace kpr::outcomes {

struct ScheduleOptions {
  absl::Duration grace = absl::Hours(24 * 7);
  absl::Duration window = absl::Hours(24 * 28);
  absl::Duration followup_window = absl::Hours(24 * 42);
  absl::TimeZone tz = calendar::DanishTimeZone();  // sessions' days and minutes are local
};

ScheduleOptions DefaultScheduleOptions();

// What is asked at the time point (empty for TIME_POINT_UNSPECIFIED).
std::vector<v1::Instrument> InstrumentsAt(v1::TimePoint tp);

// When `tp` opens for the cohort, from its sessions that are not cancelled (by index); nullopt
// if there are none (or their day is not "YYYY-MM-DD") or tp is unspecified. Follow-ups clamp
// the day of month: last day Jan 31 + 1 month = Feb 28 (29 in leap years).
std::optional<absl::Time> TimePointOpens(const v1::CohortRecord& cohort, v1::TimePoint tp,
                                         const ScheduleOptions& o);

// A fresh entry: state SCHEDULED, opens_at / overdue_at (+grace) / closes_at (+window for
// BASELINE and END, +followup_window for the follow-ups), instruments = InstrumentsAt(tp).
v1::TimePointSchedule MakeTimePoint(const std::string& referral_id, const std::string& cohort_id,
                                    v1::TimePoint tp, absl::Time opens_at,
                                    const ScheduleOptions& o);

// The entry's state at `now`: SCHEDULED before opens_at; CLOSED at/after closes_at; otherwise
// ANSWERED if every instrument asked is in answered(), OVERDUE at/after overdue_at, else DUE.
v1::TimePointState StateAt(const v1::TimePointSchedule& s, absl::Time now);

// OK if an answer to `instrument` is accepted at `now` (also when already answered: it
// replaces the earlier one until the time point closes). INVALID_ARGUMENT "instrument: missing"
// / "instrument: INSTRUMENT_WORK_ABILITY_INDEX is not asked at FOLLOWUP_1M"; FAILED_PRECONDITION
// "FOLLOWUP_1M opens 2027-04-12" / "BASELINE closed on 2027-02-01" (dates local in tz).
absl::Status CheckSubmission(const v1::TimePointSchedule& s, v1::Instrument instrument,
                             absl::Time now, absl::TimeZone tz = calendar::DanishTimeZone());

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_SCHEDULE_H_
