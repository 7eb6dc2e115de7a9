#ifndef KPR_SERVICES_REFERRAL_ENROLMENT_HANDLER_H_
#define KPR_SERVICES_REFERRAL_ENROLMENT_HANDLER_H_

// Closes the loop from scheduling: a kpr.scheduling.v1.Enrolled event moves the referral to
// ENROLLED, so the referrer sees that the citizen got a place. Thin adapter over ReferralDesk,
// acting as the scheduling service's identity (role service, the event's municipality).
//
// Idempotent: a redelivered event finds the referral ENROLLED (or further) and changes nothing.
// A referral that is not ACCEPTED (a coordinator enrolled someone still under review) is left
// as it is and the event acked: the coordinator moves it by hand. An event that does not decode,
// or names a referral that does not exist, is a dead letter; an outage is a retry.

#include <vector>

#include "kpr/common/v1/event.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/consumer.h"
#include "services/referral/referral_desk.h"

namespace kpr::referral {

class EnrolmentHandler {
 public:
  explicit EnrolmentHandler(ReferralDesk& desk) : desk_(desk) {}
  std::vector<bus::Outcome> Handle(const std::vector<bus::Delivery>& batch);

 private:
  bus::Outcome HandleOne(const bus::Delivery& delivery);
  absl::Status Apply(const common::v1::Event& event, const scheduling::v1::Enrolled& enrolled);

  ReferralDesk& desk_;
};

// The durable consumer the referral service keeps on KPR_SCHEDULING.
inline constexpr char kEnrolmentConsumer[] = "referral-enrolments";
inline constexpr char kEnrolmentFilter[] = "kpr.scheduling.v1.enrolled.>";

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_ENROLMENT_HANDLER_H_
