#include "services/outcomes/facts_handler.h"

#include <functional>

#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"

namespace kpr::outcomes {

bus::EventRouter SchedulingFactsRouter(FactsDesk& facts) {
  namespace sv1 = scheduling::v1;
  bus::EventRouter router(kSchedulingFactsConsumer);
  router.On<sv1::CohortPlanned>(std::bind_front(&FactsDesk::OnCohortPlanned, &facts))
      .On<sv1::SessionScheduled>(std::bind_front(&FactsDesk::OnSessionScheduled, &facts))
      .On<sv1::SessionRescheduled>(std::bind_front(&FactsDesk::OnSessionRescheduled, &facts))
      .On<sv1::SessionCancelled>(std::bind_front(&FactsDesk::OnSessionCancelled, &facts))
      .On<sv1::Enrolled>(std::bind_front(&FactsDesk::OnEnrolled, &facts))
      .On<sv1::Unenrolled>(std::bind_front(&FactsDesk::OnUnenrolled, &facts))
      .On<sv1::CohortStarted>(std::bind_front(&FactsDesk::OnCohortStarted, &facts))
      .On<sv1::CohortCompleted>(std::bind_front(&FactsDesk::OnCohortCompleted, &facts))
      .On<sv1::CohortCancelled>(std::bind_front(&FactsDesk::OnCohortCancelled, &facts))
      // Nothing to record.
      .Ignore<sv1::CohortOpened>()
      .Ignore<sv1::Waitlisted>();
  return router;
}

bus::EventRouter ReferralFactsRouter(FactsDesk& facts) {
  namespace rv1 = referral::v1;
  bus::EventRouter router(kReferralFactsConsumer);
  router.On<rv1::ReferralReceived>(std::bind_front(&FactsDesk::OnReferralReceived, &facts))
      .On<rv1::ReferralStatusChanged>(std::bind_front(&FactsDesk::OnReferralStatusChanged, &facts))
      // These also arrive as status_changed, which the funnel counts.
      .Ignore<rv1::ReferralAccepted>()
      .Ignore<rv1::ReferralDeclined>()
      .Ignore<rv1::ReferralWithdrawn>()
      .Ignore<rv1::ReferralRejected>();
  return router;
}

}  // namespace kpr::outcomes
