#include "services/scheduling/scheduling_access_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace kpr::scheduling {
namespace {

using identity::Role;
using R = SchedulingRpc;

bool IsCatalogWrite(R r) {
  return r == R::kPutInstitution || r == R::kPutInstructor || r == R::kPutCalendar ||
         r == R::kPutProgram;
}

// Reads that carry no data about citizens.
bool IsPlainRead(R r) {
  switch (r) {
    case R::kListInstitutions:
    case R::kListInstructors:
    case R::kGetCalendar:
    case R::kListPrograms:
    case R::kGetCohort:
    case R::kListCohorts:
    case R::kListSessions:
    case R::kExportCalendar:
      return true;
    default:
      return false;
  }
}

// The RPCs an instructor may call only for its own institution.
bool IsInstitutionScoped(R r) {
  return r == R::kListSessions || r == R::kGetCohort || r == R::kListParticipants ||
         r == R::kExportCalendar;
}

bool RoleMay(Role role, R r) {
  switch (role) {
    case Role::kCoordinator:
      return true;
    case Role::kAdmin:
      return IsCatalogWrite(r) || IsPlainRead(r) || r == R::kPlanCohort;
    case Role::kInstructor:
      return IsInstitutionScoped(r) || r == R::kListInstitutions || r == R::kListPrograms;
    case Role::kService:
      return IsPlainRead(r) || r == R::kEnroll || r == R::kUnenroll || r == R::kGetWaitlist ||
             r == R::kListParticipants;
    case Role::kAnalyst:
    case Role::kCaseworker:
    case Role::kUnknown:
      return false;
  }
  return false;
}

}  // namespace

absl::string_view SchedulingRpcName(SchedulingRpc rpc) {
  switch (rpc) {
    case R::kPutInstitution:
      return "PutInstitution";
    case R::kListInstitutions:
      return "ListInstitutions";
    case R::kPutInstructor:
      return "PutInstructor";
    case R::kListInstructors:
      return "ListInstructors";
    case R::kPutCalendar:
      return "PutCalendar";
    case R::kGetCalendar:
      return "GetCalendar";
    case R::kPutProgram:
      return "PutProgram";
    case R::kListPrograms:
      return "ListPrograms";
    case R::kPlanCohort:
      return "PlanCohort";
    case R::kCreateCohort:
      return "CreateCohort";
    case R::kGetCohort:
      return "GetCohort";
    case R::kListCohorts:
      return "ListCohorts";
    case R::kCancelCohort:
      return "CancelCohort";
    case R::kListSessions:
      return "ListSessions";
    case R::kRescheduleSession:
      return "RescheduleSession";
    case R::kCancelSession:
      return "CancelSession";
    case R::kCloseVenue:
      return "CloseVenue";
    case R::kAddInstructorAbsence:
      return "AddInstructorAbsence";
    case R::kEnroll:
      return "Enroll";
    case R::kUnenroll:
      return "Unenroll";
    case R::kGetWaitlist:
      return "GetWaitlist";
    case R::kListParticipants:
      return "ListParticipants";
    case R::kExportCalendar:
      return "ExportCalendar";
  }
  return "?";
}

absl::Status AuthorizeCall(const identity::Claims& claims, SchedulingRpc rpc,
                           absl::string_view municipality) {
  if (!RoleMay(claims.role, rpc)) {
    return absl::PermissionDeniedError(absl::StrCat("role ", identity::RoleName(claims.role),
                                                    " may not call ", SchedulingRpcName(rpc)));
  }
  if (municipality.empty() || !claims.HasMunicipality(municipality)) {
    return absl::PermissionDeniedError(
        absl::StrCat("no access to municipality \"", municipality, "\""));
  }
  return absl::OkStatus();
}

bool NeedsInstitutionCheck(const identity::Claims& claims, SchedulingRpc rpc) {
  return claims.role == Role::kInstructor && IsInstitutionScoped(rpc);
}

absl::StatusOr<AccessGrant> Authorize(const identity::Claims& claims, SchedulingRpc rpc,
                                      const AccessScope& scope) {
  if (absl::Status s = AuthorizeCall(claims, rpc, scope.municipality); !s.ok()) return s;
  AccessGrant grant;
  if (!NeedsInstitutionCheck(claims, rpc)) return grant;

  if (scope.caller_institution_id.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the caller is not an instructor of an institution in municipality ", scope.municipality));
  }
  const auto& concerned = scope.concerned_institution_ids;
  if (std::find(concerned.begin(), concerned.end(), scope.caller_institution_id) ==
      concerned.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("an instructor may call ", SchedulingRpcName(rpc),
                     " only for the sessions, cohorts and participants of their own institution"));
  }
  if (rpc == R::kListSessions || rpc == R::kExportCalendar) {
    grant.only_institution_id = scope.caller_institution_id;
  }
  if (rpc == R::kListParticipants) {
    if (!scope.caller_teaches_cohort) {
      return absl::PermissionDeniedError(
          "an instructor sees the participants only of a cohort they teach a session of");
    }
    grant.instructor_view = true;
  }
  return grant;
}

}  // namespace kpr::scheduling
