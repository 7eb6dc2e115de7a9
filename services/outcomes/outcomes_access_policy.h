#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_ACCESS_POLICY_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_ACCESS_POLICY_H_

// Who may call which OutcomesService RPC. Pure: decided from the token's claims and the
// request's municipality; the desk adds the instructor's "own sessions" check.
//
//   coordinator  every RPC.
//   instructor   RecordAttendance, GetAttendance (only for sessions / cohorts they teach).
//   service      SubmitQuestionnaire (citizen-facing forms), ListQuestionnaireSchedule (notify).
//   analyst, admin  GetCohortReport, GetProgramReport, ExportReport: aggregates only.
//   caseworker (and an unknown role)  nothing.
// Every call is limited to the municipalities in the token. PERMISSION_DENIED otherwise.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/rpc/jwt.h"

namespace kpr::outcomes {

enum class OutcomesRpc {
  kRecordAttendance,
  kGetAttendance,
  kSubmitQuestionnaire,
  kGetQuestionnaires,
  kListQuestionnaireSchedule,
  kGetCohortReport,
  kGetProgramReport,
  kExportReport,
};

absl::Status AuthorizeOutcomes(OutcomesRpc rpc, const identity::Claims& claims,
                               absl::string_view municipality);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_ACCESS_POLICY_H_
