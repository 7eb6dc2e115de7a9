#include "services/outcomes/attendance_desk.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/store/retry_on_conflict.h"
#include "services/outcomes/attendance_recording.h"
#include "services/outcomes/outcomes_access_policy.h"

namespace kpr::outcomes {
namespace {

// A session's attendance as stored at `key` (sealed), opened; version 0 when none.
absl::StatusOr<Attendance> OpenAttendance(const OutcomesContext& ctx,
                                          const std::optional<StoredRecord>& stored,
                                          const std::string& key) {
  Attendance a;
  if (!stored) return a;
  a.version = stored->version;
  auto plain = ctx.Open(stored->data, key);
  if (!plain.ok()) return plain.status();
  if (!a.record.ParseFromString(*plain))
    return absl::DataLossError("attendance record does not decode");
  return a;
}

}  // namespace

absl::StatusOr<v1::SessionAttendance> AttendanceDesk::RecordAttendance(
    const v1::RecordAttendanceRequest& req, const identity::Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kRecordAttendance, caller.claims, m); !st.ok())
    return st;
  if (req.session_id().empty()) return absl::InvalidArgumentError("session_id: missing");
  auto cohort_id = ctx_.store.HashGet(m, SessionsKey(m), req.session_id());
  if (!cohort_id.ok()) return cohort_id.status();
  if (!*cohort_id)
    return absl::NotFoundError(absl::StrCat("session ", req.session_id(), " is not known"));
  return store::RetryOnConflict<v1::SessionAttendance>(
      [&]() -> absl::StatusOr<v1::SessionAttendance> {
        // The cohort and the session's current attendance in one round trip.
        const std::string key = AttendanceKey(m, req.session_id());
        auto read = ctx_.store.Read(m, {CohortKey(m, **cohort_id), key});
        if (!read.ok()) return read.status();
        auto cohort = ParseCohort((*read)[0], **cohort_id);
        if (!cohort.ok()) return cohort.status();
        const absl::Time now = ctx_.Now();
        auto session =
            SessionToRecord(cohort->record, req, caller.claims, now, ctx_.options.schedule.tz);
        if (!session.ok()) return session.status();
        auto current = OpenAttendance(ctx_, (*read)[1], key);
        if (!current.ok()) return current.status();
        if (SameMarks(*current, req.entries())) return current->record;  // a retry
        if (auto v = CheckExpectedVersion(req, *current); !v.ok()) return v;
        auto participants = ctx_.LoadParticipants(m, MarkedReferrals(*current, req.entries()));
        if (!participants.ok()) return participants.status();
        AttendanceRecording recording =
            outcomes::RecordAttendance(m, cohort->record, *session, *current, req, *participants,
                                       caller, ctx_.options.policy, now);
        if (auto st = ctx_.Commit(m, std::move(recording.draft)); !st.ok()) return st;
        return std::move(recording.attendance);
      });
}

absl::StatusOr<v1::GetAttendanceResponse> AttendanceDesk::GetAttendance(
    const v1::GetAttendanceRequest& req, const identity::Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kGetAttendance, caller.claims, m); !st.ok())
    return st;
  auto cohort = ctx_.LoadKnownCohort(m, req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  const v1::CohortRecord& c = cohort->record;
  if (auto st = CheckTeachesCohort(c, caller.claims); !st.ok()) return st;
  std::vector<std::string> keys;
  for (const v1::SessionRef& s : c.sessions()) keys.push_back(AttendanceKey(m, s.session_id()));
  auto read = ctx_.store.Read(m, keys);
  if (!read.ok()) return read.status();
  std::vector<v1::SessionAttendance> sessions;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*read)[i]) continue;
    auto attendance = OpenAttendance(ctx_, (*read)[i], keys[i]);
    if (!attendance.ok()) return attendance.status();
    sessions.push_back(std::move(attendance->record));
  }
  auto participants = ctx_.LoadParticipants(
      m, std::vector<std::string>(c.participants().begin(), c.participants().end()));
  if (!participants.ok()) return participants.status();
  return AttendanceOverview(c, std::move(sessions), *participants, ctx_.options.policy);
}

}  // namespace kpr::outcomes
