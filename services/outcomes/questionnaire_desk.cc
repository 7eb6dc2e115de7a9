#include "services/outcomes/questionnaire_desk.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "libs/store/retry_on_conflict.h"
#include "services/outcomes/outcomes_access_policy.h"
#include "services/outcomes/questionnaire_submission.h"

namespace kpr::outcomes {

absl::StatusOr<v1::Questionnaire> QuestionnaireDesk::SubmitQuestionnaire(
    const v1::SubmitQuestionnaireRequest& req, const identity::Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kSubmitQuestionnaire, caller.claims, m); !st.ok())
    return st;
  auto submitted = SubmittedQuestionnaire(req, caller.claims);
  if (!submitted.ok()) return submitted.status();
  return store::RetryOnConflict<v1::Questionnaire>([&]() -> absl::StatusOr<v1::Questionnaire> {
    auto participants = ctx_.LoadParticipants(m, {req.referral_id()});
    if (!participants.ok()) return participants.status();
    auto submission = AcceptSubmission(m, (*participants)[0], *submitted, caller,
                                       ctx_.options.policy, ctx_.Now(), ctx_.options.schedule.tz);
    if (!submission.ok()) return submission.status();
    if (submission->kind == Submission::kRepeat) return std::move(submission->questionnaire);
    // Replacing health data is audited (who changed whose answers), before it happens.
    if (submission->kind == Submission::kReplacement) {
      if (auto a = ctx_.Audit(m, caller, "outcomes.ReplaceQuestionnaire", req.referral_id());
          !a.ok())
        return a;
    }
    if (auto st = ctx_.Commit(m, std::move(submission->draft)); !st.ok()) return st;
    return std::move(submission->questionnaire);
  });
}

absl::StatusOr<v1::GetQuestionnairesResponse> QuestionnaireDesk::GetQuestionnaires(
    const v1::GetQuestionnairesRequest& req, const identity::Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kGetQuestionnaires, caller.claims, m); !st.ok())
    return st;
  auto participants = ctx_.LoadParticipants(m, {req.referral_id()});
  if (!participants.ok()) return participants.status();
  const Participant& p = (*participants)[0];
  if (p.version == 0)
    return absl::NotFoundError(absl::StrCat("referral ", req.referral_id(), " has no outcomes"));
  if (auto a = ctx_.Audit(m, caller, "outcomes.GetQuestionnaires", req.referral_id()); !a.ok())
    return a;  // no audit, no data
  return QuestionnairesOf(p.record, ctx_.Now());
}

absl::StatusOr<v1::ListQuestionnaireScheduleResponse> QuestionnaireDesk::ListQuestionnaireSchedule(
    const v1::ListQuestionnaireScheduleRequest& req, const identity::Caller& caller) {
  const std::string& m = req.municipality();
  if (auto st = AuthorizeOutcomes(OutcomesRpc::kListQuestionnaireSchedule, caller.claims, m);
      !st.ok())
    return st;
  auto cohort = ctx_.LoadKnownCohort(m, req.cohort_id());
  if (!cohort.ok()) return cohort.status();
  auto participants =
      ctx_.LoadParticipants(m, std::vector<std::string>(cohort->record.participants().begin(),
                                                        cohort->record.participants().end()));
  if (!participants.ok()) return participants.status();
  return ScheduleOf(*participants, ctx_.Now());
}

}  // namespace kpr::outcomes
