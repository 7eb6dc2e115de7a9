#ifndef KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_DESK_H_
#define KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_DESK_H_

// The questionnaire desk: answers submitted (by citizen forms or a coordinator) at the time
// points the schedule opened, the answers read back, and a cohort's questionnaire schedule.
// Answers are health data: reading them and replacing one are written to the audit trail first.

#include "absl/status/statusor.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "libs/identity/caller.h"
#include "services/outcomes/outcomes_context.h"

namespace kpr::outcomes {

class QuestionnaireDesk {
 public:
  // `context` must outlive the desk.
  explicit QuestionnaireDesk(const OutcomesContext& context) : ctx_(context) {}

  // The same answers again return the stored questionnaire (a retry).
  absl::StatusOr<v1::Questionnaire> SubmitQuestionnaire(const v1::SubmitQuestionnaireRequest& req,
                                                        const identity::Caller& caller);
  absl::StatusOr<v1::GetQuestionnairesResponse> GetQuestionnaires(
      const v1::GetQuestionnairesRequest& req, const identity::Caller& caller);
  absl::StatusOr<v1::ListQuestionnaireScheduleResponse> ListQuestionnaireSchedule(
      const v1::ListQuestionnaireScheduleRequest& req, const identity::Caller& caller);

 private:
  const OutcomesContext& ctx_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_DESK_H_
