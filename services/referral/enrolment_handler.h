#ifndef KPR_SERVICES_REFERRAL_ENROLMENT_HANDLER_H_
#define KPR_SERVICES_REFERRAL_ENROLMENT_HANDLER_H_

// Closes the loop from scheduling and outcomes, so the referrer sees what became of the
// referral: a kpr.scheduling.v1.Enrolled event moves it to ENROLLED, a
// kpr.outcomes.v1.OutcomeRecorded event (decided when the cohort has completed) to COMPLETED or
// DROPPED_OUT. Thin adapter over ReferralDesk, acting as the sending service's identity (role
// service, the event's municipality).
//
// Idempotent: a redelivered event finds the referral already there (or further) and changes
// nothing. A referral in an unexpected status (a coordinator enrolled someone still under
// review, or moved it by hand) is left as it is and the event acked: the coordinator moves it.
// An event that does not decode, or names a referral that does not exist, is a dead letter; an
// outage is a retry.

#include <vector>

#include "kpr/common/v1/event.pb.h"
#include "kpr/outcomes/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/consumer.h"
#include "libs/bus/event_router.h"
#include "services/referral/referral_desk.h"

namespace kpr::referral {

class EnrolmentHandler {
 public:
  explicit EnrolmentHandler(ReferralDesk& desk);
  // The routers of the two consumers (KPR_SCHEDULING, KPR_OUTCOMES).
  const bus::EventRouter& scheduling_facts() const { return scheduling_facts_; }
  const bus::EventRouter& outcome_facts() const { return outcome_facts_; }

 private:
  absl::Status OnEnrolled(const common::v1::Event& event, const scheduling::v1::Enrolled& e);
  absl::Status OnOutcome(const common::v1::Event& event, const outcomes::v1::OutcomeRecorded& o);
  // Moves the referral to `to` if it is in `from`; OK without a change if it is already in one
  // of `done`.
  absl::Status Move(const common::v1::Event& event, const std::string& referral_id,
                    v1::ReferralStatus from, v1::ReferralStatus to,
                    std::vector<v1::ReferralStatus> done, absl::string_view sender);

  ReferralDesk& desk_;
  bus::EventRouter scheduling_facts_;
  bus::EventRouter outcome_facts_;
};

// The durable consumer the referral service keeps on KPR_SCHEDULING.
inline constexpr char kEnrolmentConsumer[] = "referral-enrolments";
inline constexpr char kEnrolmentFilter[] = "kpr.scheduling.v1.enrolled.>";
// ... and on KPR_OUTCOMES.
inline constexpr char kOutcomeConsumer[] = "referral-outcomes";
inline constexpr char kOutcomeFilter[] = "kpr.outcomes.v1.outcome_recorded.>";

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_ENROLMENT_HANDLER_H_
