#include "services/outcomes/funnel_facts.h"

#include <algorithm>
#include <utility>

#include "absl/time/civil_time.h"
#include "services/outcomes/outcome_tally.h"

namespace kpr::outcomes {
namespace {

namespace rv1 = ::kpr::referral::v1;

// Writes `after` over the funnel record as read, and the difference to its month's tally.
Draft WriteFunnel(const std::string& m, const Funnel& funnel, v1::FunnelRecord after,
                  int64_t referral_version, absl::TimeZone tz) {
  v1::FunnelRecord before = funnel.record;
  after.set_version(funnel.version + 1);
  before.set_version(funnel.version);
  after.set_referral_version(std::max(before.referral_version(), referral_version));
  Draft draft;
  draft.change.writes.push_back(
      {FunnelReferralKey(m, after.referral_id()), funnel.version, after.SerializeAsString()});
  if (after.received()) {
    FunnelTally delta = ReferralContribution(after);
    delta -= ReferralContribution(before);
    absl::CivilMonth month = absl::ToCivilMonth(FromProto(after.received_at()), tz);
    auto fields = NonZero(delta.ToFields());
    if (!fields.empty()) {
      draft.change.tallies.push_back(
          {FunnelTallyKey(m, absl::FormatCivilTime(month)), std::move(fields)});
    }
  }
  return draft;
}

v1::FunnelRecord Base(const std::string& m, const Funnel& funnel, const std::string& referral_id) {
  v1::FunnelRecord after = funnel.record;
  after.set_municipality(m);
  after.set_referral_id(referral_id);
  return after;
}

}  // namespace

Draft RecordReferralReceived(const std::string& m, const Funnel& funnel,
                             const rv1::ReferralReceived& received,
                             const google::protobuf::Timestamp& occurred_at, absl::TimeZone tz) {
  v1::FunnelRecord after = Base(m, funnel, received.referral_id());
  after.set_received(true);
  after.set_source(received.source());
  *after.mutable_received_at() =
      received.received_at().seconds() > 0 ? received.received_at() : occurred_at;
  return WriteFunnel(m, funnel, std::move(after), received.version(), tz);
}

Draft RecordReferralStatus(const std::string& m, const Funnel& funnel,
                           const rv1::ReferralStatusChanged& changed, absl::TimeZone tz) {
  v1::FunnelRecord after = Base(m, funnel, changed.referral_id());
  switch (changed.to()) {
    case rv1::REFERRAL_STATUS_UNDER_REVIEW:
      after.set_contacted(true);
      break;
    case rv1::REFERRAL_STATUS_ACCEPTED:
      after.set_accepted(true);
      break;
    case rv1::REFERRAL_STATUS_ENROLLED:
      after.set_enrolled(true);
      break;
    case rv1::REFERRAL_STATUS_COMPLETED:
      after.set_completed(true);
      break;
    case rv1::REFERRAL_STATUS_DROPPED_OUT:
      after.set_dropped_out(true);
      break;
    case rv1::REFERRAL_STATUS_DECLINED:
      after.set_declined(true);
      break;
    case rv1::REFERRAL_STATUS_WITHDRAWN:
      after.set_withdrawn(true);
      break;
    default:
      break;
  }
  return WriteFunnel(m, funnel, std::move(after), changed.version(), tz);
}

}  // namespace kpr::outcomes
