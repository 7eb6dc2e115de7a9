#ifndef KPR_TOOLS_KPRCTL_SCHEDULING_ARGS_H_
#define KPR_TOOLS_KPRCTL_SCHEDULING_ARGS_H_

// The pure half of kprctl's scheduling commands: which command a command line names, which
// options it takes, strict parsing of weeks, days and times, and the gRPC request each command
// sends. Every error is INVALID_ARGUMENT naming the flag, e.g.
// "--start-week: expected an ISO week like 2027-W03, got '2027-3'". No I/O.

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "tools/kprctl/cli_args.h"

namespace kpr::kprctl {

namespace sv1 = ::kpr::scheduling::v1;

// ---- Values -------------------------------------------------------------------------------

struct IsoWeekArg {
  int year = 0;
  int week = 0;  // 1..52 or 53, as the year has
};

// "2027-W03" (four-digit year, two-digit week that exists in that year).
absl::StatusOr<IsoWeekArg> ParseIsoWeek(const std::string& value, const std::string& flag);
// "HH:MM" or "H:MM", 00:00..23:59 -> minutes after midnight.
absl::StatusOr<int> ParseClockTime(const std::string& value, const std::string& flag);
// "YYYY-MM-DD", a real calendar day (2027-02-30 is an error, not March 2nd).
absl::StatusOr<absl::CivilDay> ParseDay(const std::string& value, const std::string& flag);
// "YYYY-MM-DD" (midnight), "YYYY-MM-DD HH:MM" or "YYYY-MM-DDTHH:MM" in `tz`, or RFC 3339 with
// an offset -> Unix milliseconds.
absl::StatusOr<int64_t> ParseInstant(const std::string& value, const std::string& flag,
                                     absl::TimeZone tz);
// A decimal integer in [min, max].
absl::StatusOr<int64_t> ParseInteger(const std::string& value, const std::string& flag, int64_t min,
                                     int64_t max);
// "planned", "open", "running", "completed", "cancelled" (or the full enum name).
absl::StatusOr<sv1::CohortStatus> ParseCohortStatus(const std::string& value,
                                                    const std::string& flag);
// "YYYY-MM-DD".
std::string FormatDay(absl::CivilDay day);

// ---- Commands -----------------------------------------------------------------------------

// True for the first word of a scheduling command ("plan", "cohort", "session", ...).
bool IsSchedulingCommand(const std::string& command);
// Every option that takes a value / every flag some scheduling command accepts (for ParseArgs).
const std::set<std::string>& SchedulingOptions();
const std::set<std::string>& SchedulingFlags();
// The full command name ("cohort create", "plan"), after checking the subcommand, that no
// stray positional arguments are given, and that every option given is one this command takes
// (so `plan --venue x` is an error rather than silently ignored). Global options (--json,
// --scheduling-addr, --token, --token-file, --timeout) are accepted everywhere.
absl::StatusOr<std::string> ResolveSchedulingCommand(const ParsedArgs& args);
// Whether the resolved command takes --municipality (all but "catalog load").
bool TakesMunicipality(const std::string& command);

// ---- Requests (one per command; `args` as parsed, municipality already defaulted) ----------

absl::StatusOr<sv1::ListInstitutionsRequest> BuildListInstitutions(const ParsedArgs& args);
absl::StatusOr<sv1::ListInstructorsRequest> BuildListInstructors(const ParsedArgs& args);
absl::StatusOr<sv1::ListProgramsRequest> BuildListPrograms(const ParsedArgs& args);
absl::StatusOr<sv1::GetCalendarRequest> BuildGetCalendar(const ParsedArgs& args);
absl::StatusOr<sv1::PlanCohortRequest> BuildPlanCohort(const ParsedArgs& args);
// request_id stays empty unless --request-id is given (the caller makes a random one).
absl::StatusOr<sv1::CreateCohortRequest> BuildCreateCohort(const ParsedArgs& args,
                                                           absl::TimeZone tz);
absl::StatusOr<sv1::GetCohortRequest> BuildGetCohort(const ParsedArgs& args);
absl::StatusOr<sv1::ListCohortsRequest> BuildListCohorts(const ParsedArgs& args);
// expected_version 0 when --version is not given (the caller reads the current one).
absl::StatusOr<sv1::CancelCohortRequest> BuildCancelCohort(const ParsedArgs& args);
// Exactly one of --cohort/--institution/--venue/--instructor. The range: --week, or
// --from/--to (one alone means a week from/up to it); without any, the week of `today` except
// for --cohort (all its sessions).
absl::StatusOr<sv1::ListSessionsRequest> BuildListSessions(const ParsedArgs& args,
                                                           absl::CivilDay today);
absl::StatusOr<sv1::RescheduleSessionRequest> BuildRescheduleSession(const ParsedArgs& args);
absl::StatusOr<sv1::CancelSessionRequest> BuildCancelSession(const ParsedArgs& args);
absl::StatusOr<sv1::CloseVenueRequest> BuildCloseVenue(const ParsedArgs& args);
absl::StatusOr<sv1::AddInstructorAbsenceRequest> BuildAddInstructorAbsence(const ParsedArgs& args);
absl::StatusOr<sv1::EnrollRequest> BuildEnroll(const ParsedArgs& args);
absl::StatusOr<sv1::UnenrollRequest> BuildUnenroll(const ParsedArgs& args);
absl::StatusOr<sv1::GetWaitlistRequest> BuildGetWaitlist(const ParsedArgs& args);
absl::StatusOr<sv1::ListParticipantsRequest> BuildListParticipants(const ParsedArgs& args);
// One of --cohort/--institution; range from --week or --from/--to, unset when not given.
absl::StatusOr<sv1::ExportCalendarRequest> BuildExportCalendar(const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_SCHEDULING_ARGS_H_
