#ifndef KPR_SERVICES_OUTCOMES_FUNNEL_FACTS_H_
#define KPR_SERVICES_OUTCOMES_FUNNEL_FACTS_H_

// The recruitment funnel: what the referral service's facts change in a referral's funnel record
// and in the funnel tally of its month of receipt (counted only once the receipt is known, so a
// status change that overtakes it is counted when it comes). Pure; no I/O.

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "services/outcomes/draft.h"

namespace kpr::outcomes {

// The referral was received: its source and time of receipt (`occurred_at`, the event's time,
// when the payload has none).
Draft RecordReferralReceived(const std::string& m, const Funnel& funnel,
                             const referral::v1::ReferralReceived& received,
                             const google::protobuf::Timestamp& occurred_at, absl::TimeZone tz);

// The referral reached a status: the funnel stage it stands for (under review = contacted);
// statuses that are no stage change only the referral version seen.
Draft RecordReferralStatus(const std::string& m, const Funnel& funnel,
                           const referral::v1::ReferralStatusChanged& changed, absl::TimeZone tz);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_FUNNEL_FACTS_H_
