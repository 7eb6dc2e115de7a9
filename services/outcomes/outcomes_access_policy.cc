#include "services/outcomes/outcomes_access_policy.h"

#include "libs/identity/access.h"

namespace kpr::outcomes {
namespace {

bool RoleMay(OutcomesRpc rpc, identity::Role role) {
  switch (role) {
    case identity::Role::kCoordinator:
      return true;
    case identity::Role::kInstructor:
      return rpc == OutcomesRpc::kRecordAttendance || rpc == OutcomesRpc::kGetAttendance;
    case identity::Role::kService:
      return rpc == OutcomesRpc::kSubmitQuestionnaire ||
             rpc == OutcomesRpc::kListQuestionnaireSchedule;
    case identity::Role::kAnalyst:
    case identity::Role::kAdmin:
      return rpc == OutcomesRpc::kGetCohortReport || rpc == OutcomesRpc::kGetProgramReport ||
             rpc == OutcomesRpc::kExportReport;
    default:
      return false;
  }
}

}  // namespace

absl::Status AuthorizeOutcomes(OutcomesRpc rpc, const identity::Claims& claims,
                               absl::string_view municipality) {
  return identity::CheckAccess(claims, RoleMay(rpc, claims.role), municipality);
}

}  // namespace kpr::outcomes
