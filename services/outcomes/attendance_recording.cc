#include "services/outcomes/attendance_recording.h"

#include <algorithm>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "libs/store/retry_on_conflict.h"
#include "services/outcomes/attendance_rules.h"

namespace kpr::outcomes {
namespace {

std::vector<std::pair<std::string, int>> SortedMarks(
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& e) {
  std::vector<std::pair<std::string, int>> out;
  for (const v1::AttendanceEntry& x : e)
    out.emplace_back(x.referral_id(), static_cast<int>(x.mark()));
  std::sort(out.begin(), out.end());
  return out;
}

// The participant's marks with this session's; flags a new risk reason. False if nothing changed.
bool Mark(Draft& draft, const std::string& m, v1::ParticipantRecord& p,
          const v1::SessionRef& session, v1::AttendanceMark mark, const identity::Caller& caller,
          const OutcomePolicy& policy, absl::Time now) {
  if (!ApplyMark(p, session.session_id(), session.index(), mark)) return false;
  std::vector<v1::RiskReason> reasons = RiskReasons(p, policy);
  bool new_reason = absl::c_any_of(
      reasons, [&](v1::RiskReason r) { return !absl::c_linear_search(p.risk_reasons(), r); });
  p.clear_risk_reasons();
  for (v1::RiskReason r : reasons) p.add_risk_reasons(r);
  if (new_reason && p.started() && !p.unenrolled()) {
    p.set_risk_flags(p.risk_flags() + 1);
    AttendanceSummary sum = Summarize(p);
    v1::DropOutRiskFlagged flag;
    flag.set_referral_id(p.referral_id());
    flag.set_citizen_id(p.citizen_id());
    flag.set_cohort_id(p.cohort_id());
    flag.set_program_id(p.program_id());
    for (v1::RiskReason r : reasons) flag.add_reasons(r);
    flag.set_attendance_rate(sum.rate.value_or(0));
    flag.set_sessions_recorded(sum.recorded);
    AddEvent(draft, m, "drop_out_risk_flagged",
             absl::StrCat("outcomes:", m, ":", p.referral_id(), ":risk:", p.risk_flags()), flag,
             now, &caller);
  }
  return true;
}

}  // namespace

absl::StatusOr<v1::SessionRef> SessionToRecord(const v1::CohortRecord& c,
                                               const v1::RecordAttendanceRequest& req,
                                               const identity::Claims& claims, absl::Time now,
                                               absl::TimeZone tz) {
  auto session = absl::c_find_if(
      c.sessions(), [&](const v1::SessionRef& s) { return s.session_id() == req.session_id(); });
  if (session == c.sessions().end())
    return absl::NotFoundError(absl::StrCat("session ", req.session_id(), " is not known"));
  if (claims.role == identity::Role::kInstructor && session->instructor_id() != claims.subject) {
    return absl::PermissionDeniedError(
        "instructors record attendance only for the sessions they teach");
  }
  if (auto v = ValidateAttendance(c, *session, req.entries()); !v.ok()) return v;
  absl::CivilDay day;
  if (ParseDay(session->day(), &day)) {
    absl::Time starts = absl::FromCivil(absl::CivilMinute(day) + session->start_minute(), tz);
    if (now < starts) {
      return absl::FailedPreconditionError(absl::StrCat(
          "session ", req.session_id(), " has not started yet (", session->day(), ")"));
    }
  }
  return *session;
}

bool SameMarks(const Attendance& current,
               const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries) {
  return current.version > 0 && SortedMarks(current.record.entries()) == SortedMarks(entries);
}

absl::Status CheckExpectedVersion(const v1::RecordAttendanceRequest& req,
                                  const Attendance& current) {
  if (req.expected_version() == current.version) return absl::OkStatus();
  // The caller's version is out of date: answered at once, not retried (reading again can't help).
  return store::StaleVersionError(absl::StrCat("attendance of session ", req.session_id(),
                                               " is at version ", current.version, ", not ",
                                               req.expected_version()));
}

std::vector<std::string> MarkedReferrals(
    const Attendance& current,
    const google::protobuf::RepeatedPtrField<v1::AttendanceEntry>& entries) {
  absl::flat_hash_map<std::string, bool> marked;
  for (const v1::AttendanceEntry& x : current.record.entries()) marked[x.referral_id()] = true;
  for (const v1::AttendanceEntry& x : entries) marked[x.referral_id()] = true;
  std::vector<std::string> ids;
  for (const auto& [id, unused] : marked) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

AttendanceRecording RecordAttendance(const std::string& m, const v1::CohortRecord& c,
                                     const v1::SessionRef& session, const Attendance& current,
                                     const v1::RecordAttendanceRequest& req,
                                     const std::vector<Participant>& participants,
                                     const identity::Caller& caller, const OutcomePolicy& policy,
                                     absl::Time now) {
  AttendanceRecording out;
  v1::SessionAttendance& next = out.attendance;
  next.set_municipality(m);
  next.set_cohort_id(c.cohort_id());
  next.set_session_id(req.session_id());
  next.set_session_index(session.index());
  next.set_day(session.day());
  *next.mutable_entries() = req.entries();
  next.set_version(current.version + 1);
  *next.mutable_recorded_at() = ToProto(now);
  next.set_recorded_by(caller.claims.subject);

  // Who is no longer marked loses the mark.
  absl::flat_hash_map<std::string, v1::AttendanceMark> marks;
  for (const v1::AttendanceEntry& x : current.record.entries())
    marks[x.referral_id()] = v1::ATTENDANCE_MARK_UNSPECIFIED;
  for (const v1::AttendanceEntry& x : req.entries()) marks[x.referral_id()] = x.mark();
  const std::vector<std::string> ids = MarkedReferrals(current, req.entries());

  Draft& draft = out.draft;
  int counts[4] = {0, 0, 0, 0};
  for (const v1::AttendanceEntry& x : req.entries()) {
    if (x.mark() >= v1::ATTENDANCE_MARK_PRESENT && x.mark() <= v1::ATTENDANCE_MARK_EXCUSED)
      counts[x.mark()]++;
  }
  for (size_t i = 0; i < ids.size() && i < participants.size(); ++i) {
    const Participant& before = participants[i];
    if (before.version == 0) continue;  // validated: only a dropped entry can be unknown
    v1::ParticipantRecord p = before.record;
    if (!Mark(draft, m, p, session, marks[ids[i]], caller, policy, now)) continue;
    WriteParticipant(draft, m, before, std::move(p), policy);
  }
  WriteSealed(draft, AttendanceKey(m, req.session_id()), current.version, next.SerializeAsString());
  v1::AttendanceRecorded recorded;
  recorded.set_cohort_id(c.cohort_id());
  recorded.set_session_id(req.session_id());
  recorded.set_day(session.day());
  recorded.set_version(next.version());
  recorded.set_present(counts[v1::ATTENDANCE_MARK_PRESENT]);
  recorded.set_absent(counts[v1::ATTENDANCE_MARK_ABSENT]);
  recorded.set_excused(counts[v1::ATTENDANCE_MARK_EXCUSED]);
  AddEvent(draft, m, "attendance_recorded",
           absl::StrCat("outcomes:", m, ":", req.session_id(), ":attendance:", next.version()),
           recorded, now, &caller);
  return out;
}

absl::Status CheckTeachesCohort(const v1::CohortRecord& c, const identity::Claims& claims) {
  if (claims.role == identity::Role::kInstructor &&
      !absl::c_any_of(c.sessions(), [&](const v1::SessionRef& s) {
        return s.instructor_id() == claims.subject;
      })) {
    return absl::PermissionDeniedError("instructors see attendance only of the cohorts they teach");
  }
  return absl::OkStatus();
}

v1::GetAttendanceResponse AttendanceOverview(const v1::CohortRecord& c,
                                             std::vector<v1::SessionAttendance> sessions,
                                             const std::vector<Participant>& participants,
                                             const OutcomePolicy& policy) {
  v1::GetAttendanceResponse out;
  out.set_cohort_id(c.cohort_id());
  for (v1::SessionAttendance& s : sessions) *out.add_sessions() = std::move(s);
  for (const Participant& p : participants) {
    if (p.version == 0) continue;
    AttendanceSummary sum = Summarize(p.record);
    v1::ParticipantAttendance* a = out.add_participants();
    a->set_referral_id(p.record.referral_id());
    a->set_citizen_id(p.record.citizen_id());
    a->set_present(sum.present);
    a->set_absent(sum.absent);
    a->set_excused(sum.excused);
    a->set_attendance_rate(sum.rate.value_or(0));
    std::vector<v1::RiskReason> reasons = RiskReasons(p.record, policy);
    a->set_at_risk(!reasons.empty());
    for (v1::RiskReason r : reasons) a->add_risk_reasons(r);
    a->set_outcome(p.record.outcome());
  }
  return out;
}

}  // namespace kpr::outcomes
