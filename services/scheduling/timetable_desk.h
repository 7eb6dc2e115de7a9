#ifndef KPR_SERVICES_SCHEDULING_TIMETABLE_DESK_H_
#define KPR_SERVICES_SCHEDULING_TIMETABLE_DESK_H_

// The timetable desk: the sessions of cohorts. Staff list them (by cohort, institution, venue or
// instructor) and export them as iCalendar; coordinators reschedule or cancel one session; an
// institution's venue closure or an instructor's absence repairs every cohort it touches (each
// affected future session moves within its week, or is cancelled when no slot is left). Where a
// session goes is decided in session_reschedule.h and cohort_planner.h, what the change writes
// in session_changes.h.
//
// Concurrency: a coordinator's change names the session version they saw (ABORTED when it
// changed meanwhile); a slot booked by others between our read and our commit is decided again
// against the fresh bookings, under the shared conflict policy.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "services/scheduling/desk_context.h"

namespace kpr::scheduling {

class TimetableDesk {
 public:
  explicit TimetableDesk(const DeskContext& context) : ctx_(context) {}

  absl::StatusOr<v1::ListSessionsResponse> ListSessions(const v1::ListSessionsRequest& req,
                                                        const Caller& caller);
  absl::StatusOr<v1::Session> RescheduleSession(const v1::RescheduleSessionRequest& req,
                                                const Caller& caller);
  absl::StatusOr<v1::Session> CancelSession(const v1::CancelSessionRequest& req,
                                            const Caller& caller);
  absl::StatusOr<v1::RepairResponse> CloseVenue(const v1::CloseVenueRequest& req,
                                                const Caller& caller);
  absl::StatusOr<v1::RepairResponse> AddInstructorAbsence(
      const v1::AddInstructorAbsenceRequest& req, const Caller& caller);
  absl::StatusOr<v1::ExportCalendarResponse> ExportCalendar(const v1::ExportCalendarRequest& req,
                                                            const Caller& caller);

 private:
  // Decides the session as it is to be stored from the session, its cohort and the cohort's
  // timetable as read.
  using SessionDecision = std::function<absl::StatusOr<v1::Session>(
      const v1::Session& current, const v1::Cohort& cohort,
      const std::vector<v1::Session>& timetable)>;
  absl::StatusOr<v1::Session> ChangeSession(const std::string& municipality,
                                            const std::string& session_id, int64_t expected_version,
                                            const Caller& caller, const SessionDecision& decide);
  // Repairs the cohorts with a session at the venue (or with the instructor) in `days` (a
  // validated closure or absence).
  absl::StatusOr<v1::RepairResponse> RepairAffected(const std::string& municipality,
                                                    SessionQuery::By by, const std::string& id,
                                                    const v1::DateRange& days,
                                                    const std::string& reason,
                                                    const Caller& caller);
  // Repairs one cohort, adding what moved and what was cancelled to `out`.
  absl::Status RepairCohortTimetable(const std::string& municipality, const std::string& cohort_id,
                                     absl::CivilDay from, absl::CivilDay to,
                                     const std::string& reason, v1::ChangeReason code,
                                     const Caller& caller, v1::RepairResponse& out);

  const DeskContext& ctx_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_TIMETABLE_DESK_H_
