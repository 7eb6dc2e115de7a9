#include "services/outcomes/outcomes_access_policy.h"

#include "absl/strings/str_cat.h"

namespace kpr::outcomes {
namespace {

bool RoleMay(OutcomesRpc rpc, rpc::Role role) {
  switch (role) {
    case rpc::Role::kCoordinator:
      return true;
    case rpc::Role::kInstructor:
      return rpc == OutcomesRpc::kRecordAttendance || rpc == OutcomesRpc::kGetAttendance;
    case rpc::Role::kService:
      return rpc == OutcomesRpc::kSubmitQuestionnaire ||
             rpc == OutcomesRpc::kListQuestionnaireSchedule;
    case rpc::Role::kAnalyst:
    case rpc::Role::kAdmin:
      return rpc == OutcomesRpc::kGetCohortReport || rpc == OutcomesRpc::kGetProgramReport ||
             rpc == OutcomesRpc::kExportReport;
    default:
      return false;
  }
}

}  // namespace

absl::Status AuthorizeOutcomes(OutcomesRpc rpc, const rpc::Claims& claims,
                               absl::string_view municipality) {
  if (!RoleMay(rpc, claims.role)) {
    return absl::PermissionDeniedError(
        absl::StrCat("role ", rpc::RoleName(claims.role), " may not do this"));
  }
  if (!claims.HasMunicipality(municipality)) {
    return absl::PermissionDeniedError(absl::StrCat("no access to municipality ", municipality));
  }
  return absl::OkStatus();
}

}  // namespace kpr::outcomes
