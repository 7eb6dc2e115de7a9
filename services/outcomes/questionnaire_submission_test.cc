#include "services/outcomes/questionnaire_submission.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "services/outcomes/decision_testing.h"
#include "services/outcomes/questionnaire_schedule.h"

namespace kpr::outcomes {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace decision_testing;  // NOLINT: test vocabulary

const OutcomePolicy kPolicy;
const absl::TimeZone kTz = calendar::DanishTimeZone();
const absl::Time kOpens = Local(absl::CivilMinute(2027, 3, 1, 10, 0));
const absl::Time kNow = kOpens + absl::Hours(2);

v1::SubmitQuestionnaireRequest Who5(int item) {
  v1::SubmitQuestionnaireRequest req;
  req.set_municipality(kM);
  req.set_referral_id("0165-r-1");
  req.set_time_point(v1::TIME_POINT_BASELINE);
  v1::Who5Answers* a = req.mutable_who5();
  a->set_cheerful(item);
  a->set_calm(item);
  a->set_active(item);
  a->set_rested(item);
  a->set_interested(item);
  return req;
}

identity::Caller Forms() {
  identity::Caller c;
  c.claims.subject = "citizen-forms";
  c.claims.role = identity::Role::kService;
  return c;
}

// 0165-r-1 with the BASELINE time point open since kOpens.
Participant AtBaseline() {
  Participant p = StoredParticipant("0165-r-1");
  v1::TimePointSchedule s =
      MakeTimePoint("0165-r-1", "c-1", v1::TIME_POINT_BASELINE, kOpens, DefaultScheduleOptions());
  s.set_state(v1::TIME_POINT_STATE_DUE);
  *p.record.add_schedule() = s;
  return p;
}

v1::Questionnaire Submitted(int item) {
  return *SubmittedQuestionnaire(Who5(item), Forms().claims);
}

TEST(SubmittedQuestionnaire, ScoredAndSigned) {
  auto q = SubmittedQuestionnaire(Who5(3), Forms().claims);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->instrument(), v1::INSTRUMENT_WHO5);
  EXPECT_EQ(q->score().who5_raw(), 15);
  EXPECT_EQ(q->submitted_by(), "citizen-forms");
  EXPECT_EQ(q->municipality(), kM);
}

TEST(SubmittedQuestionnaire, NamesEveryBadField) {
  v1::SubmitQuestionnaireRequest req = Who5(3);
  req.clear_referral_id();
  req.set_time_point(v1::TIME_POINT_UNSPECIFIED);
  req.mutable_who5()->clear_calm();
  auto q = SubmittedQuestionnaire(req, Forms().claims);
  EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(q.status().message(), HasSubstr("referral_id: missing; time_point: missing; who5."));
}

TEST(AcceptSubmission, OnlyForAStartedParticipantWithTheTimePoint) {
  auto none = AcceptSubmission(kM, Participant(), Submitted(3), Forms(), kPolicy, kNow, kTz);
  EXPECT_EQ(none.status(),
            absl::FailedPreconditionError(
                "referral 0165-r-1 has no questionnaires: not a participant of a started cohort"));
  auto not_yet = AcceptSubmission(kM, StoredParticipant("0165-r-1"), Submitted(3), Forms(), kPolicy,
                                  kNow, kTz);
  EXPECT_EQ(not_yet.status(),
            absl::FailedPreconditionError(
                "TIME_POINT_BASELINE is not scheduled yet for referral 0165-r-1"));
  auto early = AcceptSubmission(kM, AtBaseline(), Submitted(3), Forms(), kPolicy,
                                kOpens - absl::Hours(1), kTz);
  EXPECT_EQ(early.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(AcceptSubmission, FirstAnswer) {
  auto s = AcceptSubmission(kM, AtBaseline(), Submitted(3), Forms(), kPolicy, kNow, kTz);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, Submission::kFirst);
  EXPECT_EQ(s->questionnaire.revision(), 1);
  EXPECT_EQ(s->questionnaire.submitted_at().seconds(), absl::ToUnixSeconds(kNow));
  EXPECT_THAT(EventIds(s->draft),
              ElementsAre("outcomes:0165:0165-r-1:TIME_POINT_BASELINE:INSTRUMENT_WHO5:1"));
  EXPECT_EQ(Payload<v1::QuestionnaireAnswered>(s->draft.change.events[0]).citizen_id(),
            "z-0165-r-1");
  const auto p =
      *Written<v1::ParticipantRecord>(*WriteOf(s->draft, ParticipantKey(kM, "0165-r-1")));
  ASSERT_EQ(p.answers_size(), 1);
  EXPECT_THAT(p.schedule(0).answered(), ElementsAre(v1::INSTRUMENT_WHO5));
  EXPECT_EQ(s->draft.sealed, 1u) << "answers are health data";
}

TEST(AcceptSubmission, TheSameAnswersAgainAreARepeat) {
  auto first = AcceptSubmission(kM, AtBaseline(), Submitted(3), Forms(), kPolicy, kNow, kTz);
  const Participant stored{
      *Written<v1::ParticipantRecord>(*WriteOf(first->draft, ParticipantKey(kM, "0165-r-1"))), 2};
  auto again =
      AcceptSubmission(kM, stored, Submitted(3), Forms(), kPolicy, kNow + absl::Hours(1), kTz);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->kind, Submission::kRepeat);
  EXPECT_TRUE(again->draft.empty());
  EXPECT_EQ(again->questionnaire.submitted_at().seconds(), absl::ToUnixSeconds(kNow))
      << "the stored answer, as it was";

  auto changed =
      AcceptSubmission(kM, stored, Submitted(4), Forms(), kPolicy, kNow + absl::Hours(1), kTz);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->kind, Submission::kReplacement);
  EXPECT_EQ(changed->questionnaire.revision(), 2);
  EXPECT_THAT(EventIds(changed->draft),
              ElementsAre("outcomes:0165:0165-r-1:TIME_POINT_BASELINE:INSTRUMENT_WHO5:2"));
  const auto p =
      *Written<v1::ParticipantRecord>(*WriteOf(changed->draft, ParticipantKey(kM, "0165-r-1")));
  ASSERT_EQ(p.answers_size(), 1) << "replaced, not added";
  EXPECT_EQ(p.answers(0).score().who5_raw(), 20);
}

TEST(QuestionnairesOf, AReaderSeesTheStateNow) {
  Participant p = AtBaseline();
  p.record.mutable_schedule(0)->set_state(v1::TIME_POINT_STATE_SCHEDULED);  // timer not fired yet
  const v1::GetQuestionnairesResponse out = QuestionnairesOf(p.record, kNow);
  ASSERT_EQ(out.schedule_size(), 1);
  EXPECT_EQ(out.schedule(0).state(), v1::TIME_POINT_STATE_DUE);
  const v1::ListQuestionnaireScheduleResponse all =
      ScheduleOf({p, Participant(), AtBaseline()}, kOpens + absl::Hours(24 * 8));
  ASSERT_EQ(all.schedule_size(), 2);
  EXPECT_EQ(all.schedule(1).state(), v1::TIME_POINT_STATE_OVERDUE);
}

}  // namespace
}  // namespace kpr::outcomes
