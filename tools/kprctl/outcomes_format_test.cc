#include "tools/kprctl/outcomes_format.h"

#include <cstdlib>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tools/kprctl/new_york_test_zone.h"
#include "tools/kprctl/outcomes_args.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Times print in Danish time whatever the machine's zone: put the machine far from Denmark.
const bool kInNewYork = MachineInNewYork();

template <typename M>
M Text(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

// 2027-01-18 09:00 in Denmark (08:00 UTC, 03:00 in New York).
constexpr int64_t kMonday9 = 1800259200;

TEST(Pieces, NamesAndRates) {
  ASSERT_TRUE(kInNewYork);
  EXPECT_EQ(MarkLetter(ov1::ATTENDANCE_MARK_PRESENT), "P");
  EXPECT_EQ(MarkLetter(ov1::ATTENDANCE_MARK_ABSENT), "A");
  EXPECT_EQ(MarkLetter(ov1::ATTENDANCE_MARK_EXCUSED), "E");
  EXPECT_EQ(MarkLetter(ov1::ATTENDANCE_MARK_UNSPECIFIED), "-");
  EXPECT_EQ(FormatRate(0.75), "75 %");
  EXPECT_EQ(FormatRate(1.0), "100 %");
  EXPECT_EQ(FormatRate(2.0 / 3.0), "66.7 %");
  EXPECT_EQ(FormatRate(0.795), "79.5 %");  // never rounded up onto the 80 % target
  EXPECT_EQ(TimePointStateName(ov1::TIME_POINT_STATE_OVERDUE), "overdue");
  EXPECT_EQ(RiskReasonName(ov1::RISK_REASON_TWO_ABSENCES_IN_A_ROW), "two absences in a row");
  EXPECT_EQ(ParticipationOutcomeName(ov1::PARTICIPATION_OUTCOME_DROPPED_OUT), "dropped out");
  EXPECT_EQ(ParticipationOutcomeName(ov1::PARTICIPATION_OUTCOME_UNSPECIFIED), "");
  EXPECT_EQ(InstrumentTitle(ov1::INSTRUMENT_WHO5), "WHO-5");
}

TEST(Answers, PrintInTheSyntaxTheFlagsTake) {
  auto who5 = Text<ov1::Who5Answers>("cheerful: 3 calm: 0 active: 2 rested: 2 interested: 5");
  EXPECT_EQ(FormatWho5Answers(who5), "3,0,2,2,5");
  EXPECT_EQ(FormatWho5Answers(Text<ov1::Who5Answers>("cheerful: 1")), "1,?,?,?,?");

  const std::string wai_text =
      "current=7,demands=mental,physical=4,mental=3,diseases=1,impairment=5,sick_leave=4,"
      "prognosis=7,enjoy=3,alert=3,hopeful=0";
  auto wai = ParseWai(wai_text, "wai");
  ASSERT_TRUE(wai.ok()) << wai.status();
  EXPECT_EQ(FormatWaiAnswers(*wai), wai_text);  // round trip

  auto parsed_who5 = ParseWho5(FormatWho5Answers(who5), "who5");
  ASSERT_TRUE(parsed_who5.ok());
  EXPECT_EQ(parsed_who5->ShortDebugString(), who5.ShortDebugString());

  EXPECT_EQ(FormatEmploymentAnswers(
                Text<ov1::EmploymentAnswers>("status: EMPLOYMENT_STATUS_ORDINARY_WORK")),
            "ordinary_work");
  EXPECT_EQ(FormatEmploymentAnswers(Text<ov1::EmploymentAnswers>(
                "status: EMPLOYMENT_STATUS_SUBSIDISED_WORK weekly_hours: 0")),
            "subsidised_work,hours=0");
}

TEST(Answers, Scores) {
  EXPECT_EQ(FormatScore(Text<ov1::Questionnaire>("instrument: INSTRUMENT_WHO5 score { who5_raw: 13 "
                                                 "who5_percentage: 52 who5_band: WHO5_BAND_NORMAL "
                                                 "who5_screen_for_depression: true }")),
            "52 % (raw 13, normal; screen for depression)");
  EXPECT_EQ(FormatScore(Text<ov1::Questionnaire>(
                "who5 { cheerful: 1 } score { who5_raw: 8 who5_percentage: 32 "
                "who5_band: WHO5_BAND_HIGH_RISK }")),  // instrument from the answers
            "32 % (raw 8, high risk)");
  EXPECT_EQ(
      FormatScore(Text<ov1::Questionnaire>("instrument: INSTRUMENT_WORK_ABILITY_INDEX score { "
                                           "wai_total: 37.5 wai_category: WAI_CATEGORY_GOOD }")),
      "37.5 (good)");
  EXPECT_EQ(
      FormatScore(Text<ov1::Questionnaire>("instrument: INSTRUMENT_WORK_ABILITY_INDEX score { "
                                           "wai_total: 27 wai_category: WAI_CATEGORY_POOR }")),
      "27 (poor)");
  EXPECT_EQ(FormatScore(Text<ov1::Questionnaire>("instrument: INSTRUMENT_EMPLOYMENT_STATUS")), "");
}

TEST(Attendance, RecordedSessionCountsMarks) {
  auto s = Text<ov1::SessionAttendance>(
      "session_id: 'S1' cohort_id: 'C' day: '2027-01-18' version: 2 "
      "entries { referral_id: 'r1' mark: ATTENDANCE_MARK_PRESENT } entries { referral_id: 'r2' "
      "mark: ATTENDANCE_MARK_PRESENT } "
      "entries { referral_id: 'r3' mark: ATTENDANCE_MARK_ABSENT } entries { referral_id: 'r4' "
      "mark: ATTENDANCE_MARK_EXCUSED }");
  EXPECT_EQ(FormatRecordedAttendance(s),
            "Recorded session S1 of cohort C (2027-01-18): 2 present, 1 absent, 1 excused "
            "(version 2).\n");
}

TEST(Attendance, GridOfSessionsAndParticipants) {
  auto r = Text<ov1::GetAttendanceResponse>(absl::StrCat(
      "cohort_id: 'C' "
      "sessions { session_id: 'S1' session_index: 0 day: '2027-01-18' version: 1 "
      "  recorded_by: 'ins-a' recorded_at { seconds: ",
      kMonday9,
      " } "
      "  entries { referral_id: 'r1' mark: ATTENDANCE_MARK_PRESENT } entries { referral_id: 'r2' "
      "mark: ATTENDANCE_MARK_ABSENT } "
      "  entries { referral_id: 'r3' mark: ATTENDANCE_MARK_EXCUSED } } "
      "sessions { session_id: 'S2' session_index: 1 day: '2027-01-20' version: 3 "
      "  entries { referral_id: 'r1' mark: ATTENDANCE_MARK_PRESENT } entries { referral_id: 'r2' "
      "mark: ATTENDANCE_MARK_ABSENT } } "
      "participants { referral_id: 'r1' present: 2 attendance_rate: 1 } "
      "participants { referral_id: 'r2' absent: 2 at_risk: true "
      "  risk_reasons: RISK_REASON_TWO_ABSENCES_IN_A_ROW } "
      "participants { referral_id: 'r3' excused: 1 } "
      "participants { referral_id: 'r4' outcome: PARTICIPATION_OUTCOME_DROPPED_OUT }"));
  EXPECT_EQ(
      FormatAttendance(r),
      "Attendance of cohort C: 2 sessions recorded, 4 participants, 1 at risk.\n"
      "\n"
      "  #  DAY         SESSION  V  RECORDED          BY\n"
      "  1  2027-01-18  S1       1  2027-01-18 09:00  ins-a\n"
      "  2  2027-01-20  S2       3  -\n"
      "\n"
      "  REFERRAL  1  2  PRESENT  ABSENT  EXCUSED   RATE  OUTCOME      AT RISK\n"
      "  r1        P  P        2       0        0  100 %  -\n"
      "  r2        A  A        0       2        0    0 %  -            two absences in a row\n"
      "  r3        E  -        0       0        1      -  -\n"
      "  r4        -  -        0       0        0      -  dropped out\n");
}

TEST(Attendance, MarkedButNotListedIsShownNotHidden) {
  auto r = Text<ov1::GetAttendanceResponse>(
      "cohort_id: 'C' sessions { session_id: 'S1' entries { referral_id: 'rx' mark: "
      "ATTENDANCE_MARK_PRESENT } } "
      "participants { referral_id: 'r1' }");
  std::string out = FormatAttendance(r);
  EXPECT_THAT(out, HasSubstr("  rx        P        -       -        -     -  -\n"));
  EXPECT_THAT(out, HasSubstr("(rx is marked in a session but not listed as a participant)\n"));
}

TEST(Attendance, NothingRecordedYet) {
  auto r = Text<ov1::GetAttendanceResponse>("cohort_id: 'C' participants { referral_id: 'r1' }");
  EXPECT_EQ(FormatAttendance(r),
            "Attendance of cohort C: 0 sessions recorded, 1 participant, 0 at risk.\n"
            "\n"
            "  REFERRAL  PRESENT  ABSENT  EXCUSED  RATE  OUTCOME  AT RISK\n"
            "  r1              0       0        0     -  -\n");
}

ov1::ListQuestionnaireScheduleResponse Schedule() {
  return Text<ov1::ListQuestionnaireScheduleResponse>(absl::StrCat(
      "schedule { referral_id: 'r2' time_point: TIME_POINT_END state: TIME_POINT_STATE_SCHEDULED "
      "  instruments: [INSTRUMENT_WHO5, INSTRUMENT_WORK_ABILITY_INDEX] } "
      "schedule { referral_id: 'r1' time_point: TIME_POINT_END state: TIME_POINT_STATE_OVERDUE "
      "  instruments: [INSTRUMENT_WHO5, INSTRUMENT_WORK_ABILITY_INDEX] answered: [INSTRUMENT_WHO5] "
      "} "
      "schedule { referral_id: 'r1' time_point: TIME_POINT_BASELINE state: "
      "TIME_POINT_STATE_ANSWERED "
      "  opens_at { seconds: ",
      kMonday9, " } overdue_at { seconds: ", kMonday9 + 7 * 86400,
      " } closes_at { seconds: ", kMonday9 + 28 * 86400,
      " } "
      "  instruments: [INSTRUMENT_WHO5, INSTRUMENT_WORK_ABILITY_INDEX, "
      "INSTRUMENT_EMPLOYMENT_STATUS] "
      "  answered: [INSTRUMENT_WHO5, INSTRUMENT_WORK_ABILITY_INDEX, INSTRUMENT_EMPLOYMENT_STATUS] "
      "}"));
}

TEST(Questionnaires, ScheduleSortedWithCountsAndNoAnswers) {
  EXPECT_EQ(
      FormatSchedule("C", Schedule()),
      "Questionnaires of cohort C: 2 participants; 1 scheduled, 1 overdue, 1 answered.\n"
      "  REFERRAL  TIME POINT  STATE      OPENS             OVERDUE FROM      CLOSES        "
      "    ASKED                ANSWERED\n"
      "  r1        baseline    answered   2027-01-18 09:00  2027-01-25 09:00  2027-02-15 09:00"
      "  who5,wai,employment  who5,wai,employment\n"
      "  r1        end         overdue    -                 -                 -             "
      "    who5,wai             who5\n"
      "  r2        end         scheduled  -                 -                 -             "
      "    who5,wai\n");
  EXPECT_EQ(FormatSchedule("C", {}), "No questionnaire time points for cohort C.\n");
}

ov1::Questionnaire Submitted() {
  return Text<ov1::Questionnaire>(
      absl::StrCat("municipality: '0165' referral_id: 'R' instrument: INSTRUMENT_WHO5 time_point: "
                   "TIME_POINT_BASELINE "
                   "who5 { cheerful: 4 calm: 1 active: 2 rested: 0 interested: 3 } "
                   "score { who5_raw: 10 who5_percentage: 40 who5_band: WHO5_BAND_RISK "
                   "who5_screen_for_depression: true } "
                   "submitted_by: 'coord-1' revision: 2 submitted_at { seconds: ",
                   kMonday9, " }"));
}

TEST(Questionnaires, SubmittedShowsNeitherAnswersNorScore) {
  std::string out = FormatSubmitted(Submitted());
  EXPECT_EQ(out,
            "Saved WHO-5 at baseline for referral R: revision 2 (replaces the earlier answer), "
            "2027-01-18 09:00 by coord-1.\n");
  EXPECT_THAT(out, Not(HasSubstr("4,1")));
  EXPECT_THAT(out, Not(HasSubstr("40")));

  ov1::Questionnaire bare = WithoutAnswers(Submitted());
  EXPECT_FALSE(bare.has_who5());
  EXPECT_EQ(bare.answers_case(), ov1::Questionnaire::ANSWERS_NOT_SET);
  EXPECT_FALSE(bare.has_score());
  EXPECT_EQ(bare.instrument(), ov1::INSTRUMENT_WHO5);
  EXPECT_EQ(bare.revision(), 2);
  EXPECT_EQ(bare.referral_id(), "R");

  // Without an instrument field, it is taken from the answers before they are dropped.
  auto employment = Text<ov1::Questionnaire>(
      "referral_id: 'R' time_point: TIME_POINT_FOLLOWUP_1M employment { status: "
      "EMPLOYMENT_STATUS_EDUCATION } revision: 1");
  EXPECT_EQ(WithoutAnswers(employment).instrument(), ov1::INSTRUMENT_EMPLOYMENT_STATUS);
  EXPECT_EQ(FormatSubmitted(employment),
            "Saved employment status at 1m for referral R: revision 1.\n");
}

TEST(Questionnaires, GetShowsAnswersScoresAndSchedule) {
  ov1::GetQuestionnairesResponse r;
  auto wai = Text<ov1::Questionnaire>(
      "referral_id: 'R' instrument: INSTRUMENT_WORK_ABILITY_INDEX time_point: TIME_POINT_BASELINE "
      "revision: 1 "
      "submitted_by: 'svc' wai { current_work_ability: 7 work_demands: WORK_DEMANDS_BOTH "
      "physical_demands_ability: 4 mental_demands_ability: 3 diagnosed_diseases: 1 "
      "work_impairment: 5 sick_leave: 4 prognosis: 7 enjoy_daily_activities: 3 "
      "active_and_alert: 3 hopeful: 2 } score { wai_total: 37 wai_category: WAI_CATEGORY_GOOD }");
  auto end = Text<ov1::Questionnaire>(
      "referral_id: 'R' instrument: INSTRUMENT_WHO5 time_point: TIME_POINT_END revision: 1 "
      "submitted_by: 'coord-1' "
      "who5 { cheerful: 4 calm: 4 active: 3 rested: 3 interested: 4 } "
      "score { who5_raw: 18 who5_percentage: 72 who5_band: WHO5_BAND_NORMAL }");
  *r.add_questionnaires() = end;  // out of order: printed by time point, then instrument
  *r.add_questionnaires() = wai;
  *r.add_questionnaires() = Submitted();
  const auto schedule = Schedule();
  for (const auto& s : schedule.schedule()) {
    if (s.referral_id() == "r1") *r.add_schedule() = s;
  }
  EXPECT_EQ(
      FormatQuestionnaires("R", r),
      "Questionnaires of referral R (health data: keep it to yourself).\n"
      "\n"
      "  TIME POINT  INSTRUMENT  SUBMITTED         BY       REV  SCORE                             "
      "          "
      "ANSWERS\n"
      "  baseline    who5        2027-01-18 09:00  coord-1    2  40 % (raw 10, risk; screen for "
      "depression)  4,1,2,0,3\n"
      "  baseline    wai         -                 svc        1  37 (good)                         "
      "          "
      "current=7,demands=both,physical=4,mental=3,diseases=1,impairment=5,"
      "sick_leave=4,prognosis=7,enjoy=3,alert=3,hopeful=2\n"
      "  end         who5        -                 coord-1    1  72 % (raw 18, normal)             "
      "          "
      "4,4,3,3,4\n"
      "\n"
      "Schedule:\n"
      "  TIME POINT  STATE     OPENS             OVERDUE FROM      CLOSES            ASKED        "
      "        ANSWERED\n"
      "  baseline    answered  2027-01-18 09:00  2027-01-25 09:00  2027-02-15 09:00  "
      "who5,wai,employment  who5,wai,employment\n"
      "  end         overdue   -                 -                 -                 who5,wai     "
      "        who5\n");
  EXPECT_EQ(FormatQuestionnaires("R", {}),
            "Questionnaires of referral R (health data: keep it to yourself).\nNo answers yet.\n");
}

TEST(Reports, Written) {
  auto r = Text<ov1::ExportReportResponse>("content_type: 'text/csv' content: 'a,b\\n1,2\\n'");
  EXPECT_EQ(FormatReportWritten("out.csv", r), "Wrote out.csv (text/csv, 8 bytes).\n");
}

}  // namespace
}  // namespace kpr::kprctl
