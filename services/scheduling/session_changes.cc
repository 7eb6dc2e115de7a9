#include "services/scheduling/session_changes.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "services/scheduling/catalog_mapping.h"
#include "services/scheduling/cohort_lifecycle.h"

namespace kpr::scheduling {
namespace {

// The event announcing `after` (the change of `before`), at the session's next version.
OutboxEvent SessionChangeEvent(const v1::Session& before, const v1::Session& after,
                               v1::ChangeReason code, const EventStamp& stamp) {
  v1::Session announced = after;
  announced.set_version(before.version() + 1);
  const std::string id_prefix = absl::StrCat(after.session_id(), ":v", announced.version());
  if (after.status() == v1::SESSION_STATUS_CANCELLED) {
    v1::SessionCancelled e;
    *e.mutable_session() = std::move(announced);
    e.mutable_session()->clear_change_reason();
    e.set_reason_code(code);
    return StampEvent(stamp, absl::StrCat(id_prefix, ":cancelled"), "session_cancelled", e);
  }
  v1::SessionRescheduled e;
  *e.mutable_session() = std::move(announced);
  *e.mutable_previous() = before;
  e.mutable_session()->clear_change_reason();
  e.mutable_previous()->clear_change_reason();
  e.set_reason_code(code);
  return StampEvent(stamp, absl::StrCat(id_prefix, ":rescheduled"), "session_rescheduled", e);
}

// The cohort's timers for its timetable once the update's sessions replace theirs.
std::vector<timer::Timer> TimersAfter(const v1::Cohort& cohort, std::vector<v1::Session> timetable,
                                      const std::vector<v1::Session>& changed) {
  for (auto& s : timetable) {
    for (const auto& c : changed) {
      if (c.session_id() == s.session_id()) s = c;
    }
  }
  return LifecycleTimers(cohort, timetable);
}

}  // namespace

SessionsUpdate CoordinatorSessionChange(const v1::Cohort& cohort, const v1::Session& current,
                                        const v1::Session& changed,
                                        const std::vector<v1::Session>& timetable,
                                        const EventStamp& stamp) {
  SessionsUpdate update;
  update.municipality = stamp.municipality;
  update.cohort_id = current.cohort_id();
  update.sessions.push_back(changed);
  update.events.push_back(
      SessionChangeEvent(current, changed, v1::CHANGE_REASON_COORDINATOR_DECISION, stamp));
  update.timers = TimersAfter(cohort, timetable, update.sessions);
  return update;
}

SessionsUpdate RepairedTimetable(const v1::Cohort& cohort,
                                 const std::vector<v1::Session>& timetable,
                                 const RepairOutcome& repaired, const std::string& reason,
                                 v1::ChangeReason code, const EventStamp& stamp) {
  absl::flat_hash_map<int, v1::Session> by_index;
  for (const auto& s : timetable) {
    if (s.status() != v1::SESSION_STATUS_CANCELLED) by_index[s.index()] = s;
  }
  SessionsUpdate update;
  update.municipality = stamp.municipality;
  update.cohort_id = cohort.cohort_id();
  for (int index : repaired.moved) {
    const v1::Session& before = by_index[index];
    for (const auto& p : repaired.sessions) {
      if (p.index != index) continue;
      v1::Session s =
          ToSessionProto(p, cohort.cohort_id(), stamp.municipality, before.session_id());
      s.set_version(before.version());
      s.set_change_reason(reason);
      update.events.push_back(SessionChangeEvent(before, s, code, stamp));
      update.sessions.push_back(std::move(s));
    }
  }
  for (const auto& [index, obstacle] : repaired.unplaceable) {
    const v1::Session& before = by_index[index];
    v1::Session s = before;
    s.set_status(v1::SESSION_STATUS_CANCELLED);
    s.set_change_reason(absl::StrCat(reason, ": ", obstacle.message));
    update.events.push_back(SessionChangeEvent(before, s, code, stamp));
    update.sessions.push_back(std::move(s));
  }
  if (!update.sessions.empty()) update.timers = TimersAfter(cohort, timetable, update.sessions);
  return update;
}

}  // namespace kpr::scheduling
