#include "services/outcomes/facts_handler.h"

#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"

namespace kpr::outcomes {

bus::EventRouter SchedulingFactsRouter(OutcomesDesk& desk) {
  namespace sv1 = scheduling::v1;
  auto apply = [&desk](const common::v1::Event& e, const auto&) {
    return desk.OnSchedulingEvent(e);
  };
  bus::EventRouter router(kSchedulingFactsConsumer);
  router.On<sv1::CohortPlanned>(apply)
      .On<sv1::SessionScheduled>(apply)
      .On<sv1::SessionRescheduled>(apply)
      .On<sv1::SessionCancelled>(apply)
      .On<sv1::Enrolled>(apply)
      .On<sv1::Unenrolled>(apply)
      .On<sv1::CohortStarted>(apply)
      .On<sv1::CohortCompleted>(apply)
      .On<sv1::CohortCancelled>(apply)
      // Nothing to record.
      .Ignore<sv1::CohortOpened>()
      .Ignore<sv1::Waitlisted>();
  return router;
}

bus::EventRouter ReferralFactsRouter(OutcomesDesk& desk) {
  namespace rv1 = referral::v1;
  auto apply = [&desk](const common::v1::Event& e, const auto&) { return desk.OnReferralEvent(e); };
  bus::EventRouter router(kReferralFactsConsumer);
  router.On<rv1::ReferralReceived>(apply)
      .On<rv1::ReferralStatusChanged>(apply)
      // These also arrive as status_changed, which the funnel counts.
      .Ignore<rv1::ReferralAccepted>()
      .Ignore<rv1::ReferralDeclined>()
      .Ignore<rv1::ReferralWithdrawn>()
      .Ignore<rv1::ReferralRejected>();
  return router;
}

}  // namespace kpr::outcomes
