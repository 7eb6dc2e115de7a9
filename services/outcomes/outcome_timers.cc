#include "services/outcomes/outcome_timers.h"

#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "services/outcomes/attendance_rules.h"

namespace kpr::outcomes {
namespace {

std::vector<v1::Instrument> Missing(const v1::TimePointSchedule& s) {
  std::vector<v1::Instrument> missing;
  for (int i : s.instruments()) {
    if (!absl::c_linear_search(s.answered(), i)) missing.push_back(static_cast<v1::Instrument>(i));
  }
  return missing;
}

// When the time point's next step is due; InfiniteFuture once it is closed.
absl::Time NextStep(const v1::TimePointSchedule& s) {
  switch (s.state()) {
    case v1::TIME_POINT_STATE_SCHEDULED:
      return FromProto(s.opens_at());
    // Answered: wake only to close it (no overdue step to record).
    case v1::TIME_POINT_STATE_DUE:
      return FromProto(Missing(s).empty() ? s.closes_at() : s.overdue_at());
    case v1::TIME_POINT_STATE_OVERDUE:
      return FromProto(s.closes_at());
    default:
      return absl::InfiniteFuture();
  }
}

}  // namespace

std::string TimePointTimerId(const std::string& referral_id, v1::TimePoint tp) {
  return absl::StrCat("tp:", referral_id, ":", static_cast<int>(tp));
}

std::string SettleTimerId(const std::string& cohort_id) {
  return absl::StrCat("settle:", cohort_id);
}

TimerTarget ParseTimerId(const std::string& timer_id) {
  TimerTarget target;
  std::vector<std::string> parts = absl::StrSplit(timer_id, absl::MaxSplits(':', 1));
  if (parts.size() != 2) return target;
  if (parts[0] == "settle") {
    target.kind = TimerTarget::kSettle;
    target.id = parts[1];
  } else if (parts[0] == "tp") {
    // The referral id may hold colons: the time point is after the last one.
    size_t colon = parts[1].rfind(':');
    int tp = 0;
    if (colon != std::string::npos && absl::SimpleAtoi(parts[1].substr(colon + 1), &tp) &&
        v1::TimePoint_IsValid(tp)) {
      target.kind = TimerTarget::kTimePoint;
      target.id = parts[1].substr(0, colon);
      target.time_point = static_cast<v1::TimePoint>(tp);
    }
  }
  return target;
}

std::optional<Draft> AdvanceTimePoint(const std::string& m, const Participant& before,
                                      v1::TimePoint tp, const OutcomePolicy& policy,
                                      absl::Time now) {
  if (before.version == 0) return std::nullopt;
  v1::ParticipantRecord p = before.record;
  v1::TimePointSchedule* s = FindTimePoint(p, tp);
  if (!s || s->state() == v1::TIME_POINT_STATE_CLOSED) return std::nullopt;
  const std::string& referral_id = p.referral_id();
  // A cancelled course or a participant who left asks nothing more; the time point just closes.
  const bool active = p.started() && !p.unenrolled();
  const std::string base =
      absl::StrCat("outcomes:", m, ":", referral_id, ":", v1::TimePoint_Name(tp));
  Draft draft;
  bool moved = false;
  while (true) {
    if (s->state() == v1::TIME_POINT_STATE_SCHEDULED && now >= FromProto(s->opens_at())) {
      s->set_state(v1::TIME_POINT_STATE_DUE);
      if (active) {
        v1::QuestionnaireDue due;
        due.set_referral_id(referral_id);
        due.set_citizen_id(p.citizen_id());
        due.set_cohort_id(p.cohort_id());
        due.set_program_id(p.program_id());
        due.set_time_point(tp);
        for (int i : s->instruments()) due.add_instruments(static_cast<v1::Instrument>(i));
        *due.mutable_overdue_at() = s->overdue_at();
        *due.mutable_closes_at() = s->closes_at();
        AddEvent(draft, m, "questionnaire_due", base + ":due", due, now, nullptr);
      }
    } else if (s->state() == v1::TIME_POINT_STATE_DUE && Missing(*s).empty() &&
               now >= FromProto(s->closes_at())) {
      // Answered in time: nothing was overdue; step through OVERDUE silently to close it.
      s->set_state(v1::TIME_POINT_STATE_OVERDUE);
    } else if (s->state() == v1::TIME_POINT_STATE_DUE && !Missing(*s).empty() &&
               now >= FromProto(s->overdue_at())) {
      s->set_state(v1::TIME_POINT_STATE_OVERDUE);
      if (active) {
        v1::QuestionnaireOverdue overdue;
        overdue.set_referral_id(referral_id);
        overdue.set_citizen_id(p.citizen_id());
        overdue.set_cohort_id(p.cohort_id());
        overdue.set_program_id(p.program_id());
        overdue.set_time_point(tp);
        for (v1::Instrument i : Missing(*s)) overdue.add_missing(i);
        *overdue.mutable_closes_at() = s->closes_at();
        AddEvent(draft, m, "questionnaire_overdue", base + ":overdue", overdue, now, nullptr);
      }
    } else if (s->state() == v1::TIME_POINT_STATE_OVERDUE && now >= FromProto(s->closes_at())) {
      s->set_state(v1::TIME_POINT_STATE_CLOSED);
      if (active) {
        v1::QuestionnaireClosed closed;
        closed.set_referral_id(referral_id);
        closed.set_citizen_id(p.citizen_id());
        closed.set_cohort_id(p.cohort_id());
        closed.set_time_point(tp);
        for (int i : s->answered()) closed.add_answered(static_cast<v1::Instrument>(i));
        for (v1::Instrument i : Missing(*s)) closed.add_missing(i);
        AddEvent(draft, m, "questionnaire_closed", base + ":closed", closed, now, nullptr);
      }
    } else {
      break;
    }
    moved = true;
  }
  // Re-arming the timer under its own id replaces the one being handled.
  const absl::Time next = NextStep(*s);
  if (next != absl::InfiniteFuture())
    draft.change.timers.push_back({m, TimePointTimerId(referral_id, tp), next, ""});
  if (moved) WriteParticipant(draft, m, before, std::move(p), policy);
  return draft;
}

std::optional<std::vector<std::string>> ReferralsToSettle(const Cohort& cohort) {
  if (cohort.version == 0 || cohort.record.settled() || cohort.record.cancelled())
    return std::nullopt;
  return std::vector<std::string>(cohort.record.participants().begin(),
                                  cohort.record.participants().end());
}

Draft SettleCohort(const std::string& m, const Cohort& cohort,
                   const std::vector<Participant>& participants, const OutcomePolicy& policy,
                   absl::Time now) {
  Draft draft;
  if (!ReferralsToSettle(cohort)) return draft;
  v1::CohortRecord c = cohort.record;
  const std::string& cohort_id = c.cohort_id();
  for (int i = 0; i < c.participants_size() && i < static_cast<int>(participants.size()); ++i) {
    const std::string& id = c.participants(i);
    const Participant& before = participants[i];
    if (before.version == 0 || !before.record.started() || before.record.cohort_id() != cohort_id)
      continue;
    v1::ParticipantRecord p = before.record;
    CompletionDecision d = DecideCompletion(p, c.sessions_held(), policy);
    p.set_outcome(d.outcome);
    v1::OutcomeRecorded recorded;
    recorded.set_referral_id(id);
    recorded.set_citizen_id(p.citizen_id());
    recorded.set_cohort_id(cohort_id);
    recorded.set_program_id(p.program_id());
    recorded.set_outcome(d.outcome);
    recorded.set_sessions_held(d.held);
    recorded.set_sessions_attended(d.attended);
    recorded.set_rule(d.rule);
    AddEvent(draft, m, "outcome_recorded",
             absl::StrCat("outcomes:", m, ":", cohort_id, ":", id, ":outcome"), recorded, now,
             nullptr);
    WriteParticipant(draft, m, before, std::move(p), policy);
  }
  c.set_settled(true);
  WriteCohort(draft, m, cohort, std::move(c));
  return draft;
}

}  // namespace kpr::outcomes
