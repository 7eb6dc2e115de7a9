#include "tools/kprctl/outcomes_args.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/kprctl/new_york_test_zone.h"
#include "tools/kprctl/scheduling_args.h"

namespace kpr::kprctl {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Parses a command line the way kprctl's main does (the other groups' options are known too).
ParsedArgs Parse(const std::vector<std::string>& argv) {
  std::set<std::string> options = OutcomesOptions();
  options.insert(SchedulingOptions().begin(), SchedulingOptions().end());
  options.insert("addr");
  std::set<std::string> flags = OutcomesFlags();
  flags.insert(SchedulingFlags().begin(), SchedulingFlags().end());
  auto parsed = ParseArgs(argv, options, flags);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : ParsedArgs{};
}

std::string Error(const absl::Status& s) { return std::string(s.message()); }

// ---- Values -------------------------------------------------------------------------------

TEST(ParseTimePoint, ShortAndFullNames) {
  EXPECT_EQ(*ParseTimePoint("baseline", "time-point"), ov1::TIME_POINT_BASELINE);
  EXPECT_EQ(*ParseTimePoint("END", "time-point"), ov1::TIME_POINT_END);
  EXPECT_EQ(*ParseTimePoint("1m", "time-point"), ov1::TIME_POINT_FOLLOWUP_1M);
  EXPECT_EQ(*ParseTimePoint("12M", "time-point"), ov1::TIME_POINT_FOLLOWUP_12M);
  EXPECT_EQ(*ParseTimePoint("followup_12m", "time-point"), ov1::TIME_POINT_FOLLOWUP_12M);
  EXPECT_EQ(*ParseTimePoint("FOLLOWUP_1M", "time-point"), ov1::TIME_POINT_FOLLOWUP_1M);
  for (const char* bad : {"", "start", "6m", "1", "time_point_unspecified", "base line"}) {
    auto t = ParseTimePoint(bad, "time-point");
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(Error(t.status()),
              absl::StrCat("--time-point: expected baseline, end, 1m or 12m, got '", bad, "'"));
  }
  for (auto tp : {ov1::TIME_POINT_BASELINE, ov1::TIME_POINT_END, ov1::TIME_POINT_FOLLOWUP_1M,
                  ov1::TIME_POINT_FOLLOWUP_12M}) {
    EXPECT_EQ(*ParseTimePoint(TimePointName(tp), "t"), tp);  // names round-trip
  }
}

TEST(ParseWho5, FiveAnswersInQuestionnaireOrder) {
  auto w = ParseWho5("3,3,2, 1 ,5", "who5");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->cheerful(), 3);
  EXPECT_EQ(w->calm(), 3);
  EXPECT_EQ(w->active(), 2);
  EXPECT_EQ(w->rested(), 1);
  EXPECT_EQ(w->interested(), 5);
  auto zeros = ParseWho5("0,0,0,0,0", "who5");
  ASSERT_TRUE(zeros.ok());
  EXPECT_TRUE(zeros->has_cheerful());  // 0 is an answer, not a missing item
  EXPECT_TRUE(zeros->has_interested());
}

TEST(ParseWho5, RejectsWrongCountsAndRangesNamingTheItem) {
  for (const char* bad : {"", "3,3,2,2", "3,3,2,2,3,3", "33223"}) {
    auto w = ParseWho5(bad, "who5");
    ASSERT_FALSE(w.ok()) << bad;
    EXPECT_THAT(Error(w.status()), HasSubstr("--who5: expected five answers 0..5")) << bad;
  }
  // A wrong count says how many, never what was answered (health data, maybe from stdin).
  EXPECT_THAT(Error(ParseWho5("4,1,3,2", "who5").status()), EndsWith("got 4"));
  EXPECT_THAT(Error(ParseWho5("4,1,3,2", "who5").status()), Not(HasSubstr("4,1,3,2")));
  EXPECT_EQ(Error(ParseWho5("3,3,6,2,3", "who5").status()),
            "--who5: answer 3 (active) must be 0..5, got '6'");
  EXPECT_EQ(Error(ParseWho5("3,3,2,2,-1", "who5").status()),
            "--who5: answer 5 (interested) must be 0..5, got '-1'");
  EXPECT_EQ(Error(ParseWho5("3,,2,2,3", "who5").status()),
            "--who5: answer 2 (calm) must be 0..5, got ''");
  EXPECT_EQ(Error(ParseWho5("x,3,2,2,3", "who5").status()),
            "--who5: answer 1 (cheerful) must be 0..5, got 'x'");
}

constexpr char kWai[] =
    "current=7,demands=mental,physical=4,mental=3,diseases=1,impairment=5,sick_leave=4,"
    "prognosis=7,enjoy=3,alert=3,hopeful=2";

TEST(ParseWai, EveryItemByShortOrProtoName) {
  auto w = ParseWai(kWai, "wai");
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->current_work_ability(), 7);
  EXPECT_EQ(w->work_demands(), ov1::WORK_DEMANDS_MENTAL);
  EXPECT_EQ(w->physical_demands_ability(), 4);
  EXPECT_EQ(w->mental_demands_ability(), 3);
  EXPECT_EQ(w->diagnosed_diseases(), 1);
  EXPECT_EQ(w->work_impairment(), 5);
  EXPECT_EQ(w->sick_leave(), 4);
  EXPECT_EQ(w->prognosis(), 7);
  EXPECT_EQ(w->enjoy_daily_activities(), 3);
  EXPECT_EQ(w->active_and_alert(), 3);
  EXPECT_EQ(w->hopeful(), 2);

  auto full = ParseWai(
      "hopeful=0, active_and_alert=0,enjoy_daily_activities=0,prognosis=1,sick_leave=1,"
      "work_impairment=1,diagnosed_diseases=0,mental_demands_ability=1,"
      "physical_demands_ability=1,work_demands=BOTH,current_work_ability=0",
      "wai");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->work_demands(), ov1::WORK_DEMANDS_BOTH);
  EXPECT_TRUE(full->has_current_work_ability());
  EXPECT_EQ(full->current_work_ability(), 0);
  EXPECT_EQ(full->prognosis(), 1);
}

TEST(ParseWai, NamesEveryMissingItemAtOnce) {
  auto w = ParseWai("current=7,physical=4,mental=3,diseases=1,impairment=5,enjoy=3,alert=3", "wai");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(Error(w.status()),
            "--wai: every item is required; missing demands, sick_leave, prognosis, hopeful");
}

TEST(ParseWai, RejectsRangesKeysDuplicatesAndShape) {
  auto with = [](const std::string& from, const std::string& to) {
    std::string s = kWai;
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  struct Case {
    std::string value;
    std::string error;
  } cases[] = {
      {with("current=7", "current=11"), "--wai: current must be 0..10, got '11'"},
      {with("physical=4", "physical=0"), "--wai: physical must be 1..5, got '0'"},
      {with("mental=3", "mental=6"), "--wai: mental must be 1..5, got '6'"},
      {with("diseases=1", "diseases=-1"), "--wai: diseases must be 0 or more, got '-1'"},
      {with("impairment=5", "impairment=7"), "--wai: impairment must be 1..6, got '7'"},
      {with("sick_leave=4", "sick_leave=0"), "--wai: sick_leave must be 1..5, got '0'"},
      {with("prognosis=7", "prognosis=5"), "--wai: prognosis must be 1, 4 or 7, got '5'"},
      {with("enjoy=3", "enjoy=5"), "--wai: enjoy must be 0..4, got '5'"},
      {with("alert=3", "alert=x"), "--wai: alert must be 0..4, got 'x'"},
      {with("hopeful=2", "hopeful=2.5"), "--wai: hopeful must be 0..4, got '2.5'"},
      {with("demands=mental", "demands=heavy"),
       "--wai: demands must be physical, mental or both, got 'heavy'"},
      {with("hopeful=2", "hopeful=2,mental=3"), "--wai: mental given twice"},
      {with("hopeful=2", "hopeful=2,work_demands=both"), "--wai: demands given twice"},
      {with("hopeful=2", "hopeful=2,mood=3"),
       "--wai: unknown item 'mood' (items: demands current physical mental diseases impairment "
       "sick_leave prognosis enjoy alert hopeful)"},
      {with("hopeful=2", "hopeful"),
       "--wai: expected key=value items like current=7,demands=mental, got 'hopeful'"},
  };
  for (const auto& c : cases) {
    auto w = ParseWai(c.value, "wai");
    ASSERT_FALSE(w.ok()) << c.value;
    EXPECT_EQ(Error(w.status()), c.error) << c.value;
  }
  EXPECT_FALSE(ParseWai("", "wai").ok());
}

TEST(ParseEmployment, StatusAndOptionalHours) {
  auto e = ParseEmployment("ordinary_work", "employment");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->status(), ov1::EMPLOYMENT_STATUS_ORDINARY_WORK);
  EXPECT_FALSE(e->has_weekly_hours());
  auto h = ParseEmployment("SUBSIDISED_WORK, hours=20", "employment");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->status(), ov1::EMPLOYMENT_STATUS_SUBSIDISED_WORK);
  EXPECT_EQ(h->weekly_hours(), 20);
  EXPECT_EQ(ParseEmployment("other", "employment")->status(), ov1::EMPLOYMENT_STATUS_OTHER);
  EXPECT_EQ(ParseEmployment("early_retirement", "employment")->status(),
            ov1::EMPLOYMENT_STATUS_EARLY_RETIREMENT);
  EXPECT_EQ(ParseEmployment("education,weekly_hours=0", "employment")->weekly_hours(), 0);
  for (int s = 1; s <= 8; ++s) {  // every status's printed name parses back
    auto status = static_cast<ov1::EmploymentStatus>(s);
    EXPECT_EQ(ParseEmployment(EmploymentStatusName(status), "employment")->status(), status);
  }
}

TEST(ParseEmployment, RejectsUnknownStatusesAndBadHours) {
  auto unknown = ParseEmployment("working", "employment");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(Error(unknown.status()), HasSubstr("--employment: expected a status (ordinary_work"));
  EXPECT_THAT(Error(unknown.status()), HasSubstr("got 'working'"));
  EXPECT_FALSE(ParseEmployment("", "employment").ok());
  EXPECT_FALSE(ParseEmployment("employment_status_unspecified", "employment").ok());
  EXPECT_EQ(Error(ParseEmployment("ordinary_work,hours=169", "employment").status()),
            "--employment: hours must be 0..168, got '169'");
  EXPECT_EQ(Error(ParseEmployment("ordinary_work,hours=", "employment").status()),
            "--employment: hours must be 0..168, got ''");
  EXPECT_EQ(Error(ParseEmployment("ordinary_work,20", "employment").status()),
            "--employment: after the status only hours=N is taken, got '20'");
  EXPECT_EQ(Error(ParseEmployment("ordinary_work,hours=20,hours=21", "employment").status()),
            "--employment: hours given twice");
}

TEST(ParseIdList, SplitsAndRejectsEmptyItems) {
  EXPECT_THAT(*ParseIdList("r1, r2 ,r3", "present"), ElementsAre("r1", "r2", "r3"));
  EXPECT_THAT(*ParseIdList("", "present"), IsEmpty());
  EXPECT_EQ(Error(ParseIdList("r1,,r2", "present").status()),
            "--present: an empty referral id in 'r1,,r2'");
  EXPECT_EQ(Error(ParseIdList("--excused", "absent").status()),
            "--absent: expected referral ids like r1,r2, got '--excused' (a value missing?)");
}

TEST(ParseExportFormat, ThreeFormats) {
  EXPECT_EQ(*ParseExportFormat("text", "format"), ov1::EXPORT_FORMAT_TEXT);
  EXPECT_EQ(*ParseExportFormat("CSV", "format"), ov1::EXPORT_FORMAT_CSV);
  EXPECT_EQ(*ParseExportFormat("json", "format"), ov1::EXPORT_FORMAT_JSON);
  EXPECT_EQ(Error(ParseExportFormat("xlsx", "format").status()),
            "--format: expected text, csv or json, got 'xlsx'");
}

// ---- Commands -----------------------------------------------------------------------------

TEST(ResolveOutcomesCommand, NamesSubcommandsAndOptions) {
  EXPECT_TRUE(IsOutcomesCommand("outcomes"));
  EXPECT_FALSE(IsOutcomesCommand("attendance"));
  EXPECT_EQ(*ResolveOutcomesCommand(Parse({"outcomes", "attendance", "record", "--session", "s"})),
            "attendance record");
  EXPECT_EQ(*ResolveOutcomesCommand(Parse({"outcomes", "schedule", "--cohort", "c", "--json"})),
            "schedule");
  EXPECT_EQ(*ResolveOutcomesCommand(Parse(
                {"--outcomes-addr", "h:1", "outcomes", "report", "program", "--format", "csv"})),
            "report program");

  auto error = [](const std::vector<std::string>& argv) {
    auto r = ResolveOutcomesCommand(Parse(argv));
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : Error(r.status());
  };
  EXPECT_EQ(error({"outcomes"}),
            "outcomes needs a command: attendance questionnaire report schedule");
  EXPECT_EQ(error({"outcomes", "attendance"}),
            "outcomes attendance needs a subcommand: record get");
  EXPECT_EQ(error({"outcomes", "attendance", "list"}),
            "unknown subcommand 'outcomes attendance list' (one of: record get)");
  EXPECT_EQ(
      error({"outcomes", "reports"}),
      "unknown command 'outcomes reports' (one of: attendance questionnaire report schedule)");
  EXPECT_EQ(error({"outcomes", "schedule", "0165-C1"}),
            "outcomes schedule: unexpected argument '0165-C1' (ids are given with options such "
            "as --cohort)");
  EXPECT_EQ(error({"outcomes", "attendance", "get", "--session", "s"}),
            "outcomes attendance get does not take --session");
  EXPECT_EQ(error({"outcomes", "report", "cohort", "--from", "2027-01-01"}),
            "outcomes report cohort does not take --from");
  EXPECT_EQ(error({"outcomes", "schedule", "--scheduling-addr", "h:1"}),
            "--scheduling-addr is the scheduling service's address; use --outcomes-addr (or "
            "$KPR_OUTCOMES_ADDR)");
  EXPECT_THAT(error({"outcomes", "schedule", "--addr", "h:1"}), HasSubstr("referral service's"));
  EXPECT_EQ(error({"outcomes", "attendance", "record", "--present", "--absent", "r2"}),
            "--present needs a value (got '--absent')");
}

TEST(OutcomesOptions, DoNotClashWithOtherGroupsFlags) {
  // An option taking a value in one group and none in another would break ParseArgs.
  for (const auto& o : OutcomesOptions()) EXPECT_EQ(SchedulingFlags().count(o), 0u) << o;
  for (const auto& f : OutcomesFlags()) EXPECT_EQ(SchedulingOptions().count(f), 0u) << f;
  EXPECT_TRUE(OutcomesOptions().count("outcomes-addr"));
  EXPECT_FALSE(OutcomesOptions().count("json"));
}

// ---- Requests -----------------------------------------------------------------------------

TEST(BuildRecordAttendance, MarksFromTheThreeLists) {
  auto req = BuildRecordAttendance(
      Parse({"outcomes", "attendance", "record", "--municipality", "0165", "--session", "0165-S1",
             "--present", "r1,r2", "--absent", "r3", "--excused", "r4"}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->ShortDebugString(),
            "municipality: \"0165\" session_id: \"0165-S1\" "
            "entries { referral_id: \"r1\" mark: ATTENDANCE_MARK_PRESENT } "
            "entries { referral_id: \"r2\" mark: ATTENDANCE_MARK_PRESENT } "
            "entries { referral_id: \"r3\" mark: ATTENDANCE_MARK_ABSENT } "
            "entries { referral_id: \"r4\" mark: ATTENDANCE_MARK_EXCUSED }");
  EXPECT_EQ(req->expected_version(), 0);  // the first recording

  auto correction =
      BuildRecordAttendance(Parse({"outcomes", "attendance", "record", "--municipality", "0165",
                                   "--session", "s", "--absent", "r1", "--expected-version", "3"}));
  ASSERT_TRUE(correction.ok()) << correction.status();
  EXPECT_EQ(correction->expected_version(), 3);
  EXPECT_EQ(
      BuildRecordAttendance(Parse({"outcomes", "attendance", "record", "--municipality", "0165",
                                   "--session", "s", "--absent", "r1", "--version", "2"}))
          ->expected_version(),
      2);
}

TEST(BuildRecordAttendance, RejectsMissingMarksDuplicatesAndBadVersions) {
  auto error = [](std::vector<std::string> extra) {
    std::vector<std::string> argv = {"outcomes", "attendance", "record", "--municipality",
                                     "0165",     "--session",  "s"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = BuildRecordAttendance(Parse(argv));
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : Error(r.status());
  };
  EXPECT_THAT(error({}), HasSubstr("attendance record needs the marks: --present, --absent"));
  EXPECT_THAT(error({"--present", ""}), HasSubstr("needs the marks"));
  EXPECT_EQ(error({"--present", "r1,r2", "--excused", "r2"}),
            "r2 is in both --present and --excused");
  EXPECT_EQ(error({"--absent", "r1,r1"}), "r1 is given twice in --absent");
  EXPECT_EQ(error({"--present", "r1", "--expected-version", "-1"}),
            "--expected-version: expected a whole number >= 0, got '-1'");
  EXPECT_EQ(error({"--present", "r1", "--expected-version", "1", "--version", "1"}),
            "give --expected-version or --version, not both");
  EXPECT_EQ(Error(BuildRecordAttendance(Parse({"outcomes", "attendance", "record", "--session", "s",
                                               "--present", "r1"}))
                      .status()),
            "attendance record needs --municipality");
  EXPECT_EQ(Error(BuildRecordAttendance(Parse({"outcomes", "attendance", "record", "--municipality",
                                               "0165", "--present", "r1"}))
                      .status()),
            "attendance record needs --session");
}

TEST(BuildSubmitQuestionnaire, OneInstrumentAtATime) {
  auto who5 = BuildSubmitQuestionnaire(
      Parse({"outcomes", "questionnaire", "submit", "--municipality", "0165", "--referral", "R",
             "--time-point", "baseline", "--who5", "3,3,2,2,3"}));
  ASSERT_TRUE(who5.ok()) << who5.status();
  EXPECT_EQ(who5->ShortDebugString(),
            "municipality: \"0165\" referral_id: \"R\" time_point: TIME_POINT_BASELINE "
            "who5 { cheerful: 3 calm: 3 active: 2 rested: 2 interested: 3 }");

  auto wai = BuildSubmitQuestionnaire(
      Parse({"outcomes", "questionnaire", "submit", "--municipality", "0165", "--referral", "R",
             "--time-point", "end", "--wai", kWai}));
  ASSERT_TRUE(wai.ok()) << wai.status();
  EXPECT_TRUE(wai->has_wai());
  EXPECT_EQ(wai->time_point(), ov1::TIME_POINT_END);

  auto emp = BuildSubmitQuestionnaire(
      Parse({"outcomes", "questionnaire", "submit", "--municipality", "0165", "--referral", "R",
             "--time-point", "12m", "--employment", "ordinary_work,hours=20"}));
  ASSERT_TRUE(emp.ok()) << emp.status();
  EXPECT_EQ(emp->ShortDebugString(),
            "municipality: \"0165\" referral_id: \"R\" time_point: TIME_POINT_FOLLOWUP_12M "
            "employment { status: EMPLOYMENT_STATUS_ORDINARY_WORK weekly_hours: 20 }");
}

TEST(BuildSubmitQuestionnaire, Errors) {
  auto error = [](std::vector<std::string> extra) {
    std::vector<std::string> argv = {"outcomes", "questionnaire", "submit", "--municipality",
                                     "0165",     "--referral",    "R"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = BuildSubmitQuestionnaire(Parse(argv));
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : Error(r.status());
  };
  EXPECT_EQ(error({"--who5", "3,3,2,2,3"}), "questionnaire submit needs --time-point");
  EXPECT_EQ(error({"--time-point", "baseline"}),
            "questionnaire submit needs one of --who5 | --wai | --employment");
  EXPECT_EQ(error({"--time-point", "baseline", "--who5", "3,3,2,2,3", "--employment", "education"}),
            "questionnaire submit takes one questionnaire at a time: --who5 or --employment, not "
            "both");
  EXPECT_EQ(error({"--time-point", "later", "--who5", "3,3,2,2,3"}),
            "--time-point: expected baseline, end, 1m or 12m, got 'later'");
  EXPECT_EQ(error({"--time-point", "end", "--who5", "3,3,2,2"}).substr(0, 36),
            "--who5: expected five answers 0..5 (");
}

TEST(BuildReads, MunicipalityAndIdRequired) {
  auto att = BuildGetAttendance(
      Parse({"outcomes", "attendance", "get", "--municipality", "0165", "--cohort", "C"}));
  ASSERT_TRUE(att.ok());
  EXPECT_EQ(att->ShortDebugString(), "municipality: \"0165\" cohort_id: \"C\"");
  EXPECT_EQ(
      Error(BuildGetAttendance(Parse({"outcomes", "attendance", "get", "--municipality", "0165"}))
                .status()),
      "attendance get needs --cohort");
  auto q = BuildGetQuestionnaires(
      Parse({"outcomes", "questionnaire", "get", "--municipality", "0165", "--referral", "R"}));
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->ShortDebugString(), "municipality: \"0165\" referral_id: \"R\"");
  auto s = BuildListQuestionnaireSchedule(
      Parse({"outcomes", "schedule", "--municipality", "0165", "--cohort", "C"}));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->ShortDebugString(), "municipality: \"0165\" cohort_id: \"C\"");
  EXPECT_EQ(Error(BuildListQuestionnaireSchedule(Parse({"outcomes", "schedule", "--cohort", "C"}))
                      .status()),
            "schedule needs --municipality");
}

TEST(BuildReports, CohortFormatDefaultsToText) {
  auto text = BuildExportCohortReport(
      Parse({"outcomes", "report", "cohort", "--municipality", "0165", "--cohort", "C"}));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->ShortDebugString(),
            "cohort { municipality: \"0165\" cohort_id: \"C\" } format: EXPORT_FORMAT_TEXT");
  EXPECT_EQ(BuildExportCohortReport(Parse({"outcomes", "report", "cohort", "--municipality", "0165",
                                           "--cohort", "C", "--format", "csv"}))
                ->format(),
            ov1::EXPORT_FORMAT_CSV);
  EXPECT_EQ(BuildExportCohortReport(Parse({"outcomes", "report", "cohort", "--municipality", "0165",
                                           "--cohort", "C", "--json"}))
                ->format(),
            ov1::EXPORT_FORMAT_JSON);
  EXPECT_EQ(
      Error(BuildExportCohortReport(Parse({"outcomes", "report", "cohort", "--municipality", "0165",
                                           "--cohort", "C", "--json", "--format", "csv"}))
                .status()),
      "--json asks for JSON but --format says csv: give one of them");
  EXPECT_EQ(Error(BuildExportCohortReport(Parse({"outcomes", "report", "cohort", "--municipality",
                                                 "0165", "--cohort", "C", "--out="}))
                      .status()),
            "--out: expected a file name");
}

TEST(BuildReports, ProgramPeriodIsDanishMidnightWhateverTheMachinesZone) {
  ASSERT_TRUE(MachineInNewYork());
  auto req = BuildExportProgramReport(
      Parse({"outcomes", "report", "program", "--municipality", "0165", "--program", "P", "--from",
             "2027-01-01", "--to", "2028-01-01", "--format", "csv"}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->format(), ov1::EXPORT_FORMAT_CSV);
  EXPECT_EQ(req->program().municipality(), "0165");
  EXPECT_EQ(req->program().program_id(), "P");
  // 2027-01-01 00:00 CET = 2026-12-31 23:00 UTC.
  EXPECT_EQ(req->program().from().seconds(),
            absl::ToUnixSeconds(absl::FromCivil(absl::CivilDay(2026, 12, 31), absl::UTCTimeZone()) +
                                absl::Hours(23)));
  EXPECT_EQ(req->program().to().seconds() - req->program().from().seconds(), 365 * 86400);

  auto year = BuildExportProgramReport(
      Parse({"outcomes", "report", "program", "--municipality", "0165", "--program", "P"}));
  ASSERT_TRUE(year.ok());
  EXPECT_FALSE(year->program().has_from());  // the service's default period
  EXPECT_FALSE(year->program().has_to());
  EXPECT_EQ(year->format(), ov1::EXPORT_FORMAT_TEXT);

  auto error = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {"outcomes", "report",    "program", "--municipality",
                                     "0165",     "--program", "P"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto r = BuildExportProgramReport(Parse(argv));
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : Error(r.status());
  };
  EXPECT_EQ(error({"--from", "2027-01-01"}),
            "give --from and --to together (or neither: the current calendar year)");
  EXPECT_EQ(error({"--from", "2027-01-01", "--to", "2027-01-01"}),
            "--from 2027-01-01 must be before --to 2027-01-01 (the period is [from, to))");
  EXPECT_THAT(error({"--from", "2027-13-01", "--to", "2028-01-01"}), HasSubstr("--from: expected"));
  EXPECT_THAT(error({"--from", "2027-01-01", "--to", "next year"}), HasSubstr("--to: expected"));
  EXPECT_EQ(error({"--format", "pdf"}), "--format: expected text, csv or json, got 'pdf'");
  EXPECT_EQ(Error(BuildExportProgramReport(
                      Parse({"outcomes", "report", "program", "--municipality", "0165"}))
                      .status()),
            "report program needs --program");
}

}  // namespace
}  // namespace kpr::kprctl
