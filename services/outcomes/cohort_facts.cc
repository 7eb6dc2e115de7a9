#include "services/outcomes/cohort_facts.h"

#include <algorithm>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "services/outcomes/outcome_timers.h"

namespace kpr::outcomes {
namespace {

namespace sv1 = ::kpr::scheduling::v1;

const v1::TimePoint kAfterCourse[] = {v1::TIME_POINT_END, v1::TIME_POINT_FOLLOWUP_1M,
                                      v1::TIME_POINT_FOLLOWUP_12M};

bool Contains(const google::protobuf::RepeatedPtrField<std::string>& list, const std::string& v) {
  return absl::c_linear_search(list, v);
}

// First and last day of the sessions not cancelled, so a rescheduled or cancelled end moves them.
void RefreshDays(v1::CohortRecord& c) {
  std::string first, last;
  for (const v1::SessionRef& s : c.sessions()) {
    if (s.cancelled()) continue;
    if (first.empty() || s.day() < first) first = s.day();
    if (last.empty() || s.day() > last) last = s.day();
  }
  if (!first.empty()) {
    c.set_first_day(first);
    c.set_last_day(last);
  }
}

void SortSessions(v1::CohortRecord& c) {
  std::sort(c.mutable_sessions()->begin(), c.mutable_sessions()->end(),
            [](const v1::SessionRef& a, const v1::SessionRef& b) { return a.index() < b.index(); });
}

// The cohort in its program's index, by its first day (once it has one).
void IndexCohort(Draft& draft, const std::string& m, const v1::CohortRecord& c) {
  absl::CivilDay first;
  if (ParseDay(c.first_day(), &first)) {
    draft.change.index.push_back({ProgramCohortsKey(m, c.program_id()), c.cohort_id(),
                                  static_cast<double>(DaysSinceEpoch(first))});
  }
}

// The cohort as it completes: its participants with any the event adds.
v1::CohortRecord Completed(const Cohort& cohort, const sv1::CohortCompleted& completed) {
  v1::CohortRecord c = cohort.record;
  c.set_completed(true);
  c.set_started(true);
  c.set_sessions_held(completed.sessions_held());
  for (const sv1::Enrollment& en : completed.participants()) {
    if (!Contains(c.participants(), en.referral_id())) c.add_participants(en.referral_id());
  }
  return c;
}

}  // namespace

v1::SessionRef ToSessionRef(const sv1::Session& s) {
  v1::SessionRef ref;
  ref.set_session_id(s.session_id());
  ref.set_index(s.index());
  ref.set_day(s.day());
  ref.set_start_minute(s.start_minute());
  ref.set_end_minute(s.end_minute());
  ref.set_instructor_id(s.instructor_id());
  ref.set_cancelled(s.status() == sv1::SESSION_STATUS_CANCELLED);
  return ref;
}

Draft PlanCohort(const std::string& m, const Cohort& cohort, const sv1::CohortPlanned& planned) {
  Draft draft;
  v1::CohortRecord c = cohort.record;
  c.set_municipality(m);
  c.set_cohort_id(planned.cohort().cohort_id());
  c.set_program_id(planned.cohort().program_id());
  for (const sv1::Session& s : planned.sessions()) {
    bool known = absl::c_any_of(
        c.sessions(), [&](const v1::SessionRef& r) { return r.session_id() == s.session_id(); });
    if (!known) *c.add_sessions() = ToSessionRef(s);
    draft.change.hash_sets.push_back({SessionsKey(m), s.session_id(), c.cohort_id()});
  }
  SortSessions(c);
  RefreshDays(c);
  IndexCohort(draft, m, c);
  WriteCohort(draft, m, cohort, std::move(c));
  return draft;
}

Draft ScheduleSession(const std::string& m, const Cohort& cohort, const sv1::Session& session) {
  Draft draft;
  v1::CohortRecord c = cohort.record;
  v1::SessionRef ref = ToSessionRef(session);
  auto it = absl::c_find_if(*c.mutable_sessions(), [&](const v1::SessionRef& r) {
    return r.session_id() == ref.session_id();
  });
  if (it != c.mutable_sessions()->end()) {
    // Scheduling announces each session of a planned cohort again: nothing to rewrite.
    if (it->SerializeAsString() == ref.SerializeAsString()) return draft;
    *it = ref;
  } else {
    *c.add_sessions() = ref;
  }
  SortSessions(c);
  RefreshDays(c);
  draft.change.hash_sets.push_back({SessionsKey(m), ref.session_id(), c.cohort_id()});
  IndexCohort(draft, m, c);
  WriteCohort(draft, m, cohort, std::move(c));
  return draft;
}

Draft Enrol(const std::string& m, const Cohort& cohort, const Participant& before,
            const sv1::Enrolled& enrolled, const OutcomePolicy& policy) {
  Draft draft;
  if (before.version > 0 && before.record.started() &&
      before.record.cohort_id() != enrolled.cohort_id()) {
    return draft;
  }
  v1::ParticipantRecord p = before.record;
  p.set_municipality(m);
  p.set_referral_id(enrolled.referral_id());
  p.set_citizen_id(enrolled.citizen_id());
  p.set_cohort_id(enrolled.cohort_id());
  p.set_program_id(enrolled.program_id());
  p.set_unenrolled(false);
  if (cohort.record.started() && !cohort.record.cancelled()) p.set_started(true);
  WriteParticipant(draft, m, before, std::move(p), policy);
  if (!Contains(cohort.record.participants(), enrolled.referral_id())) {
    v1::CohortRecord c = cohort.record;
    c.add_participants(enrolled.referral_id());
    WriteCohort(draft, m, cohort, std::move(c));
  }
  return draft;
}

Draft Unenrol(const std::string& m, const Cohort& cohort, const Participant& before,
              const sv1::Unenrolled& unenrolled, const OutcomePolicy& policy) {
  Draft draft;
  if (before.version > 0 && before.record.cohort_id() == unenrolled.cohort_id()) {
    v1::ParticipantRecord p = before.record;
    p.set_unenrolled(true);
    WriteParticipant(draft, m, before, std::move(p), policy);
  }
  if (!cohort.record.started() &&
      Contains(cohort.record.participants(), unenrolled.referral_id())) {
    v1::CohortRecord c = cohort.record;
    c.clear_participants();
    for (const std::string& id : cohort.record.participants()) {
      if (id != unenrolled.referral_id()) c.add_participants(id);
    }
    WriteCohort(draft, m, cohort, std::move(c));
  }
  return draft;
}

std::optional<std::vector<std::string>> ReferralsToStart(const Cohort& cohort,
                                                         const sv1::CohortStarted& started) {
  if (cohort.record.started() || cohort.record.cancelled()) return std::nullopt;
  std::vector<std::string> ids;
  for (const sv1::Enrollment& en : started.participants()) ids.push_back(en.referral_id());
  return ids;
}

Draft StartCohort(const std::string& m, const Cohort& cohort, const sv1::CohortStarted& started,
                  const std::vector<Participant>& participants, const ScheduleOptions& schedule,
                  const OutcomePolicy& policy, absl::Time now) {
  Draft draft;
  auto ids = ReferralsToStart(cohort, started);
  if (!ids) return draft;
  v1::CohortRecord c = cohort.record;
  c.set_started(true);
  absl::flat_hash_map<std::string, std::string> citizen;
  for (const sv1::Enrollment& en : started.participants()) {
    citizen[en.referral_id()] = en.citizen_id();
    if (!Contains(c.participants(), en.referral_id())) c.add_participants(en.referral_id());
  }
  std::optional<absl::Time> opens = TimePointOpens(c, v1::TIME_POINT_BASELINE, schedule);
  for (size_t i = 0; i < ids->size() && i < participants.size(); ++i) {
    const std::string& id = (*ids)[i];
    const Participant& before = participants[i];
    v1::ParticipantRecord p = before.record;
    p.set_municipality(m);
    p.set_referral_id(id);
    if (p.citizen_id().empty()) p.set_citizen_id(citizen[id]);
    p.set_cohort_id(c.cohort_id());
    p.set_program_id(c.program_id());
    p.set_started(true);
    p.set_unenrolled(false);
    if (!FindTimePoint(p, v1::TIME_POINT_BASELINE)) {
      absl::Time at = opens.value_or(now);
      *p.add_schedule() = MakeTimePoint(id, c.cohort_id(), v1::TIME_POINT_BASELINE, at, schedule);
      draft.change.timers.push_back({m, TimePointTimerId(id, v1::TIME_POINT_BASELINE), at, ""});
    }
    WriteParticipant(draft, m, before, std::move(p), policy);
  }
  WriteCohort(draft, m, cohort, std::move(c));
  return draft;
}

std::optional<std::vector<std::string>> ReferralsToComplete(const Cohort& cohort,
                                                            const sv1::CohortCompleted& completed) {
  if (cohort.record.completed() || cohort.record.cancelled()) return std::nullopt;
  const v1::CohortRecord c = Completed(cohort, completed);
  return std::vector<std::string>(c.participants().begin(), c.participants().end());
}

Draft CompleteCohort(const std::string& m, const Cohort& cohort,
                     const sv1::CohortCompleted& completed,
                     const std::vector<Participant>& participants, const ScheduleOptions& schedule,
                     const OutcomePolicy& policy, absl::Duration settle_delay, absl::Time now) {
  Draft draft;
  if (cohort.record.completed() || cohort.record.cancelled()) return draft;
  v1::CohortRecord c = Completed(cohort, completed);
  for (int i = 0; i < c.participants_size() && i < static_cast<int>(participants.size()); ++i) {
    const std::string& id = c.participants(i);
    const Participant& before = participants[i];
    if (before.version == 0) continue;  // listed but never seen: nothing to follow up
    v1::ParticipantRecord p = before.record;
    p.set_sessions_held(c.sessions_held());
    if (p.started() && !p.unenrolled()) {
      for (v1::TimePoint tp : kAfterCourse) {
        if (FindTimePoint(p, tp)) continue;
        absl::Time at = TimePointOpens(c, tp, schedule).value_or(now);
        *p.add_schedule() = MakeTimePoint(id, c.cohort_id(), tp, at, schedule);
        draft.change.timers.push_back({m, TimePointTimerId(id, tp), at, ""});
      }
    }
    WriteParticipant(draft, m, before, std::move(p), policy);
  }
  draft.change.timers.push_back({m, SettleTimerId(c.cohort_id()), now + settle_delay, ""});
  WriteCohort(draft, m, cohort, std::move(c));
  return draft;
}

std::optional<std::vector<std::string>> ReferralsToCancel(const Cohort& cohort) {
  if (cohort.record.cancelled()) return std::nullopt;
  return std::vector<std::string>(cohort.record.participants().begin(),
                                  cohort.record.participants().end());
}

Draft CancelCohort(const std::string& m, const Cohort& cohort,
                   const std::vector<Participant>& participants, const OutcomePolicy& policy) {
  Draft draft;
  if (cohort.record.cancelled()) return draft;
  v1::CohortRecord c = cohort.record;
  c.set_cancelled(true);
  for (const Participant& before : participants) {
    if (before.version == 0 || before.record.cohort_id() != c.cohort_id()) continue;
    v1::ParticipantRecord p = before.record;
    p.set_started(false);
    WriteParticipant(draft, m, before, std::move(p), policy);
  }
  WriteCohort(draft, m, cohort, std::move(c));
  return draft;
}

}  // namespace kpr::outcomes
