#include "tools/kprctl/referral_args.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tools/kprctl/short_enum.h"
#include "tools/kprctl/value_args.h"

namespace kpr::kprctl {
namespace {

namespace iv1 = ::kpr::intake::v1;

constexpr char kStatusPrefix[] = "REFERRAL_STATUS_";

// "received under_review accepted ...": every status of the contract but UNSPECIFIED.
std::string StatusNames() {
  std::string names;
  const auto* e = rv1::ReferralStatus_descriptor();
  for (int i = 0; i < e->value_count(); ++i) {
    if (e->value(i)->number() == 0) continue;
    absl::StrAppend(&names, names.empty() ? "" : " ",
                    ShortEnumName(e->value(i)->name(), kStatusPrefix));
  }
  return names;
}

}  // namespace

std::string ReferralStatusName(rv1::ReferralStatus status) {
  return ShortEnumName(rv1::ReferralStatus_Name(status), kStatusPrefix);
}

absl::StatusOr<rv1::ReferralStatus> ParseReferralStatus(const std::string& value) {
  auto status =
      ParseShortEnum<rv1::ReferralStatus>(value, rv1::ReferralStatus_Parse, kStatusPrefix);
  if (!status) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown status '", value, "' (one of: ", StatusNames(), ")"));
  }
  return *status;
}

absl::StatusOr<rv1::ListReferralsRequest> BuildListReferrals(const ParsedArgs& a) {
  KPRCTL_TRY(municipality, Need(a, "list", "municipality"));
  rv1::ListReferralsRequest req;
  req.set_municipality(municipality);
  if (a.Has("status")) {
    KPRCTL_TRY(status, ForFlag("status", ParseReferralStatus(a.Get("status"))));
    req.set_status(status);
  }
  if (a.Has("source")) {
    KPRCTL_TRY(source, ParseEnumArg<iv1::ReferralSource>(a.Get("source"), iv1::ReferralSource_Parse,
                                                         "REFERRAL_SOURCE_", "source"));
    req.set_source(source);
  }
  req.set_source_system(a.Get("source-system"));
  if (a.Has("since")) {
    KPRCTL_TRY(since, ParseInstant(a.Get("since"), "since"));
    *req.mutable_updated_since() = ToTimestamp(since);
  }
  int64_t page_size = 50;
  if (a.Has("page-size")) {
    KPRCTL_TRY(size, ParseInteger(a.Get("page-size"), "page-size", 1, 500));
    page_size = size;
  }
  req.set_page_size(static_cast<int32_t>(page_size));
  req.set_page_token(a.Get("page-token"));
  return req;
}

absl::StatusOr<rv1::UpdateReferralStatusRequest> BuildUpdateReferralStatus(const ParsedArgs& a) {
  if (a.positional.size() != 2) {
    return absl::InvalidArgumentError("status needs an id and a new status");
  }
  rv1::UpdateReferralStatusRequest req;
  req.set_id(a.positional[0]);
  KPRCTL_TRY(status, ParseReferralStatus(a.positional[1]));
  req.set_status(status);
  if (a.Has("reason")) {
    KPRCTL_TRY(reason, ParseEnumArg<rv1::StatusReason>(a.Get("reason"), rv1::StatusReason_Parse,
                                                       "STATUS_REASON_", "reason"));
    req.set_reason(reason);
  }
  req.set_note(a.Get("note"));
  if (a.Has("expected-version")) {
    KPRCTL_TRY(version, ParseInteger(a.Get("expected-version"), "expected-version", 1, INT64_MAX));
    req.set_expected_version(version);
  }
  return req;
}

absl::StatusOr<rv1::GetFunnelRequest> BuildGetFunnel(const ParsedArgs& a) {
  KPRCTL_TRY(municipality, Need(a, "funnel", "municipality"));
  rv1::GetFunnelRequest req;
  req.set_municipality(municipality);
  if (a.Has("from")) {
    KPRCTL_TRY(from, ParseInstant(a.Get("from"), "from"));
    *req.mutable_from() = ToTimestamp(from);
  }
  if (a.Has("to")) {
    KPRCTL_TRY(to, ParseInstant(a.Get("to"), "to"));
    *req.mutable_to() = ToTimestamp(to);
  }
  return req;
}

}  // namespace kpr::kprctl
