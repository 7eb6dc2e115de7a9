#ifndef KPR_TOOLS_KPRCTL_REFERRAL_ARGS_H_
#define KPR_TOOLS_KPRCTL_REFERRAL_ARGS_H_

// The pure half of kprctl's referral commands: status names both ways and the request the list,
// status and funnel commands send. Names come from the proto enums (short_enum.h), so kprctl
// needs nothing of the referral service but its contract. Days and times are Danish
// (ParseInstant). Every error is INVALID_ARGUMENT. No I/O.

#include <string>

#include "absl/status/statusor.h"
#include "kpr/referral/v1/referral_service.pb.h"
#include "tools/kprctl/cli_args.h"

namespace kpr::kprctl {

namespace rv1 = ::kpr::referral::v1;

// "under_review" for REFERRAL_STATUS_UNDER_REVIEW.
std::string ReferralStatusName(rv1::ReferralStatus status);
// "under_review", "UNDER_REVIEW" or "REFERRAL_STATUS_UNDER_REVIEW". Every status the contract
// names is taken, "waitlisted" and "enrolled" too: which change is allowed is the service's
// call, and its error says why. Otherwise "unknown status 'x' (one of: received under_review
// ...)".
absl::StatusOr<rv1::ReferralStatus> ParseReferralStatus(const std::string& value);

// `list`: --municipality (required), --status, --source, --source-system, --since (a Danish day
// or time, or RFC 3339), --page-size (1..500, default 50), --page-token.
absl::StatusOr<rv1::ListReferralsRequest> BuildListReferrals(const ParsedArgs& args);
// `status ID NEW_STATUS`: --reason, --note, --expected-version (0 when not given: the caller
// reads the current version).
absl::StatusOr<rv1::UpdateReferralStatusRequest> BuildUpdateReferralStatus(const ParsedArgs& args);
// `funnel`: --municipality (required), --from and --to (Danish days: [from, to)).
absl::StatusOr<rv1::GetFunnelRequest> BuildGetFunnel(const ParsedArgs& args);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_REFERRAL_ARGS_H_
