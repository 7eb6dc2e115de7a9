#ifndef KPR_TOOLS_KPRCTL_OUTCOMES_ARGS_H_
#define KPR_TOOLS_KPRCTL_OUTCOMES_ARGS_H_

// The pure half of kprctl's outcomes commands (`kprctl outcomes ...`): which command a command
// line names, which options it takes, strict parsing of time points, referral id lists and the
// questionnaire answers (--who5, --wai, --employment), and the gRPC request each command sends.
// Every error is INVALID_ARGUMENT naming the flag, e.g.
// "--who5: expected five answers 0..5 like 3,3,2,2,3, got '3,3,2'". No I/O.
//
// The answers (--who5, --wai, --employment) are parsed by questionnaire_answers.h.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/outcomes/v1/outcomes.pb.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "tools/kprctl/cli_args.h"
#include "tools/kprctl/questionnaire_answers.h"
#include "tools/kprctl/value_args.h"

namespace kpr::kprctl {

namespace ov1 = ::kpr::outcomes::v1;

// ---- Values -------------------------------------------------------------------------------

// "baseline", "end", "1m", "12m" (also "followup_1m", "followup_12m" and the enum names, any
// case).
absl::StatusOr<ov1::TimePoint> ParseTimePoint(const std::string& value, const std::string& flag);
// "text", "csv" or "json".
absl::StatusOr<ov1::ExportFormat> ParseExportFormat(const std::string& value,
                                                    const std::string& flag);

// Short names, as the parsers take them: "baseline", "1m"; "who5", "wai", "employment".
std::string TimePointName(ov1::TimePoint time_point);
std::string InstrumentName(ov1::Instrument instrument);

// ---- Commands -----------------------------------------------------------------------------

// True for "outcomes".
bool IsOutcomesCommand(const std::string& command);
// Every option that takes a value / every flag some outcomes command accepts (for ParseArgs).
const std::set<std::string>& OutcomesOptions();
const std::set<std::string>& OutcomesFlags();
// The full command name without "outcomes" ("attendance record", "schedule", "report program"),
// after checking the subcommands, that no stray positional arguments are given and that every
// option given is one this command takes. Global options (--json, --outcomes-addr, --token,
// --token-file, --timeout) are accepted everywhere.
absl::StatusOr<std::string> ResolveOutcomesCommand(const ParsedArgs& args);

// ---- Requests (one per command; `args` as parsed, municipality already defaulted) ----------

// Entries from --present, --absent and --excused (at least one; an id in two lists is an
// error); expected_version from --expected-version (or --version), 0 when not given (the first
// recording).
absl::StatusOr<ov1::RecordAttendanceRequest> BuildRecordAttendance(const ParsedArgs& args);
absl::StatusOr<ov1::GetAttendanceRequest> BuildGetAttendance(const ParsedArgs& args);
// Exactly one of --who5, --wai, --employment, and --time-point.
absl::StatusOr<ov1::SubmitQuestionnaireRequest> BuildSubmitQuestionnaire(const ParsedArgs& args);
absl::StatusOr<ov1::GetQuestionnairesRequest> BuildGetQuestionnaires(const ParsedArgs& args);
absl::StatusOr<ov1::ListQuestionnaireScheduleRequest> BuildListQuestionnaireSchedule(
    const ParsedArgs& args);
// `report cohort` and `report program`. Format from --format (TEXT when not given; --json alone
// means JSON). Program: --from and --to together (ParseInstant: a day is its Danish midnight),
// from before to; unset when not given (the service's default: the current calendar year).
absl::StatusOr<ov1::ExportReportRequest> BuildExportCohortReport(const ParsedArgs& args);
absl::StatusOr<ov1::ExportReportRequest> BuildExportProgramReport(const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_OUTCOMES_ARGS_H_
