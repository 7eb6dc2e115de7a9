#ifndef KPR_TOOLS_KPRCTL_REFERRAL_FORMAT_H_
#define KPR_TOOLS_KPRCTL_REFERRAL_FORMAT_H_

// Plain-text output of kprctl's referral commands get and list (--json prints the messages
// instead: the protobuf JSON mapping). Pure: each function returns the text, every line ending
// in "\n". Times are Danish (FormatTime).

#include <string>

#include "kpr/referral/v1/referral.pb.h"
#include "kpr/referral/v1/referral_service.pb.h"

namespace kpr::kprctl {

namespace rv1 = ::kpr::referral::v1;

// Where the scheduling service has placed the referral: "cohort 0165-C1 (program
// sund-med-kultur), first day 2027-02-01", "waitlisted for program sund-med-kultur" (a placement
// without a cohort); "-" without a placement.
std::string FormatPlacement(const rv1::Referral& referral);
// The same for the list's PLACEMENT column: "0165-C1", "waitlist:sund-med-kultur" or "-".
std::string PlacementCell(const rv1::Referral& referral);

// `get`: one "label: value" line a field, the placement among them, then the status history.
std::string FormatReferral(const rv1::Referral& referral);
// `list`: ID, STATUS, SOURCE, PLACEMENT, UPDATED, V; then "(more: --page-token T)" when there is
// a next page.
std::string FormatReferralList(const rv1::ListReferralsResponse& response);

// The funnel as a table by source, the totals and the current statuses. A count the service
// withheld (below the suppression threshold, or one it could be derived from) reads "*", never
// its placeholder 0, with a footnote saying why.
std::string FormatFunnel(const rv1::Funnel& funnel);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_REFERRAL_FORMAT_H_
