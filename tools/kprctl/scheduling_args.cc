#include "tools/kprctl/scheduling_args.h"

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/iso_week.h"
#include "tools/kprctl/short_enum.h"

namespace kpr::kprctl {
namespace {

// Options every scheduling command accepts.
const std::set<std::string>& GlobalOptions() {
  static const auto* g = new std::set<std::string>{"scheduling-addr", "token", "token-file",
                                                   "timeout",         "json",  "help"};
  return *g;
}

// Command name -> the options it takes besides the global ones.
const std::map<std::string, std::set<std::string>>& Specs() {
  static const auto* specs = new std::map<std::string, std::set<std::string>>{
      {"catalog load", {"file", "dry-run"}},
      {"institutions", {"municipality"}},
      {"instructors", {"municipality", "institution"}},
      {"programs", {"municipality"}},
      {"calendar", {"municipality"}},
      {"plan", {"municipality", "program", "start-week", "capacity"}},
      {"cohort create",
       {"municipality", "program", "start-week", "capacity", "name", "opens-at", "request-id"}},
      {"cohort get", {"municipality", "cohort"}},
      {"cohort list", {"municipality", "program", "status", "page-size", "page-token", "all"}},
      {"cohort cancel", {"municipality", "cohort", "reason", "version", "expected-version"}},
      {"sessions",
       {"municipality", "cohort", "institution", "venue", "instructor", "from", "to", "week",
        "include-cancelled"}},
      {"session reschedule",
       {"municipality", "session", "version", "expected-version", "day", "start", "venue",
        "instructor", "reason"}},
      {"session cancel", {"municipality", "session", "version", "expected-version", "reason"}},
      {"close-venue", {"municipality", "institution", "venue", "from", "to", "reason"}},
      {"absence", {"municipality", "instructor", "from", "to", "reason"}},
      {"enroll", {"municipality", "cohort", "program", "referral", "citizen"}},
      {"unenroll", {"municipality", "cohort", "referral", "reason"}},
      {"waitlist", {"municipality", "program"}},
      {"participants", {"municipality", "cohort"}},
      {"ics", {"municipality", "cohort", "institution", "from", "to", "week", "out"}},
  };
  return *specs;
}

const std::map<std::string, std::vector<std::string>>& Subcommands() {
  static const auto* subs = new std::map<std::string, std::vector<std::string>>{
      {"catalog", {"load"}},
      {"cohort", {"create", "get", "list", "cancel"}},
      {"session", {"reschedule", "cancel"}},
  };
  return *subs;
}

// --version, or its alias --expected-version (the referral `status` command's name for it).
absl::StatusOr<int64_t> Version(const ParsedArgs& a, const std::string& command, bool required) {
  if (a.Has("version") && a.Has("expected-version")) {
    return absl::InvalidArgumentError("give --version or --expected-version, not both");
  }
  std::string flag = a.Has("expected-version") ? "expected-version" : "version";
  if (!a.Has(flag)) {
    if (required) return absl::InvalidArgumentError(absl::StrCat(command, " needs --version"));
    return 0;
  }
  return ParseInteger(a.Get(flag), flag, 1, INT64_MAX);
}

// Exactly one of `flags` is given: its name.
absl::StatusOr<std::string> ExactlyOne(const ParsedArgs& a, const std::string& command,
                                       const std::vector<std::string>& flags) {
  std::string found;
  std::string all;
  for (const auto& f : flags) {
    absl::StrAppend(&all, all.empty() ? "" : " | ", "--", f);
    if (a.Get(f).empty()) continue;
    if (!found.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(command, " takes one of --", found, " and --", f, ", not both"));
    }
    found = f;
  }
  if (found.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(command, " needs one of ", all));
  }
  return found;
}

struct DayRange {
  std::string from;
  std::string to;
};

// --week, or --from/--to (one alone spans the week from/up to it); nullopt when none is given.
absl::StatusOr<std::optional<DayRange>> Range(const ParsedArgs& a) {
  if (a.Has("week")) {
    if (a.Has("from") || a.Has("to")) {
      return absl::InvalidArgumentError("give --week or --from/--to, not both");
    }
    KPRCTL_TRY(week, ForFlag("week", calendar::ParseIsoWeekLabel(a.Get("week"))));
    absl::CivilDay monday = calendar::MondayOfIsoWeek(week.year, week.week);
    return DayRange{calendar::FormatDay(monday), calendar::FormatDay(monday + 6)};
  }
  if (!a.Has("from") && !a.Has("to")) return std::nullopt;
  std::optional<absl::CivilDay> from, to;
  if (a.Has("from")) {
    KPRCTL_TRY(d, ForFlag("from", calendar::ParseDay(a.Get("from"))));
    from = d;
  }
  if (a.Has("to")) {
    KPRCTL_TRY(d, ForFlag("to", calendar::ParseDay(a.Get("to"))));
    to = d;
  }
  if (!from) from = *to - 6;
  if (!to) to = *from + 6;
  if (*from > *to) {
    return absl::InvalidArgumentError(absl::StrCat("--from ", calendar::FormatDay(*from),
                                                   " is after --to ", calendar::FormatDay(*to)));
  }
  return DayRange{calendar::FormatDay(*from), calendar::FormatDay(*to)};
}

// Both --from and --to, in order.
absl::StatusOr<sv1::DateRange> RequiredRange(const ParsedArgs& a, const std::string& command) {
  KPRCTL_TRY(from_text, Need(a, command, "from"));
  KPRCTL_TRY(to_text, Need(a, command, "to"));
  KPRCTL_TRY(reason, Need(a, command, "reason"));
  KPRCTL_TRY(from, ForFlag("from", calendar::ParseDay(from_text)));
  KPRCTL_TRY(to, ForFlag("to", calendar::ParseDay(to_text)));
  if (from > to) {
    return absl::InvalidArgumentError(
        absl::StrCat("--from ", from_text, " is after --to ", to_text));
  }
  sv1::DateRange r;
  r.set_first_day(calendar::FormatDay(from));
  r.set_last_day(calendar::FormatDay(to));
  r.set_reason(reason);
  return r;
}

// The arguments plan and cohort create share.
template <typename Request>
absl::Status FillPlanArgs(const ParsedArgs& a, const std::string& command, Request& req) {
  KPRCTL_TRY(municipality, Need(a, command, "municipality"));
  KPRCTL_TRY(program, Need(a, command, "program"));
  KPRCTL_TRY(week_text, Need(a, command, "start-week"));
  KPRCTL_TRY(week, ForFlag("start-week", calendar::ParseIsoWeekLabel(week_text)));
  req.set_municipality(municipality);
  req.set_program_id(program);
  req.set_start_iso_year(week.year);
  req.set_start_iso_week(week.week);
  if (a.Has("capacity")) {
    KPRCTL_TRY(capacity, ParseInteger(a.Get("capacity"), "capacity", 1, 1000));
    req.set_capacity(static_cast<int32_t>(capacity));
  }
  return absl::OkStatus();
}

}  // namespace

// ---- Values -------------------------------------------------------------------------------

absl::StatusOr<sv1::CohortStatus> ParseCohortStatus(const std::string& value,
                                                    const std::string& flag) {
  auto s = ParseShortEnum<sv1::CohortStatus>(value, sv1::CohortStatus_Parse, "COHORT_STATUS_");
  if (!s) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": expected planned, open, running, completed or cancelled, got '",
                     value, "'"));
  }
  return *s;
}

// ---- Commands -----------------------------------------------------------------------------

bool IsSchedulingCommand(const std::string& command) {
  return Subcommands().count(command) > 0 || Specs().count(command) > 0;
}

const std::set<std::string>& SchedulingOptions() {
  static const auto* options = [] {
    auto* s = new std::set<std::string>;
    for (const auto& [name, opts] : Specs()) s->insert(opts.begin(), opts.end());
    for (const auto& g : GlobalOptions()) s->insert(g);
    for (const auto& f : SchedulingFlags()) s->erase(f);
    return s;
  }();
  return *options;
}

const std::set<std::string>& SchedulingFlags() {
  static const auto* flags =
      new std::set<std::string>{"json", "help", "all", "dry-run", "include-cancelled"};
  return *flags;
}

absl::StatusOr<std::string> ResolveSchedulingCommand(const ParsedArgs& args) {
  std::string name = args.command;
  size_t used = 0;
  if (auto it = Subcommands().find(args.command); it != Subcommands().end()) {
    std::string choices;
    for (const auto& s : it->second) absl::StrAppend(&choices, choices.empty() ? "" : " ", s);
    if (args.positional.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(args.command, " needs a subcommand: ", choices));
    }
    name = absl::StrCat(args.command, " ", args.positional[0]);
    if (Specs().count(name) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown subcommand '", name, "' (one of: ", choices, ")"));
    }
    used = 1;
  }
  if (Specs().count(name) == 0) {
    return absl::InvalidArgumentError(absl::StrCat("unknown command '", name, "'"));
  }
  if (args.positional.size() > used) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": unexpected argument '", args.positional[used],
                     "' (ids are given with options such as --cohort)"));
  }
  const auto& allowed = Specs().at(name);
  for (const auto& [option, value] : args.options) {
    if (allowed.count(option) || GlobalOptions().count(option)) continue;
    if (option == "addr") {
      return absl::InvalidArgumentError(
          "--addr is the referral service's address; use --scheduling-addr (or "
          "$KPR_SCHEDULING_ADDR)");
    }
    return absl::InvalidArgumentError(absl::StrCat(name, " does not take --", option));
  }
  return name;
}

bool TakesMunicipality(const std::string& command) {
  auto it = Specs().find(command);
  return it != Specs().end() && it->second.count("municipality") > 0;
}

// ---- Requests -----------------------------------------------------------------------------

absl::StatusOr<sv1::ListInstitutionsRequest> BuildListInstitutions(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "institutions", "municipality"));
  sv1::ListInstitutionsRequest req;
  req.set_municipality(m);
  return req;
}

absl::StatusOr<sv1::ListInstructorsRequest> BuildListInstructors(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "instructors", "municipality"));
  sv1::ListInstructorsRequest req;
  req.set_municipality(m);
  req.set_institution_id(a.Get("institution"));
  return req;
}

absl::StatusOr<sv1::ListProgramsRequest> BuildListPrograms(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "programs", "municipality"));
  sv1::ListProgramsRequest req;
  req.set_municipality(m);
  return req;
}

absl::StatusOr<sv1::GetCalendarRequest> BuildGetCalendar(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "calendar", "municipality"));
  sv1::GetCalendarRequest req;
  req.set_municipality(m);
  return req;
}

absl::StatusOr<sv1::PlanCohortRequest> BuildPlanCohort(const ParsedArgs& a) {
  sv1::PlanCohortRequest req;
  if (auto st = FillPlanArgs(a, "plan", req); !st.ok()) return st;
  return req;
}

absl::StatusOr<sv1::CreateCohortRequest> BuildCreateCohort(const ParsedArgs& a) {
  sv1::CreateCohortRequest req;
  if (auto st = FillPlanArgs(a, "cohort create", req); !st.ok()) return st;
  // Optional: the service names an unnamed cohort after its program and start week.
  req.set_name(a.Get("name"));
  if (a.Has("opens-at")) {
    KPRCTL_TRY(opens_at, ParseInstant(a.Get("opens-at"), "opens-at"));
    req.set_opens_at_unix_ms(absl::ToUnixMillis(opens_at));
  }
  if (a.Has("request-id")) {
    KPRCTL_TRY(id, Need(a, "cohort create", "request-id"));
    req.set_request_id(id);
  }
  return req;
}

absl::StatusOr<sv1::GetCohortRequest> BuildGetCohort(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "cohort get", "municipality"));
  KPRCTL_TRY(cohort, Need(a, "cohort get", "cohort"));
  sv1::GetCohortRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  return req;
}

absl::StatusOr<sv1::ListCohortsRequest> BuildListCohorts(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "cohort list", "municipality"));
  sv1::ListCohortsRequest req;
  req.set_municipality(m);
  req.set_program_id(a.Get("program"));
  if (a.Has("status")) {
    KPRCTL_TRY(status, ParseCohortStatus(a.Get("status"), "status"));
    req.set_status(status);
  }
  if (a.Has("page-size")) {
    KPRCTL_TRY(size, ParseInteger(a.Get("page-size"), "page-size", 1, 500));
    req.set_page_size(static_cast<int32_t>(size));
  }
  req.set_page_token(a.Get("page-token"));
  return req;
}

absl::StatusOr<sv1::CancelCohortRequest> BuildCancelCohort(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "cohort cancel", "municipality"));
  KPRCTL_TRY(cohort, Need(a, "cohort cancel", "cohort"));
  KPRCTL_TRY(reason, Need(a, "cohort cancel", "reason"));
  KPRCTL_TRY(version, Version(a, "cohort cancel", /*required=*/false));
  sv1::CancelCohortRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  req.set_reason(reason);
  req.set_expected_version(version);
  return req;
}

absl::StatusOr<sv1::ListSessionsRequest> BuildListSessions(const ParsedArgs& a,
                                                           absl::CivilDay today) {
  KPRCTL_TRY(m, Need(a, "sessions", "municipality"));
  KPRCTL_TRY(by, ExactlyOne(a, "sessions", {"cohort", "institution", "venue", "instructor"}));
  KPRCTL_TRY(range, Range(a));
  sv1::ListSessionsRequest req;
  req.set_municipality(m);
  if (by == "cohort") req.set_cohort_id(a.Get(by));
  if (by == "institution") req.set_institution_id(a.Get(by));
  if (by == "venue") req.set_venue_id(a.Get(by));
  if (by == "instructor") req.set_instructor_id(a.Get(by));
  if (!range && by != "cohort") {
    absl::CivilDay monday = today - calendar::DaysSinceMonday(today);
    range = DayRange{calendar::FormatDay(monday), calendar::FormatDay(monday + 6)};
  }
  if (range) {
    req.set_from_day(range->from);
    req.set_to_day(range->to);
  }
  req.set_include_cancelled(a.Has("include-cancelled"));
  return req;
}

absl::StatusOr<sv1::RescheduleSessionRequest> BuildRescheduleSession(const ParsedArgs& a) {
  const std::string command = "session reschedule";
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  KPRCTL_TRY(session, Need(a, command, "session"));
  KPRCTL_TRY(version, Version(a, command, /*required=*/true));
  KPRCTL_TRY(reason, Need(a, command, "reason"));
  sv1::RescheduleSessionRequest req;
  req.set_municipality(m);
  req.set_session_id(session);
  req.set_expected_version(version);
  req.set_reason(reason);
  // A day without a time (or the reverse) is ambiguous: midnight is never meant.
  if (a.Has("day") != a.Has("start")) {
    return absl::InvalidArgumentError(
        "give --day and --start together (or neither: the planner picks the best free slot in "
        "the same week)");
  }
  if (a.Has("day")) {
    KPRCTL_TRY(day, ForFlag("day", calendar::ParseDay(a.Get("day"))));
    KPRCTL_TRY(start, ParseClockTime(a.Get("start"), "start"));
    req.set_day(calendar::FormatDay(day));
    req.set_start_minute(start);
  }
  req.set_venue_id(a.Get("venue"));
  req.set_instructor_id(a.Get("instructor"));
  return req;
}

absl::StatusOr<sv1::CancelSessionRequest> BuildCancelSession(const ParsedArgs& a) {
  const std::string command = "session cancel";
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  KPRCTL_TRY(session, Need(a, command, "session"));
  KPRCTL_TRY(version, Version(a, command, /*required=*/true));
  KPRCTL_TRY(reason, Need(a, command, "reason"));
  sv1::CancelSessionRequest req;
  req.set_municipality(m);
  req.set_session_id(session);
  req.set_expected_version(version);
  req.set_reason(reason);
  return req;
}

absl::StatusOr<sv1::CloseVenueRequest> BuildCloseVenue(const ParsedArgs& a) {
  const std::string command = "close-venue";
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  KPRCTL_TRY(institution, Need(a, command, "institution"));
  KPRCTL_TRY(venue, Need(a, command, "venue"));
  KPRCTL_TRY(range, RequiredRange(a, command));
  sv1::CloseVenueRequest req;
  req.set_municipality(m);
  req.set_institution_id(institution);
  req.set_venue_id(venue);
  *req.mutable_closure() = std::move(range);
  return req;
}

absl::StatusOr<sv1::AddInstructorAbsenceRequest> BuildAddInstructorAbsence(const ParsedArgs& a) {
  const std::string command = "absence";
  KPRCTL_TRY(m, Need(a, command, "municipality"));
  KPRCTL_TRY(instructor, Need(a, command, "instructor"));
  KPRCTL_TRY(range, RequiredRange(a, command));
  sv1::AddInstructorAbsenceRequest req;
  req.set_municipality(m);
  req.set_instructor_id(instructor);
  *req.mutable_absence() = std::move(range);
  return req;
}

absl::StatusOr<sv1::EnrollRequest> BuildEnroll(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "enroll", "municipality"));
  KPRCTL_TRY(by, ExactlyOne(a, "enroll", {"cohort", "program"}));
  KPRCTL_TRY(referral, Need(a, "enroll", "referral"));
  KPRCTL_TRY(citizen, Need(a, "enroll", "citizen"));
  sv1::EnrollRequest req;
  req.set_municipality(m);
  if (by == "cohort")
    req.set_cohort_id(a.Get(by));
  else
    req.set_program_id(a.Get(by));
  req.set_referral_id(referral);
  req.set_citizen_id(citizen);
  return req;
}

absl::StatusOr<sv1::UnenrollRequest> BuildUnenroll(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "unenroll", "municipality"));
  KPRCTL_TRY(cohort, Need(a, "unenroll", "cohort"));
  KPRCTL_TRY(referral, Need(a, "unenroll", "referral"));
  sv1::UnenrollRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  req.set_referral_id(referral);
  req.set_reason(a.Get("reason"));
  return req;
}

absl::StatusOr<sv1::GetWaitlistRequest> BuildGetWaitlist(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "waitlist", "municipality"));
  KPRCTL_TRY(program, Need(a, "waitlist", "program"));
  sv1::GetWaitlistRequest req;
  req.set_municipality(m);
  req.set_program_id(program);
  return req;
}

absl::StatusOr<sv1::ListParticipantsRequest> BuildListParticipants(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "participants", "municipality"));
  KPRCTL_TRY(cohort, Need(a, "participants", "cohort"));
  sv1::ListParticipantsRequest req;
  req.set_municipality(m);
  req.set_cohort_id(cohort);
  return req;
}

absl::StatusOr<sv1::ExportCalendarRequest> BuildExportCalendar(const ParsedArgs& a) {
  KPRCTL_TRY(m, Need(a, "ics", "municipality"));
  KPRCTL_TRY(by, ExactlyOne(a, "ics", {"cohort", "institution"}));
  KPRCTL_TRY(range, Range(a));
  if (a.Has("out") && a.Get("out").empty()) {
    return absl::InvalidArgumentError("--out: expected a file name");
  }
  sv1::ExportCalendarRequest req;
  req.set_municipality(m);
  if (by == "cohort")
    req.set_cohort_id(a.Get(by));
  else
    req.set_institution_id(a.Get(by));
  if (range) {
    req.set_from_day(range->from);
    req.set_to_day(range->to);
  }
  return req;
}

}  // namespace kpr::kprctl
