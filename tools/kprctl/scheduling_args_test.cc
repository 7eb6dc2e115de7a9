#include "tools/kprctl/scheduling_args.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;

// Parses a command line the way kprctl's main does.
ParsedArgs Parse(const std::vector<std::string>& argv) {
  std::set<std::string> options = SchedulingOptions();
  options.insert("addr");  // a referral option, so ResolveSchedulingCommand sees it
  auto parsed = ParseArgs(argv, options, SchedulingFlags());
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : ParsedArgs{};
}

std::string Error(const absl::Status& s) { return std::string(s.message()); }

// ---- Values -------------------------------------------------------------------------------

// Days and weeks are libs/calendar's; what kprctl adds is the flag's name in the error.
TEST(DaysAndWeeks, ParsedByTheCalendarAndNamedByTheFlag) {
  auto plan = [](const std::string& week) {
    return BuildPlanCohort(
        Parse({"plan", "--municipality", "0165", "--program", "p", "--start-week", week}));
  };
  ASSERT_TRUE(plan("2027-W03").ok());
  EXPECT_EQ(plan("2026-W53")->start_iso_week(), 53);  // 2026 has 53 weeks
  EXPECT_EQ(plan("2027-w52")->start_iso_week(), 52);
  for (const char* bad : {"2027-3", "27-W03", "2027-W003", "2027-W0a", "2027-W00"}) {
    auto r = plan(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(Error(r.status()), HasSubstr("--start-week: \"")) << bad;
  }
  EXPECT_EQ(Error(plan("2027-W53").status()),
            "--start-week: \"2027-W53\" is not an ISO week like 2027-W33: 2027 has weeks 1-52");

  auto close = [](const std::string& from) {
    return BuildCloseVenue(
        Parse({"close-venue", "--municipality", "0165", "--institution", "i", "--venue", "v",
               "--from", from, "--to", "2028-03-01", "--reason", "r"}));
  };
  EXPECT_EQ(close("2028-02-29")->closure().first_day(), "2028-02-29");
  EXPECT_EQ(Error(close("2027-02-29").status()),
            "--from: \"2027-02-29\" is not a day YYYY-MM-DD");  // not March 1st
  for (const char* bad : {"2027-1-05", "05-01-2027", "2027/01/05", "20270105", "2027-01-05x"}) {
    auto r = close(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_THAT(Error(r.status()), HasSubstr("--from: \"")) << bad;
  }
}

TEST(ParseCohortStatus, ShortOrFullNames) {
  EXPECT_EQ(*ParseCohortStatus("open", "status"), sv1::COHORT_STATUS_OPEN);
  EXPECT_EQ(*ParseCohortStatus("CANCELLED", "status"), sv1::COHORT_STATUS_CANCELLED);
  EXPECT_EQ(*ParseCohortStatus("cohort_status_running", "status"), sv1::COHORT_STATUS_RUNNING);
  EXPECT_FALSE(ParseCohortStatus("unspecified", "status").ok());
  EXPECT_FALSE(ParseCohortStatus("cohort_status_unspecified", "status").ok());
  EXPECT_THAT(Error(ParseCohortStatus("closed", "status").status()), HasSubstr("--status"));
}

// ---- Commands -----------------------------------------------------------------------------

TEST(ResolveSchedulingCommand, NamesCommandsWithSubcommands) {
  EXPECT_TRUE(IsSchedulingCommand("plan"));
  EXPECT_TRUE(IsSchedulingCommand("cohort"));
  EXPECT_TRUE(IsSchedulingCommand("close-venue"));
  EXPECT_FALSE(IsSchedulingCommand("list"));  // the referral command
  EXPECT_EQ(*ResolveSchedulingCommand(Parse({"cohort", "create", "--name", "A"})), "cohort create");
  EXPECT_EQ(*ResolveSchedulingCommand(Parse({"--json", "sessions", "--cohort", "C"})), "sessions");
  EXPECT_EQ(*ResolveSchedulingCommand(Parse({"catalog", "load", "--file", "-"})), "catalog load");
}

TEST(ResolveSchedulingCommand, RejectsMissingOrUnknownSubcommandsAndStrayArguments) {
  EXPECT_EQ(Error(ResolveSchedulingCommand(Parse({"cohort"})).status()),
            "cohort needs a subcommand: create get list cancel");
  EXPECT_THAT(Error(ResolveSchedulingCommand(Parse({"cohort", "delete"})).status()),
              HasSubstr("unknown subcommand 'cohort delete'"));
  EXPECT_THAT(Error(ResolveSchedulingCommand(Parse({"cohort", "get", "C1"})).status()),
              HasSubstr("unexpected argument 'C1'"));
  EXPECT_THAT(Error(ResolveSchedulingCommand(Parse({"plan", "extra"})).status()),
              HasSubstr("unexpected argument 'extra'"));
}

TEST(ResolveSchedulingCommand, RejectsOptionsTheCommandDoesNotTake) {
  EXPECT_EQ(Error(ResolveSchedulingCommand(Parse({"plan", "--venue", "v"})).status()),
            "plan does not take --venue");
  EXPECT_EQ(Error(ResolveSchedulingCommand(Parse({"waitlist", "--include-cancelled"})).status()),
            "waitlist does not take --include-cancelled");
  EXPECT_THAT(Error(ResolveSchedulingCommand(Parse({"plan", "--addr", "h:1"})).status()),
              HasSubstr("--scheduling-addr"));
  // Global options go anywhere.
  EXPECT_TRUE(ResolveSchedulingCommand(Parse({"plan", "--json", "--token", "t", "--timeout", "3",
                                              "--scheduling-addr", "h:1", "--token-file", "f"}))
                  .ok());
  EXPECT_TRUE(TakesMunicipality("plan"));
  EXPECT_FALSE(TakesMunicipality("catalog load"));
}

TEST(SchedulingOptions, FlagsTakeNoValue) {
  EXPECT_TRUE(SchedulingOptions().count("start-week"));
  EXPECT_TRUE(SchedulingOptions().count("scheduling-addr"));
  EXPECT_FALSE(SchedulingOptions().count("include-cancelled"));
  EXPECT_TRUE(SchedulingFlags().count("include-cancelled"));
  auto a = Parse({"sessions", "--include-cancelled", "--cohort", "C"});
  EXPECT_EQ(a.Get("cohort"), "C");
}

// ---- Requests -----------------------------------------------------------------------------

TEST(BuildPlanCohort, FillsEveryField) {
  auto req = BuildPlanCohort(Parse({"plan", "--municipality", "0165", "--program", "kultur-6",
                                    "--start-week", "2027-W03", "--capacity", "12"}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->municipality(), "0165");
  EXPECT_EQ(req->program_id(), "kultur-6");
  EXPECT_EQ(req->start_iso_year(), 2027);
  EXPECT_EQ(req->start_iso_week(), 3);
  EXPECT_EQ(req->capacity(), 12);
  auto no_capacity = BuildPlanCohort(
      Parse({"plan", "--municipality", "0165", "--program", "p", "--start-week", "2027-W03"}));
  EXPECT_EQ(no_capacity->capacity(), 0);  // the program's max_cohort_size
}

TEST(BuildPlanCohort, NamesWhatIsMissingOrWrong) {
  EXPECT_EQ(Error(BuildPlanCohort(Parse({"plan", "--program", "p"})).status()),
            "plan needs --municipality");
  EXPECT_EQ(
      Error(BuildPlanCohort(Parse({"plan", "--municipality", "0165", "--start-week", "2027-W03"}))
                .status()),
      "plan needs --program");
  EXPECT_THAT(Error(BuildPlanCohort(Parse({"plan", "--municipality", "0165", "--program", "p",
                                           "--start-week", "2027-03"}))
                        .status()),
              HasSubstr("--start-week: \"2027-03\" is not an ISO week"));
  EXPECT_THAT(Error(BuildPlanCohort(Parse({"plan", "--municipality", "0165", "--program", "p",
                                           "--start-week", "2027-W03", "--capacity", "0"}))
                        .status()),
              HasSubstr("--capacity"));
}

TEST(BuildCreateCohort, NameOpensAtAndRequestId) {
  auto args =
      Parse({"cohort", "create", "--municipality", "0183", "--program", "ishoj-10", "--start-week",
             "2027-W10", "--name", "Forår A", "--opens-at", "2027-02-01", "--request-id", "r-1"});
  auto req = BuildCreateCohort(args);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->name(), "Forår A");
  EXPECT_EQ(req->start_iso_week(), 10);
  EXPECT_EQ(req->opens_at_unix_ms(), 1801436400000);  // Danish midnight: 2027-01-31T23:00:00Z
  EXPECT_EQ(req->request_id(), "r-1");
  auto minimal = BuildCreateCohort(Parse({"cohort", "create", "--municipality", "0183", "--program",
                                          "p", "--start-week", "2027-W10", "--name", "A"}));
  ASSERT_TRUE(minimal.ok());
  EXPECT_EQ(minimal->opens_at_unix_ms(), 0);  // open at once
  EXPECT_EQ(minimal->request_id(), "");       // the caller makes one up
  auto unnamed = BuildCreateCohort(Parse({"cohort", "create", "--municipality", "0183", "--program",
                                          "p", "--start-week", "2027-W10"}));
  ASSERT_TRUE(unnamed.ok()) << unnamed.status();
  EXPECT_EQ(unnamed->name(), "");  // the service names it after program and start week
}

TEST(BuildListCohorts, Filters) {
  auto req = BuildListCohorts(Parse({"cohort", "list", "--municipality", "0165", "--status", "open",
                                     "--program", "p", "--page-size", "200"}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->status(), sv1::COHORT_STATUS_OPEN);
  EXPECT_EQ(req->program_id(), "p");
  EXPECT_EQ(req->page_size(), 200);
  EXPECT_THAT(Error(BuildListCohorts(
                        Parse({"cohort", "list", "--municipality", "0165", "--page-size", "501"}))
                        .status()),
              HasSubstr("--page-size"));
}

TEST(BuildCancelCohort, VersionIsOptionalAndHasAnAlias) {
  auto without = BuildCancelCohort(Parse(
      {"cohort", "cancel", "--municipality", "0165", "--cohort", "C", "--reason", "too few"}));
  ASSERT_TRUE(without.ok());
  EXPECT_EQ(without->expected_version(), 0);
  auto with = BuildCancelCohort(Parse({"cohort", "cancel", "--municipality", "0165", "--cohort",
                                       "C", "--reason", "too few", "--expected-version", "4"}));
  EXPECT_EQ(with->expected_version(), 4);
  EXPECT_EQ(Error(BuildCancelCohort(
                      Parse({"cohort", "cancel", "--municipality", "0165", "--cohort", "C"}))
                      .status()),
            "cohort cancel needs --reason");
  EXPECT_THAT(
      Error(BuildCancelCohort(Parse({"cohort", "cancel", "--municipality", "0165", "--cohort", "C",
                                     "--reason", "r", "--version", "2", "--expected-version", "2"}))
                .status()),
      HasSubstr("not both"));
}

TEST(BuildListSessions, ExactlyOneSubjectAndAWeekByDefault) {
  const absl::CivilDay thursday(2027, 1, 21);
  auto inst = BuildListSessions(
      Parse({"sessions", "--municipality", "0165", "--institution", "musik"}), thursday);
  ASSERT_TRUE(inst.ok()) << inst.status();
  EXPECT_EQ(inst->institution_id(), "musik");
  EXPECT_EQ(inst->from_day(), "2027-01-18");  // that week's Monday
  EXPECT_EQ(inst->to_day(), "2027-01-24");
  EXPECT_FALSE(inst->include_cancelled());

  auto cohort = BuildListSessions(
      Parse({"sessions", "--municipality", "0165", "--cohort", "C", "--include-cancelled"}),
      thursday);
  EXPECT_EQ(cohort->cohort_id(), "C");
  EXPECT_EQ(cohort->from_day(), "");  // all of the cohort's sessions
  EXPECT_TRUE(cohort->include_cancelled());

  auto week = BuildListSessions(
      Parse({"sessions", "--municipality", "0165", "--venue", "v", "--week", "2027-W10"}),
      thursday);
  EXPECT_EQ(week->from_day(), "2027-03-08");
  EXPECT_EQ(week->to_day(), "2027-03-14");

  auto from = BuildListSessions(
      Parse({"sessions", "--municipality", "0165", "--instructor", "x", "--from", "2027-03-03"}),
      thursday);
  EXPECT_EQ(from->instructor_id(), "x");
  EXPECT_EQ(from->to_day(), "2027-03-09");

  EXPECT_EQ(
      Error(BuildListSessions(Parse({"sessions", "--municipality", "0165"}), thursday).status()),
      "sessions needs one of --cohort | --institution | --venue | --instructor");
  EXPECT_THAT(Error(BuildListSessions(Parse({"sessions", "--municipality", "0165", "--cohort", "C",
                                             "--venue", "v"}),
                                      thursday)
                        .status()),
              HasSubstr("one of --cohort and --venue, not both"));
  EXPECT_EQ(Error(BuildListSessions(Parse({"sessions", "--municipality", "0165", "--venue", "v",
                                           "--from", "2027-03-10", "--to", "2027-03-01"}),
                                    thursday)
                      .status()),
            "--from 2027-03-10 is after --to 2027-03-01");
  EXPECT_THAT(Error(BuildListSessions(Parse({"sessions", "--municipality", "0165", "--venue", "v",
                                             "--week", "2027-W10", "--from", "2027-03-10"}),
                                      thursday)
                        .status()),
              HasSubstr("--week or --from/--to"));
}

TEST(BuildRescheduleSession, ToASlotOrLetThePlannerChoose) {
  auto to_slot = BuildRescheduleSession(
      Parse({"session", "reschedule", "--municipality", "0165", "--session", "S1", "--version", "3",
             "--day", "2027-01-20", "--start", "10:30", "--venue", "sal-2", "--reason", "flu"}));
  ASSERT_TRUE(to_slot.ok()) << to_slot.status();
  EXPECT_EQ(to_slot->session_id(), "S1");
  EXPECT_EQ(to_slot->expected_version(), 3);
  EXPECT_EQ(to_slot->day(), "2027-01-20");
  EXPECT_EQ(to_slot->start_minute(), 630);
  EXPECT_EQ(to_slot->venue_id(), "sal-2");
  EXPECT_EQ(to_slot->instructor_id(), "");
  EXPECT_EQ(to_slot->reason(), "flu");

  auto best = BuildRescheduleSession(Parse({"session", "reschedule", "--municipality", "0165",
                                            "--session", "S1", "--version", "3", "--reason", "r"}));
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->day(), "");

  EXPECT_THAT(Error(BuildRescheduleSession(
                        Parse({"session", "reschedule", "--municipality", "0165", "--session", "S1",
                               "--version", "3", "--reason", "r", "--day", "2027-01-20"}))
                        .status()),
              HasSubstr("--day and --start together"));
  EXPECT_EQ(Error(BuildRescheduleSession(Parse({"session", "reschedule", "--municipality", "0165",
                                                "--session", "S1", "--reason", "r"}))
                      .status()),
            "session reschedule needs --version");
  EXPECT_THAT(Error(BuildRescheduleSession(Parse({"session", "reschedule", "--municipality", "0165",
                                                  "--session", "S1", "--version", "3", "--reason",
                                                  "r", "--day", "2027-01-20", "--start", "10.30"}))
                        .status()),
              HasSubstr("--start: expected a time HH:MM"));
  EXPECT_THAT(
      Error(BuildRescheduleSession(Parse({"session", "reschedule", "--municipality", "0165",
                                          "--session", "S1", "--version", "0", "--reason", "r"}))
                .status()),
      HasSubstr("--version: expected a whole number >= 1"));
}

TEST(BuildCancelSession, NeedsVersionAndReason) {
  auto req = BuildCancelSession(Parse({"session", "cancel", "--municipality", "0165", "--session",
                                       "S1", "--version", "2", "--reason", "storm"}));
  ASSERT_TRUE(req.ok());
  EXPECT_EQ(req->expected_version(), 2);
  EXPECT_EQ(req->reason(), "storm");
  EXPECT_EQ(Error(BuildCancelSession(Parse({"session", "cancel", "--municipality", "0165",
                                            "--session", "S1", "--version", "2"}))
                      .status()),
            "session cancel needs --reason");
}

TEST(BuildRepairs, CloseVenueAndAbsenceTakeARangeAndAReason) {
  auto close = BuildCloseVenue(
      Parse({"close-venue", "--municipality", "0165", "--institution", "musik", "--venue", "sal-1",
             "--from", "2027-02-01", "--to", "2027-02-14", "--reason", "new floor"}));
  ASSERT_TRUE(close.ok()) << close.status();
  EXPECT_EQ(close->venue_id(), "sal-1");
  EXPECT_EQ(close->closure().first_day(), "2027-02-01");
  EXPECT_EQ(close->closure().last_day(), "2027-02-14");
  EXPECT_EQ(close->closure().reason(), "new floor");

  auto absence = BuildAddInstructorAbsence(
      Parse({"absence", "--municipality", "0165", "--instructor", "ins-a", "--from", "2027-02-01",
             "--to", "2027-02-01", "--reason", "course"}));
  ASSERT_TRUE(absence.ok()) << absence.status();
  EXPECT_EQ(absence->instructor_id(), "ins-a");
  EXPECT_EQ(absence->absence().last_day(), "2027-02-01");

  EXPECT_EQ(Error(BuildCloseVenue(
                      Parse({"close-venue", "--municipality", "0165", "--institution", "musik",
                             "--venue", "sal-1", "--from", "2027-02-01", "--to", "2027-02-14"}))
                      .status()),
            "close-venue needs --reason");
  EXPECT_EQ(
      Error(BuildAddInstructorAbsence(Parse({"absence", "--municipality", "0165", "--instructor",
                                             "x", "--from", "2027-02-01", "--reason", "r"}))
                .status()),
      "absence needs --to");
  EXPECT_EQ(Error(BuildAddInstructorAbsence(
                      Parse({"absence", "--municipality", "0165", "--instructor", "x", "--from",
                             "2027-02-10", "--to", "2027-02-01", "--reason", "r"}))
                      .status()),
            "--from 2027-02-10 is after --to 2027-02-01");
}

TEST(BuildEnroll, CohortOrProgram) {
  auto by_cohort = BuildEnroll(Parse(
      {"enroll", "--municipality", "0165", "--cohort", "C", "--referral", "R", "--citizen", "Z"}));
  ASSERT_TRUE(by_cohort.ok());
  EXPECT_EQ(by_cohort->cohort_id(), "C");
  EXPECT_EQ(by_cohort->program_id(), "");
  auto by_program = BuildEnroll(Parse(
      {"enroll", "--municipality", "0165", "--program", "P", "--referral", "R", "--citizen", "Z"}));
  EXPECT_EQ(by_program->program_id(), "P");
  EXPECT_EQ(by_program->citizen_id(), "Z");
  EXPECT_EQ(Error(BuildEnroll(Parse({"enroll", "--municipality", "0165", "--referral", "R",
                                     "--citizen", "Z"}))
                      .status()),
            "enroll needs one of --cohort | --program");
  EXPECT_EQ(Error(BuildEnroll(Parse({"enroll", "--municipality", "0165", "--program", "P",
                                     "--referral", "R"}))
                      .status()),
            "enroll needs --citizen");
}

TEST(BuildEnrolmentViews, UnenrollWaitlistParticipants) {
  auto un = BuildUnenroll(Parse({"unenroll", "--municipality", "0165", "--cohort", "C",
                                 "--referral", "R", "--reason", "moved away"}));
  ASSERT_TRUE(un.ok());
  EXPECT_EQ(un->reason(), "moved away");
  EXPECT_EQ(BuildGetWaitlist(Parse({"waitlist", "--municipality", "0165", "--program", "P"}))
                ->program_id(),
            "P");
  EXPECT_EQ(
      Error(BuildListParticipants(Parse({"participants", "--municipality", "0165"})).status()),
      "participants needs --cohort");
}

TEST(BuildExportCalendar, CohortOrInstitutionWithAnOptionalRange) {
  auto cohort = BuildExportCalendar(Parse({"ics", "--municipality", "0165", "--cohort", "C"}));
  ASSERT_TRUE(cohort.ok());
  EXPECT_EQ(cohort->cohort_id(), "C");
  EXPECT_EQ(cohort->from_day(), "");
  auto inst = BuildExportCalendar(Parse({"ics", "--municipality", "0165", "--institution", "musik",
                                         "--from", "2027-01-01", "--to", "2027-06-30"}));
  EXPECT_EQ(inst->institution_id(), "musik");
  EXPECT_EQ(inst->to_day(), "2027-06-30");
  EXPECT_THAT(Error(BuildExportCalendar(Parse({"ics", "--municipality", "0165", "--cohort", "C",
                                               "--institution", "i"}))
                        .status()),
              HasSubstr("not both"));
}

TEST(BuildCatalogViews, NeedTheMunicipality) {
  EXPECT_EQ(Error(BuildListInstitutions(Parse({"institutions"})).status()),
            "institutions needs --municipality");
  auto instructors =
      BuildListInstructors(Parse({"instructors", "--municipality", "0165", "--institution", "m"}));
  EXPECT_EQ(instructors->institution_id(), "m");
  EXPECT_EQ(BuildListPrograms(Parse({"programs", "--municipality", "0183"}))->municipality(),
            "0183");
  EXPECT_EQ(BuildGetCalendar(Parse({"calendar", "--municipality", "0183"}))->municipality(),
            "0183");
}

}  // namespace
}  // namespace kpr::kprctl
