#include "services/outcomes/attendance_rules.h"

#include <algorithm>
#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kpr::outcomes {

AttendanceSummary Summarize(const v1::ParticipantRecord& p) {
  AttendanceSummary s;
  for (const v1::SessionMark& m : p.marks()) {
    switch (m.mark()) {
      case v1::ATTENDANCE_MARK_PRESENT:
        ++s.present;
        break;
      case v1::ATTENDANCE_MARK_ABSENT:
        ++s.absent;
        break;
      case v1::ATTENDANCE_MARK_EXCUSED:
        ++s.excused;
        break;
      default:
        continue;  // not a mark (ApplyMark never stores one)
    }
    ++s.recorded;
  }
  if (const int counting = s.recorded - s.excused; counting > 0) {
    s.rate = static_cast<double>(s.present) / counting;
  }
  return s;
}

std::vector<v1::RiskReason> RiskReasons(const v1::ParticipantRecord& p,
                                        const OutcomePolicy& policy) {
  std::vector<v1::RiskReason> reasons;
  // Timetable order, in case the record was not written by ApplyMark.
  std::vector<const v1::SessionMark*> marks;
  for (const v1::SessionMark& m : p.marks()) {
    if (m.mark() == v1::ATTENDANCE_MARK_PRESENT || m.mark() == v1::ATTENDANCE_MARK_ABSENT)
      marks.push_back(&m);
  }
  std::stable_sort(marks.begin(), marks.end(),
                   [](const auto* a, const auto* b) { return a->index() < b->index(); });
  if (marks.size() >= 2 && marks[marks.size() - 1]->mark() == v1::ATTENDANCE_MARK_ABSENT &&
      marks[marks.size() - 2]->mark() == v1::ATTENDANCE_MARK_ABSENT) {
    reasons.push_back(v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW);
  }
  const AttendanceSummary s = Summarize(p);
  if (s.recorded >= 3 && s.rate.has_value() && *s.rate < policy.attendance_target) {
    reasons.push_back(v1::RISK_REASON_ATTENDANCE_BELOW_THRESHOLD);
  }
  return reasons;
}

CompletionDecision DecideCompletion(const v1::ParticipantRecord& p, int sessions_held,
                                    const OutcomePolicy& policy) {
  CompletionDecision d;
  d.attended = Summarize(p).present;
  d.held = sessions_held;
  if (!p.started()) {
    d.rule = "did not start";
    return d;
  }
  if (p.unenrolled()) {
    d.outcome = v1::PARTICIPATION_OUTCOME_DROPPED_OUT;
    d.rule = "unenrolled after the start";
    return d;
  }
  // The epsilon keeps a product like 0.7 x 10 = 7.000000000000001 from demanding 8.
  const int required =
      std::max(0, static_cast<int>(std::ceil(policy.completion_share * sessions_held - 1e-9)));
  d.outcome = d.attended >= required ? v1::PARTICIPATION_OUTCOME_COMPLETED
                                     : v1::PARTICIPATION_OUTCOME_DROPPED_OUT;
  d.rule = absl::StrCat("attended ", d.attended, " of ", sessions_held, " sessions; at least ",
                        required, " required");
  return d;
}

bool ApplyMark(v1::ParticipantRecord& p, const std::string& session_id, int index,
               v1::AttendanceMark mark) {
  auto* marks = p.mutable_marks();
  auto it = std::find_if(marks->begin(), marks->end(),
                         [&](const v1::SessionMark& m) { return m.session_id() == session_id; });
  if (mark == v1::ATTENDANCE_MARK_UNSPECIFIED) {
    if (it == marks->end()) return false;
    marks->erase(it);
    return true;
  }
  if (it != marks->end() && it->index() == index && it->mark() == mark) return false;
  v1::SessionMark* m = it != marks->end() ? &*it : marks->Add();
  m->set_session_id(session_id);
  m->set_index(index);
  m->set_mark(mark);
  std::stable_sort(
      marks->begin(), marks->end(),
      [](const v1::SessionMark& a, const v1::SessionMark& b) { return a.index() < b.index(); });
  return true;
}

absl::Status ValidateAttendance(
    const v1::CohortRecord& cohort, const v1::SessionRef& session,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries) {
  if (session.cancelled()) {
    return absl::FailedPreconditionError(
        absl::StrCat("session ", session.session_id(), " is cancelled"));
  }
  if (entries.empty()) return absl::InvalidArgumentError("entries: empty");
  const absl::flat_hash_set<std::string> participants(cohort.participants().begin(),
                                                      cohort.participants().end());
  absl::flat_hash_set<std::string> seen;
  std::vector<std::string> problems;
  for (int i = 0; i < entries.size(); ++i) {
    const v1::AttendanceEntry& e = entries[i];
    const std::string at = absl::StrCat("entries[", i, "]");
    if (e.referral_id().empty()) {
      problems.push_back(absl::StrCat(at, ".referral_id: missing"));
    } else if (!participants.contains(e.referral_id())) {
      problems.push_back(
          absl::StrCat(at, ".referral_id: not a participant of cohort ", cohort.cohort_id()));
    } else if (!seen.insert(e.referral_id()).second) {
      problems.push_back(absl::StrCat(at, ".referral_id: duplicate"));
    }
    if (e.mark() == v1::ATTENDANCE_MARK_UNSPECIFIED) {
      problems.push_back(absl::StrCat(at, ".mark: missing"));
    } else if (!v1::AttendanceMark_IsValid(e.mark())) {
      problems.push_back(absl::StrCat(at, ".mark: ", e.mark(), " is not a known mark"));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

}  // namespace kpr::outcomes
