#include "services/referral/referral_lifecycle.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace kpr::referral {

using v1::ReferralStatus_Name;
using v1::ReferralStatus_Parse;

bool IsOpen(ReferralStatus status) {
  switch (status) {
    case v1::REFERRAL_STATUS_RECEIVED:
    case v1::REFERRAL_STATUS_UNDER_REVIEW:
    case v1::REFERRAL_STATUS_ACCEPTED:
    case v1::REFERRAL_STATUS_WAITLISTED:
    case v1::REFERRAL_STATUS_ENROLLED:
      return true;
    default:
      return false;
  }
}

bool IsSetOnlyByScheduling(ReferralStatus to) { return to == v1::REFERRAL_STATUS_WAITLISTED; }

absl::string_view FhirTaskStatus(ReferralStatus status) {
  switch (status) {
    case v1::REFERRAL_STATUS_RECEIVED:
      return "requested";
    case v1::REFERRAL_STATUS_UNDER_REVIEW:
      return "received";
    case v1::REFERRAL_STATUS_ACCEPTED:
      return "accepted";
    case v1::REFERRAL_STATUS_WAITLISTED:
      return "on-hold";
    case v1::REFERRAL_STATUS_ENROLLED:
      return "in-progress";
    case v1::REFERRAL_STATUS_COMPLETED:
      return "completed";
    case v1::REFERRAL_STATUS_DROPPED_OUT:
      return "failed";
    case v1::REFERRAL_STATUS_DECLINED:
      return "rejected";
    case v1::REFERRAL_STATUS_WITHDRAWN:
      return "cancelled";
    default:
      return "";
  }
}

namespace {

bool Allowed(ReferralStatus from, ReferralStatus to) {
  if (to == v1::REFERRAL_STATUS_WITHDRAWN) return IsOpen(from);
  switch (from) {
    case v1::REFERRAL_STATUS_RECEIVED:
      return to == v1::REFERRAL_STATUS_UNDER_REVIEW || to == v1::REFERRAL_STATUS_DECLINED;
    case v1::REFERRAL_STATUS_UNDER_REVIEW:
      return to == v1::REFERRAL_STATUS_ACCEPTED || to == v1::REFERRAL_STATUS_DECLINED;
    case v1::REFERRAL_STATUS_ACCEPTED:
      return to == v1::REFERRAL_STATUS_ENROLLED;
    case v1::REFERRAL_STATUS_WAITLISTED:
      return to == v1::REFERRAL_STATUS_ENROLLED || to == v1::REFERRAL_STATUS_ACCEPTED;
    case v1::REFERRAL_STATUS_ENROLLED:
      return to == v1::REFERRAL_STATUS_COMPLETED || to == v1::REFERRAL_STATUS_DROPPED_OUT;
    default:
      return false;
  }
}

}  // namespace

absl::Status CheckTransition(ReferralStatus from, ReferralStatus to, StatusReason reason) {
  if (to == v1::REFERRAL_STATUS_UNSPECIFIED || !v1::ReferralStatus_IsValid(to)) {
    return absl::InvalidArgumentError("status: a target status is required");
  }
  if (IsSetOnlyByScheduling(to)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "status: ", StatusName(to), " is set by the scheduling service when it waitlists"));
  }
  if (!Allowed(from, to)) {
    return absl::FailedPreconditionError(absl::StrCat("a referral in status ", StatusName(from),
                                                      " cannot move to ", StatusName(to),
                                                      IsOpen(from) ? "" : " (it is closed)"));
  }
  if ((to == v1::REFERRAL_STATUS_DECLINED || to == v1::REFERRAL_STATUS_WITHDRAWN) &&
      reason == v1::STATUS_REASON_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: a reason code is required to move to ", StatusName(to)));
  }
  if (!v1::StatusReason_IsValid(reason)) {
    return absl::InvalidArgumentError("reason: unknown reason code");
  }
  return absl::OkStatus();
}

int FunnelStage(ReferralStatus status) {
  switch (status) {
    case v1::REFERRAL_STATUS_RECEIVED:
      return 1;
    case v1::REFERRAL_STATUS_UNDER_REVIEW:
      return 2;
    case v1::REFERRAL_STATUS_ACCEPTED:
    case v1::REFERRAL_STATUS_WAITLISTED:
      return 3;
    case v1::REFERRAL_STATUS_ENROLLED:
      return 4;
    case v1::REFERRAL_STATUS_DROPPED_OUT:
      return 4;
    case v1::REFERRAL_STATUS_COMPLETED:
      return 5;
    default:
      return 0;
  }
}

int ReachOf(const v1::Referral& referral) {
  int reach = FunnelStage(v1::REFERRAL_STATUS_RECEIVED);
  for (const auto& change : referral.history()) reach = std::max(reach, FunnelStage(change.to()));
  return std::max(reach, FunnelStage(referral.status()));
}

absl::string_view StatusName(ReferralStatus status) {
  static constexpr absl::string_view kPrefix = "REFERRAL_STATUS_";
  const std::string& name = ReferralStatus_Name(status);
  absl::string_view view(name);
  if (absl::StartsWith(view, kPrefix)) view.remove_prefix(kPrefix.size());
  return view.empty() ? absl::string_view("UNKNOWN") : view;
}

bool ParseStatus(absl::string_view name, ReferralStatus* status) {
  std::string upper = absl::AsciiStrToUpper(name);
  if (!absl::StartsWith(upper, "REFERRAL_STATUS_")) upper = "REFERRAL_STATUS_" + upper;
  return ReferralStatus_Parse(upper, status) && *status != v1::REFERRAL_STATUS_UNSPECIFIED;
}

absl::string_view SpecificEventName(ReferralStatus to) {
  switch (to) {
    case v1::REFERRAL_STATUS_ACCEPTED:
      return "accepted";
    case v1::REFERRAL_STATUS_DECLINED:
      return "declined";
    case v1::REFERRAL_STATUS_WITHDRAWN:
      return "withdrawn";
    default:
      return "";
  }
}

}  // namespace kpr::referral
