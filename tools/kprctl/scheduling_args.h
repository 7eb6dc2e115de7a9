#ifndef KPR_TOOLS_KPRCTL_SCHEDULING_ARGS_H_
#define KPR_TOOLS_KPRCTL_SCHEDULING_ARGS_H_

// The pure half of kprctl's scheduling commands: which command a command line names, which
// options it takes, and the gRPC request each command sends. Days and weeks are Danish
// (libs/calendar). Every error is INVALID_ARGUMENT naming the flag, e.g.
// "--start-week: \"2027-3\" is not an ISO week like 2027-W33: no W". No I/O.

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "tools/kprctl/cli_args.h"
#include "tools/kprctl/value_args.h"

namespace kpr::kprctl {

namespace sv1 = ::kpr::scheduling::v1;

// ---- Values -------------------------------------------------------------------------------
// Days and weeks: libs/calendar through ForFlag; numbers, clock times, instants: value_args.h.

// "planned", "open", "running", "completed", "cancelled" (or the full enum name).
absl::StatusOr<sv1::CohortStatus> ParseCohortStatus(const std::string& value,
                                                    const std::string& flag);

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
// request_id stays empty unless --request-id is given (the caller makes a random one);
// --opens-at is a Danish day or time (ParseInstant).
absl::StatusOr<sv1::CreateCohortRequest> BuildCreateCohort(const ParsedArgs& args);
absl::StatusOr<sv1::GetCohortRequest> BuildGetCohort(const ParsedArgs& args);
absl::StatusOr<sv1::ListCohortsRequest> BuildListCohorts(const ParsedArgs& args);
// expected_version 0 when --version is not given (the caller reads the current one).
absl::StatusOr<sv1::CancelCohortRequest> BuildCancelCohort(const ParsedArgs& args);
// Exactly one of --cohort/--institution/--venue/--instructor. The range: --week, or
// --from/--to (one alone means a week from/up to it); without any, the week of `today` (the
// Danish day it is now) except for --cohort (all its sessions).
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
