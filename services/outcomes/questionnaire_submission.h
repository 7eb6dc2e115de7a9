#ifndef KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_SUBMISSION_H_
#define KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_SUBMISSION_H_

// Submitting a questionnaire and reading them back: the answers checked and scored, whether the
// participant's time point takes them now, what accepting them writes (the answer, the time
// point's answered list, questionnaire_answered), and the schedule as a reader sees it. Pure; no
// I/O (instruments.h scores, questionnaire_schedule.h holds the windows).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "libs/identity/caller.h"
#include "services/outcomes/draft.h"
#include "services/outcomes/outcome_tally.h"

namespace kpr::outcomes {

// The questionnaire `req` submits, scored and signed by the caller: INVALID_ARGUMENT naming
// every bad field, "; "-separated ("referral_id: missing; time_point: missing; who5.calm: ...").
absl::StatusOr<v1::Questionnaire> SubmittedQuestionnaire(const v1::SubmitQuestionnaireRequest& req,
                                                         const identity::Claims& claims);

struct Submission {
  enum Kind {
    kRepeat,       // the same answers again: a retry, nothing changes
    kFirst,        // the first answer to the instrument at the time point
    kReplacement,  // replaces an earlier answer: health data changed, to be audited first
  } kind = kFirst;
  v1::Questionnaire questionnaire;  // as stored (revision, time of submission)
  Draft draft;                      // empty for kRepeat
};
// `q` (from SubmittedQuestionnaire) accepted for the participant at `now`. FAILED_PRECONDITION
// "referral <id> has no questionnaires: not a participant of a started cohort", "<TIME_POINT>
// is not scheduled yet for referral <id>", or CheckSubmission's (windows local in `tz`).
absl::StatusOr<Submission> AcceptSubmission(const std::string& m, const Participant& participant,
                                            v1::Questionnaire q, const identity::Caller& caller,
                                            const OutcomePolicy& policy, absl::Time now,
                                            absl::TimeZone tz);

// A participant's answers and time points as a reader sees them at `now` (the stored state is
// the timer's progress; a reader sees the state the time point is in).
v1::GetQuestionnairesResponse QuestionnairesOf(const v1::ParticipantRecord& p, absl::Time now);
// The time points of every participant, in order, as a reader sees them at `now`.
v1::ListQuestionnaireScheduleResponse ScheduleOf(const std::vector<Participant>& participants,
                                                 absl::Time now);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_QUESTIONNAIRE_SUBMISSION_H_
