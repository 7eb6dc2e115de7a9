#include "services/outcomes/questionnaire_submission.h"

#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/message_differencer.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "services/outcomes/instruments.h"
#include "services/outcomes/questionnaire_schedule.h"

namespace kpr::outcomes {
namespace {

v1::TimePointSchedule Displayed(v1::TimePointSchedule s, absl::Time now) {
  s.set_state(StateAt(s, now));
  return s;
}

}  // namespace

absl::StatusOr<v1::Questionnaire> SubmittedQuestionnaire(const v1::SubmitQuestionnaireRequest& req,
                                                         const identity::Claims& claims) {
  v1::Questionnaire q;
  q.set_municipality(req.municipality());
  q.set_referral_id(req.referral_id());
  q.set_time_point(req.time_point());
  switch (req.answers_case()) {
    case v1::SubmitQuestionnaireRequest::kWho5:
      *q.mutable_who5() = req.who5();
      break;
    case v1::SubmitQuestionnaireRequest::kWai:
      *q.mutable_wai() = req.wai();
      break;
    case v1::SubmitQuestionnaireRequest::kEmployment:
      *q.mutable_employment() = req.employment();
      break;
    default:
      break;
  }
  std::vector<std::string> bad;
  if (req.referral_id().empty()) bad.push_back("referral_id: missing");
  if (req.time_point() == v1::TIME_POINT_UNSPECIFIED || !v1::TimePoint_IsValid(req.time_point())) {
    bad.push_back("time_point: missing");
  }
  auto score = ScoreAnswers(q);
  if (!score.ok()) bad.push_back(std::string(score.status().message()));
  if (!bad.empty()) return absl::InvalidArgumentError(absl::StrJoin(bad, "; "));
  q.set_instrument(InstrumentOf(q));
  *q.mutable_score() = *score;
  q.set_submitted_by(claims.subject);
  return q;
}

absl::StatusOr<Submission> AcceptSubmission(const std::string& m, const Participant& before,
                                            v1::Questionnaire q, const identity::Caller& caller,
                                            const OutcomePolicy& policy, absl::Time now,
                                            absl::TimeZone tz) {
  if (before.version == 0 || !before.record.started()) {
    return absl::FailedPreconditionError(
        absl::StrCat("referral ", q.referral_id(),
                     " has no questionnaires: not a participant of a started cohort"));
  }
  v1::ParticipantRecord p = before.record;
  v1::TimePointSchedule* s = FindTimePoint(p, q.time_point());
  if (!s) {
    return absl::FailedPreconditionError(absl::StrCat(v1::TimePoint_Name(q.time_point()),
                                                      " is not scheduled yet for referral ",
                                                      q.referral_id()));
  }
  if (auto open = CheckSubmission(*s, q.instrument(), now, tz); !open.ok()) return open;
  Submission out;
  q.set_revision(1);
  if (v1::Questionnaire* old = FindAnswer(p, q.instrument(), q.time_point())) {
    v1::Questionnaire same = q;
    same.set_revision(old->revision());
    *same.mutable_submitted_at() = old->submitted_at();
    if (google::protobuf::util::MessageDifferencer::Equals(same, *old)) {
      out.kind = Submission::kRepeat;
      out.questionnaire = *old;
      return out;
    }
    out.kind = Submission::kReplacement;
    q.set_revision(old->revision() + 1);
  }
  *q.mutable_submitted_at() = ToProto(now);
  if (v1::Questionnaire* old = FindAnswer(p, q.instrument(), q.time_point())) {
    *old = q;
  } else {
    *p.add_answers() = q;
  }
  if (!absl::c_linear_search(s->answered(), q.instrument())) s->add_answered(q.instrument());
  v1::QuestionnaireAnswered answered;
  answered.set_referral_id(q.referral_id());
  answered.set_citizen_id(p.citizen_id());
  answered.set_cohort_id(p.cohort_id());
  answered.set_time_point(q.time_point());
  answered.set_instrument(q.instrument());
  answered.set_revision(q.revision());
  AddEvent(
      out.draft, m, "questionnaire_answered",
      absl::StrCat("outcomes:", m, ":", q.referral_id(), ":", v1::TimePoint_Name(q.time_point()),
                   ":", v1::Instrument_Name(q.instrument()), ":", q.revision()),
      answered, now, &caller);
  WriteParticipant(out.draft, m, before, std::move(p), policy);
  out.questionnaire = std::move(q);
  return out;
}

v1::GetQuestionnairesResponse QuestionnairesOf(const v1::ParticipantRecord& p, absl::Time now) {
  v1::GetQuestionnairesResponse out;
  *out.mutable_questionnaires() = p.answers();
  for (const v1::TimePointSchedule& s : p.schedule()) *out.add_schedule() = Displayed(s, now);
  return out;
}

v1::ListQuestionnaireScheduleResponse ScheduleOf(const std::vector<Participant>& participants,
                                                 absl::Time now) {
  v1::ListQuestionnaireScheduleResponse out;
  for (const Participant& p : participants) {
    for (const v1::TimePointSchedule& s : p.record.schedule())
      *out.add_schedule() = Displayed(s, now);
  }
  return out;
}

}  // namespace kpr::outcomes
