#include "services/scheduling/cohort_lifecycle.h"

#include "absl/strings/str_cat.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/danish_time.h"

namespace kpr::scheduling {
namespace {

CohortTransition Transition(const v1::Cohort& cohort, v1::CohortStatus to,
                            std::vector<v1::CohortStatus> allowed_from, const EventStamp& stamp) {
  CohortTransition t;
  t.municipality = stamp.municipality;
  t.cohort_id = cohort.cohort_id();
  t.to = to;
  t.allowed_from = std::move(allowed_from);
  return t;
}

}  // namespace

std::vector<timer::Timer> LifecycleTimers(const v1::Cohort& cohort,
                                          const std::vector<v1::Session>& sessions) {
  std::vector<timer::Timer> timers;
  std::optional<absl::CivilMinute> first, last;
  for (const auto& s : sessions) {
    if (s.status() == v1::SESSION_STATUS_CANCELLED) continue;
    auto day = calendar::ParseDay(s.day());
    if (!day.ok()) continue;
    const absl::CivilMinute midnight(day->year(), day->month(), day->day());
    const absl::CivilMinute start = midnight + s.start_minute(), end = midnight + s.end_minute();
    if (!first || start < *first) first = start;
    if (!last || end > *last) last = end;
  }
  if (!first) return timers;
  if (cohort.status() == v1::COHORT_STATUS_PLANNED || cohort.status() == v1::COHORT_STATUS_OPEN) {
    timers.push_back({cohort.municipality(), StartTimerId(cohort.cohort_id()),
                      calendar::LocalToAbsolute(*first), "", 0});
  }
  timers.push_back({cohort.municipality(), CompleteTimerId(cohort.cohort_id()),
                    calendar::LocalToAbsolute(*last), "", 0});
  return timers;
}

std::optional<CohortTransition> CohortOpening(const v1::Cohort& cohort,
                                              std::vector<WaitlistSeat> waitlist_heads,
                                              const EventStamp& stamp) {
  if (cohort.status() != v1::COHORT_STATUS_PLANNED) return std::nullopt;
  CohortTransition t =
      Transition(cohort, v1::COHORT_STATUS_OPEN, {v1::COHORT_STATUS_PLANNED}, stamp);
  v1::CohortOpened e;
  e.set_cohort_id(cohort.cohort_id());
  e.set_program_id(cohort.program_id());
  t.events.push_back(
      StampEvent(stamp, absl::StrCat(cohort.cohort_id(), ":opened"), "cohort_opened", e));
  t.fill_from_waitlist = std::move(waitlist_heads);
  return t;
}

std::optional<CohortTransition> CohortStart(const v1::Cohort& cohort,
                                            const std::vector<v1::Enrollment>& enrolled,
                                            const EventStamp& stamp) {
  if (cohort.status() != v1::COHORT_STATUS_PLANNED && cohort.status() != v1::COHORT_STATUS_OPEN)
    return std::nullopt;
  CohortTransition t = Transition(cohort, v1::COHORT_STATUS_RUNNING,
                                  {v1::COHORT_STATUS_PLANNED, v1::COHORT_STATUS_OPEN}, stamp);
  t.expected_version = cohort.version();  // the event lists the participants as read
  v1::CohortStarted e;
  e.set_cohort_id(cohort.cohort_id());
  e.set_program_id(cohort.program_id());
  e.set_first_day(cohort.first_day());
  for (const auto& en : enrolled) *e.add_participants() = en;
  t.events.push_back(
      StampEvent(stamp, absl::StrCat(cohort.cohort_id(), ":started"), "cohort_started", e));
  t.cancel_timer_ids = {OpenTimerId(cohort.cohort_id())};
  return t;
}

std::optional<CohortTransition> CohortCompletion(const v1::Cohort& cohort,
                                                 const std::vector<v1::Enrollment>& enrolled,
                                                 const EventStamp& stamp) {
  if (cohort.status() != v1::COHORT_STATUS_RUNNING) return std::nullopt;  // completed, cancelled
  CohortTransition t =
      Transition(cohort, v1::COHORT_STATUS_COMPLETED, {v1::COHORT_STATUS_RUNNING}, stamp);
  t.expected_version = cohort.version();
  v1::CohortCompleted e;
  e.set_cohort_id(cohort.cohort_id());
  e.set_program_id(cohort.program_id());
  e.set_last_day(cohort.last_day());
  e.set_sessions_held(cohort.session_count());
  for (const auto& en : enrolled) *e.add_participants() = en;
  t.events.push_back(
      StampEvent(stamp, absl::StrCat(cohort.cohort_id(), ":completed"), "cohort_completed", e));
  return t;
}

CohortCancel CohortCancellation(const v1::Cohort& cohort,
                                const std::vector<v1::Enrollment>& enrolled,
                                const std::string& reason, v1::ChangeReason reason_code,
                                const EventStamp& stamp) {
  v1::CohortCancelled e;
  e.set_cohort_id(cohort.cohort_id());
  e.set_program_id(cohort.program_id());
  e.set_reason_code(reason_code == v1::CHANGE_REASON_UNSPECIFIED
                        ? v1::CHANGE_REASON_COORDINATOR_DECISION
                        : reason_code);
  e.set_had_started(cohort.status() == v1::COHORT_STATUS_RUNNING);
  for (const auto& en : enrolled) *e.add_participants() = en;
  CohortCancel cancel;
  cancel.municipality = stamp.municipality;
  cancel.cohort_id = cohort.cohort_id();
  cancel.reason = reason;
  cancel.expected_version = cohort.version();
  cancel.events.push_back(
      StampEvent(stamp, absl::StrCat(cohort.cohort_id(), ":cancelled"), "cohort_cancelled", e));
  return cancel;
}

}  // namespace kpr::scheduling
