#ifndef KPR_TOOLS_KPRCTL_NOTIFY_ARGS_H_
#define KPR_TOOLS_KPRCTL_NOTIFY_ARGS_H_

// The pure half of kprctl's notify commands (`kprctl notify ...`): which command a command line
// names, which options it takes, the values they take (triggers, languages, statuses, opt-outs,
// reminder offsets) and the gRPC request each command sends. Every error is INVALID_ARGUMENT
// naming the flag, e.g. "--offsets: '90s' is not whole minutes". No I/O.

#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "kpr/notify/v1/notify_service.pb.h"
#include "tools/kprctl/cli_args.h"

namespace kpr::kprctl {

namespace nv1 = ::kpr::notify::v1;

// ---- Values -------------------------------------------------------------------------------

// Short names as short_enum.h takes them ("session-reminder" or "session_reminder", "sms",
// "failed", "da"); the error names the flag and lists the choices.
absl::StatusOr<nv1::Trigger> ParseTrigger(const std::string& value, const std::string& flag);
absl::StatusOr<nv1::Language> ParseLanguage(const std::string& value, const std::string& flag);
absl::StatusOr<nv1::DeliveryStatus> ParseDeliveryStatus(const std::string& value,
                                                        const std::string& flag);
// "true" or "false" (also yes/no, any case).
absl::StatusOr<bool> ParseBool(const std::string& value, const std::string& flag);
// "24h,2h", "90m", "1h30m" (absl::ParseDuration, comma-separated); "none" or "" -> no reminders.
// Each offset above zero, whole minutes, none twice. The limits (how many, how long) are the
// service's to judge.
absl::StatusOr<std::vector<absl::Duration>> ParseOffsets(const std::string& value,
                                                         const std::string& flag);

// ---- Commands -----------------------------------------------------------------------------

// True for "notify".
bool IsNotifyCommand(const std::string& command);
// Every option that takes a value / every flag some notify command accepts (for ParseArgs).
const std::set<std::string>& NotifyOptions();
const std::set<std::string>& NotifyFlags();
// The full command name without "notify" ("deliveries", "preferences set"), checked as
// command_group.h says. Global options (--json, --notify-addr, --token, --token-file,
// --timeout) are accepted everywhere.
absl::StatusOr<std::string> ResolveNotifyCommand(const ParsedArgs& args);

// ---- Requests (one per command; `args` as parsed, municipality already defaulted) ----------

// --municipality and at least one filter of --referral, --cohort, --status (together they must
// all match); --page-size 1..500.
absl::StatusOr<nv1::ListDeliveriesRequest> BuildListDeliveries(const ParsedArgs& args);
absl::StatusOr<nv1::GetPreferencesRequest> BuildGetPreferences(const ParsedArgs& args);
// `current` (as GetPreferences answered) with --sms-opt-out and/or --email-opt-out applied: a
// channel not named keeps its setting. --expected-version is required (0 for the first save).
absl::StatusOr<nv1::SetPreferencesRequest> BuildSetPreferences(const ParsedArgs& args,
                                                               const nv1::Preferences& current);
absl::StatusOr<nv1::ListTemplatesRequest> BuildListTemplates(const ParsedArgs& args);
// The whole new version: --email-subject and --email-text always, --sms-text except for
// drop_out_risk (e-mail to the coordinator only), --email-html optional (left out: none).
absl::StatusOr<nv1::UpsertTemplateRequest> BuildUpsertTemplate(const ParsedArgs& args);
// The template in force, or a draft when any of the text options is given.
absl::StatusOr<nv1::PreviewMessageRequest> BuildPreviewMessage(const ParsedArgs& args);
// --request-id (repeat-safe), exactly one of --referral and --cohort, and --text. --referral
// takes a list (r1,r2) and may be repeated; no referral twice.
absl::StatusOr<nv1::SendMessageRequest> BuildSendMessage(const ParsedArgs& args);
absl::StatusOr<nv1::GetReminderOffsetsRequest> BuildGetReminderOffsets(const ParsedArgs& args);
absl::StatusOr<nv1::SetReminderOffsetsRequest> BuildSetReminderOffsets(const ParsedArgs& args);
absl::StatusOr<nv1::GetCoordinatorContactRequest> BuildGetCoordinatorContact(
    const ParsedArgs& args);
absl::StatusOr<nv1::SetCoordinatorContactRequest> BuildSetCoordinatorContact(
    const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_NOTIFY_ARGS_H_
