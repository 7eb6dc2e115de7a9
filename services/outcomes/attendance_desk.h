#ifndef KPR_SERVICES_OUTCOMES_ATTENDANCE_DESK_H_
#define KPR_SERVICES_OUTCOMES_ATTENDANCE_DESK_H_

// The attendance desk: instructors and coordinators record a session's attendance as a whole
// (a correction replaces it at the expected version) and read a cohort's. It loads the cohort,
// the session's attendance and the participants marked, decides with attendance_recording, and
// commits the attendance, the participants' marks and the events in one script.

#include "absl/status/statusor.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "libs/identity/caller.h"
#include "services/outcomes/outcomes_context.h"

namespace kpr::outcomes {

class AttendanceDesk {
 public:
  // `context` must outlive the desk.
  explicit AttendanceDesk(const OutcomesContext& context) : ctx_(context) {}

  // The same marks again return the recorded attendance (a retry); otherwise ABORTED unless
  // expected_version is the recorded one.
  absl::StatusOr<v1::SessionAttendance> RecordAttendance(const v1::RecordAttendanceRequest& req,
                                                         const identity::Caller& caller);
  absl::StatusOr<v1::GetAttendanceResponse> GetAttendance(const v1::GetAttendanceRequest& req,
                                                          const identity::Caller& caller);

 private:
  const OutcomesContext& ctx_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_ATTENDANCE_DESK_H_
