#ifndef KPR_SERVICES_REFERRAL_REFERRAL_LIFECYCLE_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_LIFECYCLE_H_

// The referral's status lifecycle, aligned with the FHIR Task states used for closed-loop
// referrals (the table in referral.proto). What staff may do:
//   RECEIVED -> UNDER_REVIEW -> ACCEPTED -> ENROLLED -> COMPLETED | DROPPED_OUT
//   RECEIVED | UNDER_REVIEW -> DECLINED (reason required)
//   WAITLISTED -> ENROLLED | ACCEPTED
//   any open status (RECEIVED, UNDER_REVIEW, ACCEPTED, WAITLISTED, ENROLLED) -> WITHDRAWN
//     (reason required)
// WAITLISTED itself, and the way back from ENROLLED, follow the scheduling service's facts
// (placement_facts.h), never a staff decision. Pure logic, no I/O.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kpr/referral/v1/referral.pb.h"

namespace kpr::referral {

using ::kpr::referral::v1::ReferralStatus;
using ::kpr::referral::v1::StatusReason;

// True for statuses from which the referral can still move.
bool IsOpen(ReferralStatus status);

// OK if `from` -> `to` is allowed with `reason`; FAILED_PRECONDITION naming both statuses if the
// transition is forbidden; INVALID_ARGUMENT (field "reason") if a required reason is missing.
absl::Status CheckTransition(ReferralStatus from, ReferralStatus to, StatusReason reason);

// How far along the recruitment funnel a status is: referred 1, contacted 2, accepted 3,
// enrolled 4, completed 5. DROPPED_OUT counts as enrolled; DECLINED and WITHDRAWN add nothing
// (0), so the furthest stage reached is max(previous reach, FunnelStage(new status)).
int FunnelStage(ReferralStatus status);

// The HL7 FHIR Task.status code of a status: "requested", "received", "accepted", "on-hold",
// "in-progress", "completed", "failed", "rejected", "cancelled"; "" for UNSPECIFIED.
absl::string_view FhirTaskStatus(ReferralStatus status);

// True for the statuses a referral reaches only through the scheduling service's facts.
bool IsSetOnlyByScheduling(ReferralStatus to);

// The furthest funnel stage a referral has reached, from its status history.
int ReachOf(const v1::Referral& referral);

// "RECEIVED", "UNDER_REVIEW", ... (without the enum prefix).
absl::string_view StatusName(ReferralStatus status);
// Parses "under_review", "UNDER_REVIEW" or "REFERRAL_STATUS_UNDER_REVIEW".
bool ParseStatus(absl::string_view name, ReferralStatus* status);

// The event name on the wire for a change into `to`: "accepted", "declined", "withdrawn", or ""
// when only status_changed is emitted.
absl::string_view SpecificEventName(ReferralStatus to);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_LIFECYCLE_H_
