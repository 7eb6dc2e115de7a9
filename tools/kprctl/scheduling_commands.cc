#include "tools/kprctl/scheduling_commands.h"

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"
#include "libs/calendar/danish_time.h"
#include "tools/kprctl/catalog_bundle.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/enrolment_format.h"
#include "tools/kprctl/scheduling_format.h"

namespace kpr::kprctl {

const char kSchedulingUsage[] = R"(
Scheduling commands (kpr-scheduling; --municipality defaults to $KPR_MUNICIPALITY).
Days are YYYY-MM-DD, weeks 2027-W03, times HH:MM, all Danish. Session and cohort versions are
shown in the listings; --expected-version is accepted for --version.
  catalog load  --file F|- [--dry-run]
                put each institution, instructor, calendar and program of a
                kpr.scheduling.v1.CatalogBundle (JSON, protobuf mapping) into the catalog,
                overwriting what is there; --dry-run only checks and lists the file
  institutions  --municipality M                     institutions and their venues
  instructors   --municipality M [--institution I]
  programs      --municipality M                     program templates and their activities
  calendar      --municipality M                     the municipality's closed periods
  plan          --municipality M --program P --start-week 2027-W03 [--capacity N]
                dry run: the timetable, its score and the soft constraints it gives up;
                or what stands in the way (exit code 3)
  cohort create --municipality M --program P --start-week W [--name NAME] [--capacity N]
                [--opens-at YYYY-MM-DD[ HH:MM]] [--request-id ID]
                plan and book at once (exit code 3 when no timetable exists); a retry with the
                same --request-id never books twice (default: a random id, shown on failure)
  cohort get    --municipality M --cohort C
  cohort list   --municipality M [--program P] [--status planned|open|running|completed|cancelled]
                [--page-size N] [--page-token T] [--all]
  cohort cancel --municipality M --cohort C --reason TEXT [--version V]
  sessions      --municipality M (--cohort C | --institution I | --venue V | --instructor X)
                [--week W | --from DAY [--to DAY]] [--include-cancelled]
                the week view, by day; default the current week (for a cohort: all sessions)
  session reschedule --municipality M --session S --version V --reason TEXT
                [--day DAY --start HH:MM] [--venue V] [--instructor X]
                without --day/--start the planner picks the best free slot in the same week
  session cancel --municipality M --session S --version V --reason TEXT
  close-venue   --municipality M --institution I --venue V --from DAY --to DAY --reason TEXT
  absence       --municipality M --instructor X --from DAY --to DAY --reason TEXT
                re-plan the affected future sessions: prints those moved and those cancelled
  enroll        --municipality M (--cohort C | --program P) --referral R --citizen C
                into the cohort, or the program's next open cohort with a seat, else onto
                the program's waitlist
  unenroll      --municipality M --cohort C --referral R [--reason TEXT]
  waitlist      --municipality M --program P
  participants  --municipality M --cohort C
  ics           --municipality M (--cohort C | --institution I) [--week W | --from DAY --to DAY]
                [--out FILE]                         iCalendar to standard output or FILE
)";

namespace {

using Stub = sv1::SchedulingService::Stub;

// A random request id, so a retried `cohort create` can be recognised as the same request.
std::string RandomRequestId() {
  std::random_device rd;
  std::string id = "kprctl-";
  for (int i = 0; i < 4; ++i) absl::StrAppend(&id, absl::Hex(rd(), absl::kZeroPad8));
  return id;
}

class Scheduling : public ServiceClient<sv1::SchedulingService> {
 public:
  explicit Scheduling(const ParsedArgs& args)
      : ServiceClient(args, Connection::FromArgs(args, "kpr-scheduling", "scheduling-addr",
                                                 "KPR_SCHEDULING_ADDR", "127.0.0.1:50052")) {}
};

int CatalogLoad(const ParsedArgs& a) {
  if (a.Get("file").empty()) Usage("catalog load needs --file (a file, or - for standard input)");
  auto text = ReadInput(a.Get("file"));
  if (!text.ok()) Fail(std::string(text.status().message()));
  auto parsed = ParseCatalogBundle(*text);
  if (!parsed.ok()) Fail(absl::StrCat(a.Get("file"), ": ", parsed.status().message()));
  sv1::CatalogBundle bundle = *std::move(parsed);
  if (a.Has("dry-run")) {
    if (a.Has("json")) {
      std::cout << ToJson(bundle);
      return 0;
    }
    std::cout << "Would load:\n";
    for (const auto& e : bundle.institutions()) std::cout << "  " << DescribeEntry(e) << "\n";
    for (const auto& e : bundle.instructors()) std::cout << "  " << DescribeEntry(e) << "\n";
    for (const auto& e : bundle.calendars()) std::cout << "  " << DescribeEntry(e) << "\n";
    for (const auto& e : bundle.programs()) std::cout << "  " << DescribeEntry(e) << "\n";
    return 0;
  }

  Scheduling s(a);
  sv1::CatalogBundle loaded;
  int count = 0;
  bool json = a.Has("json");
  // Institutions first: instructors and programs refer to them.
  auto put = [&](auto* request, const auto& entry, auto method, auto* result) {
    auto& item = *request;
    item.set_expected_version(0);  // create or overwrite
    grpc::Status status = s.Try(method, item, result);
    if (!status.ok()) {
      std::string hint =
          status.error_code() == grpc::StatusCode::UNAVAILABLE
              ? absl::StrCat(" (is kpr-scheduling running at ", s.conn().addr(), "?)")
              : "";
      Fail(absl::StrCat("loading ", DescribeEntry(entry), " failed: ", DescribeStatus(status), hint,
                        "; ", count, count == 1 ? " entry" : " entries", " loaded before it"));
    }
    ++count;
    if (!json)
      std::cout << "loaded " << DescribeEntry(*result) << " (version " << result->version()
                << ")\n";
  };
  for (auto& e : *bundle.mutable_institutions()) {
    e.set_version(0);
    sv1::PutInstitutionRequest req;
    *req.mutable_institution() = e;
    put(&req, e, &Stub::PutInstitution, loaded.add_institutions());
  }
  for (auto& e : *bundle.mutable_instructors()) {
    e.set_version(0);
    sv1::PutInstructorRequest req;
    *req.mutable_instructor() = e;
    put(&req, e, &Stub::PutInstructor, loaded.add_instructors());
  }
  for (auto& e : *bundle.mutable_calendars()) {
    e.set_version(0);
    sv1::PutCalendarRequest req;
    *req.mutable_calendar() = e;
    put(&req, e, &Stub::PutCalendar, loaded.add_calendars());
  }
  for (auto& e : *bundle.mutable_programs()) {
    e.set_version(0);
    sv1::PutProgramRequest req;
    *req.mutable_program() = e;
    put(&req, e, &Stub::PutProgram, loaded.add_programs());
  }
  if (json) {
    std::cout << ToJson(loaded);
  } else {
    std::cout << "Loaded " << count << (count == 1 ? " entry.\n" : " entries.\n");
  }
  return 0;
}

int Institutions(Scheduling& s) {
  auto resp = s.Call(&Stub::ListInstitutions, OrUsage(BuildListInstitutions(s.args())));
  s.Print(resp, FormatInstitutions(resp));
  return 0;
}

int Instructors(Scheduling& s) {
  auto resp = s.Call(&Stub::ListInstructors, OrUsage(BuildListInstructors(s.args())));
  s.Print(resp, FormatInstructors(resp));
  return 0;
}

int Programs(Scheduling& s) {
  auto resp = s.Call(&Stub::ListPrograms, OrUsage(BuildListPrograms(s.args())));
  s.Print(resp, FormatPrograms(resp));
  return 0;
}

int Calendar(Scheduling& s) {
  auto resp = s.Call(&Stub::GetCalendar, OrUsage(BuildGetCalendar(s.args())));
  s.Print(resp, FormatCalendar(resp));
  return 0;
}

int Plan(Scheduling& s) {
  auto req = OrUsage(BuildPlanCohort(s.args()));
  auto resp = s.Call(&Stub::PlanCohort, req);
  s.Print(resp, FormatPlan(resp));
  return resp.feasible() ? 0 : kExitInfeasible;
}

int CohortCreate(Scheduling& s) {
  auto req = OrUsage(BuildCreateCohort(s.args()));
  if (req.request_id().empty()) req.set_request_id(RandomRequestId());
  sv1::CreateCohortResponse resp;
  grpc::Status status = s.Try(&Stub::CreateCohort, req, &resp);
  if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
    std::cerr << "kprctl: no cohort was booked: " << status.error_message()
              << "\n(kprctl plan with the same options lists what stands in the way)\n";
    return kExitInfeasible;
  }
  if (!status.ok() && status.error_code() != grpc::StatusCode::INVALID_ARGUMENT &&
      status.error_code() != grpc::StatusCode::PERMISSION_DENIED &&
      status.error_code() != grpc::StatusCode::UNAUTHENTICATED &&
      status.error_code() != grpc::StatusCode::NOT_FOUND) {
    // The cohort may have been booked before the call failed: the same request id makes a
    // retry return it instead of booking a second one.
    std::cerr << "kprctl: to retry safely, add --request-id " << req.request_id() << "\n";
  }
  s.conn().Check(status);
  s.Print(resp, FormatCreatedCohort(resp));
  return 0;
}

int CohortGet(Scheduling& s) {
  auto resp = s.Call(&Stub::GetCohort, OrUsage(BuildGetCohort(s.args())));
  s.Print(resp, FormatCohort(resp));
  return 0;
}

int CohortList(Scheduling& s) {
  auto req = OrUsage(BuildListCohorts(s.args()));
  sv1::ListCohortsResponse all;
  while (true) {
    auto resp = s.Call(&Stub::ListCohorts, req);
    for (auto& c : *resp.mutable_cohorts()) *all.add_cohorts() = std::move(c);
    all.set_next_page_token(resp.next_page_token());
    if (!s.args().Has("all") || resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  s.Print(all, FormatCohortList(all));
  return 0;
}

int CohortCancel(Scheduling& s) {
  auto req = OrUsage(BuildCancelCohort(s.args()));
  if (req.expected_version() == 0) {
    // Without --version: cancel the cohort as it is now.
    sv1::GetCohortRequest get;
    get.set_municipality(req.municipality());
    get.set_cohort_id(req.cohort_id());
    req.set_expected_version(s.Call(&Stub::GetCohort, get).version());
  }
  auto resp = s.Call(&Stub::CancelCohort, req);
  s.Print(resp,
          absl::StrCat("Cohort ", resp.cohort_id(), " is now ", CohortStatusName(resp.status()),
                       " (version ", resp.version(), ").\n"));
  return 0;
}

int SessionsView(Scheduling& s) {
  auto req = OrUsage(BuildListSessions(s.args(), calendar::LocalDay(absl::Now())));
  auto resp = s.Call(&Stub::ListSessions, req);
  std::string what = !req.cohort_id().empty()        ? "cohort " + req.cohort_id()
                     : !req.institution_id().empty() ? "institution " + req.institution_id()
                     : !req.venue_id().empty()       ? "venue " + req.venue_id()
                                                     : "instructor " + req.instructor_id();
  std::string heading = absl::StrCat("Sessions of ", what);
  if (!req.from_day().empty())
    absl::StrAppend(&heading, ", ", req.from_day(), " to ", req.to_day());
  s.Print(resp, absl::StrCat(heading, ":\n", FormatWeekView(resp.sessions())));
  return 0;
}

int SessionReschedule(Scheduling& s) {
  auto resp = s.Call(&Stub::RescheduleSession, OrUsage(BuildRescheduleSession(s.args())));
  s.Print(resp, FormatSessionChange(resp));
  return 0;
}

int SessionCancel(Scheduling& s) {
  auto resp = s.Call(&Stub::CancelSession, OrUsage(BuildCancelSession(s.args())));
  s.Print(resp, FormatSessionChange(resp));
  return 0;
}

int CloseVenue(Scheduling& s) {
  auto req = OrUsage(BuildCloseVenue(s.args()));
  auto resp = s.Call(&Stub::CloseVenue, req);
  s.Print(resp, absl::StrCat("Venue ", req.venue_id(), " of ", req.institution_id(), " is closed ",
                             req.closure().first_day(), " to ", req.closure().last_day(), ".\n",
                             FormatRepair(resp)));
  return 0;
}

int Absence(Scheduling& s) {
  auto req = OrUsage(BuildAddInstructorAbsence(s.args()));
  auto resp = s.Call(&Stub::AddInstructorAbsence, req);
  s.Print(resp,
          absl::StrCat("Instructor ", req.instructor_id(), " is absent ", req.absence().first_day(),
                       " to ", req.absence().last_day(), ".\n", FormatRepair(resp)));
  return 0;
}

int Enroll(Scheduling& s) {
  auto resp = s.Call(&Stub::Enroll, OrUsage(BuildEnroll(s.args())));
  s.Print(resp, FormatEnroll(resp));
  return 0;
}

int Unenroll(Scheduling& s) {
  auto req = OrUsage(BuildUnenroll(s.args()));
  auto resp = s.Call(&Stub::Unenroll, req);
  s.Print(resp, FormatUnenroll(req, resp));
  return 0;
}

int Waitlist(Scheduling& s) {
  auto req = OrUsage(BuildGetWaitlist(s.args()));
  auto resp = s.Call(&Stub::GetWaitlist, req);
  s.Print(resp, FormatWaitlist(req.program_id(), resp));
  return 0;
}

int Participants(Scheduling& s) {
  auto resp = s.Call(&Stub::ListParticipants, OrUsage(BuildListParticipants(s.args())));
  s.Print(resp, FormatParticipants(resp));
  return 0;
}

int Ics(Scheduling& s) {
  const ParsedArgs& a = s.args();
  auto req = OrUsage(BuildExportCalendar(a));
  if (a.Has("out") && a.Has("json")) Usage("ics: --out writes the .ics file; leave out --json");
  auto resp = s.Call(&Stub::ExportCalendar, req);
  if (!a.Has("out")) {
    s.Print(resp, resp.ics());
    return 0;
  }
  const std::string out = a.Get("out");
  WriteFileAtomically(out, resp.ics());
  size_t events = 0;
  for (size_t pos = resp.ics().find("BEGIN:VEVENT"); pos != std::string::npos;
       pos = resp.ics().find("BEGIN:VEVENT", pos + 1)) {
    ++events;
  }
  std::cout << "Wrote " << out << " (" << events << (events == 1 ? " event" : " events") << ").\n";
  return 0;
}

}  // namespace

int RunSchedulingCommand(const ParsedArgs& parsed) {
  std::string name = OrUsage(ResolveSchedulingCommand(parsed));
  ParsedArgs a = parsed;
  if (TakesMunicipality(name)) DefaultMunicipalityFromEnv(a);
  if (name == "catalog load") return CatalogLoad(a);
  static const auto* commands = new std::map<std::string, std::function<int(Scheduling&)>>{
      {"institutions", Institutions},
      {"instructors", Instructors},
      {"programs", Programs},
      {"calendar", Calendar},
      {"plan", Plan},
      {"cohort create", CohortCreate},
      {"cohort get", CohortGet},
      {"cohort list", CohortList},
      {"cohort cancel", CohortCancel},
      {"sessions", SessionsView},
      {"session reschedule", SessionReschedule},
      {"session cancel", SessionCancel},
      {"close-venue", CloseVenue},
      {"absence", Absence},
      {"enroll", Enroll},
      {"unenroll", Unenroll},
      {"waitlist", Waitlist},
      {"participants", Participants},
      {"ics", Ics},
  };
  auto it = commands->find(name);
  if (it == commands->end()) Usage(absl::StrCat("unknown command '", name, "'"));
  Scheduling s(a);
  return it->second(s);
}

}  // namespace kpr::kprctl
