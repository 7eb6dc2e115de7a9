#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_ACCESS_POLICY_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_ACCESS_POLICY_H_

// Who may call which SchedulingService RPC. Pure: decided from the caller's token claims, the
// municipality of the request and, for instructors, institutions the caller looked up. No I/O.
//
//   coordinator  every RPC.
//   admin        the catalog: PutInstitution, PutInstructor, PutCalendar, PutProgram; reads:
//                ListInstitutions, ListInstructors, GetCalendar, ListPrograms, PlanCohort (a dry
//                run, to check a catalog change), GetCohort, ListCohorts, ListSessions,
//                ExportCalendar. NOT: CreateCohort, CancelCohort, RescheduleSession,
//                CancelSession, CloseVenue, AddInstructorAbsence (they move citizens' sessions:
//                a coordinator's decision), Enroll, Unenroll, GetWaitlist, ListParticipants
//                (data about citizens an admin does not need to maintain the catalog).
//   instructor   (sub = instructor_id) ListInstitutions and ListPrograms; and, only where the
//                request concerns the instructor's own institution, ListSessions, GetCohort,
//                ExportCalendar (sessions restricted to that institution) and ListParticipants
//                (first names only).
//   service      the internal callers: Enroll, Unenroll and every read (ListInstitutions,
//                ListInstructors, GetCalendar, ListPrograms, GetCohort, ListCohorts,
//                ListSessions, GetWaitlist, ListParticipants, ExportCalendar). No catalog or
//                timetable changes, no PlanCohort.
//   analyst, caseworker (and an unknown role)  nothing: PERMISSION_DENIED.
// Every call is limited to the municipalities in the token (PERMISSION_DENIED otherwise).

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/rpc/jwt.h"

namespace kpr::scheduling {

enum class SchedulingRpc {
  kPutInstitution,
  kListInstitutions,
  kPutInstructor,
  kListInstructors,
  kPutCalendar,
  kGetCalendar,
  kPutProgram,
  kListPrograms,
  kPlanCohort,
  kCreateCohort,
  kGetCohort,
  kListCohorts,
  kCancelCohort,
  kListSessions,
  kRescheduleSession,
  kCancelSession,
  kCloseVenue,
  kAddInstructorAbsence,
  kEnroll,
  kUnenroll,
  kGetWaitlist,
  kListParticipants,
  kExportCalendar,
};

// Every RPC of SchedulingService, in the proto's order.
inline constexpr SchedulingRpc kAllSchedulingRpcs[] = {
    SchedulingRpc::kPutInstitution,
    SchedulingRpc::kListInstitutions,
    SchedulingRpc::kPutInstructor,
    SchedulingRpc::kListInstructors,
    SchedulingRpc::kPutCalendar,
    SchedulingRpc::kGetCalendar,
    SchedulingRpc::kPutProgram,
    SchedulingRpc::kListPrograms,
    SchedulingRpc::kPlanCohort,
    SchedulingRpc::kCreateCohort,
    SchedulingRpc::kGetCohort,
    SchedulingRpc::kListCohorts,
    SchedulingRpc::kCancelCohort,
    SchedulingRpc::kListSessions,
    SchedulingRpc::kRescheduleSession,
    SchedulingRpc::kCancelSession,
    SchedulingRpc::kCloseVenue,
    SchedulingRpc::kAddInstructorAbsence,
    SchedulingRpc::kEnroll,
    SchedulingRpc::kUnenroll,
    SchedulingRpc::kGetWaitlist,
    SchedulingRpc::kListParticipants,
    SchedulingRpc::kExportCalendar,
};

// The RPC's name as in the proto ("PutInstitution").
absl::string_view SchedulingRpcName(SchedulingRpc rpc);

// What the request concerns.
struct AccessScope {
  // The municipality of the request.
  std::string municipality;
  // Instructors only (see NeedsInstitutionCheck), looked up by the caller:
  // the institution of the instructor whose id is claims.subject; empty when there is none.
  std::string caller_institution_id;
  // The institutions the request concerns: the institution asked for; the venue's or the
  // instructor's institution (ListSessions by venue or instructor); the institutions hosting
  // the cohort's sessions (GetCohort, ListParticipants, ListSessions/ExportCalendar by cohort).
  std::vector<std::string> concerned_institution_ids;
  // ListParticipants by an instructor: whether they teach at least one session of the cohort
  // (the same rule as outcomes' RecordAttendance, so what they are shown they can record).
  bool caller_teaches_cohort = false;
};

// How an allowed call must limit its answer.
struct AccessGrant {
  // ListParticipants by an instructor: each participant's referral id (what RecordAttendance
  // takes) and first name, never the citizen id.
  bool instructor_view = false;
  // Non-empty: return only sessions at this institution (instructors: a cohort's sessions at
  // other institutions, in ListSessions and ExportCalendar, are left out).
  std::string only_institution_id;
};

// The role and municipality check, before anything is loaded. For an instructor it passes the
// institution-scoped RPCs, which then need Authorize with the institutions filled in.
absl::Status AuthorizeCall(const identity::Claims& claims, SchedulingRpc rpc,
                           absl::string_view municipality);

// True when the decision depends on institutions: the caller must look up
// AccessScope::caller_institution_id and concerned_institution_ids before calling Authorize.
// (Instructors calling ListSessions, GetCohort, ListParticipants or ExportCalendar.)
bool NeedsInstitutionCheck(const identity::Claims& claims, SchedulingRpc rpc);

// The whole decision. PERMISSION_DENIED with a message saying why (role, municipality, or an
// instructor's institution).
absl::StatusOr<AccessGrant> Authorize(const identity::Claims& claims, SchedulingRpc rpc,
                                      const AccessScope& scope);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_ACCESS_POLICY_H_
