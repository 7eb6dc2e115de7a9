#include "services/scheduling/referral_events_handler.h"

#include "kpr/referral/v1/events.pb.h"
#include "kpr/scheduling/v1/events.pb.h"

namespace kpr::scheduling {

bus::EventRouter ReferralEventsRouter(EnrolmentDesk& desk) {
  namespace rv1 = referral::v1;
  bus::EventRouter router(kReferralEventsConsumer);
  router
      .On<rv1::ReferralAccepted>(
          [&desk](const common::v1::Event& e, const rv1::ReferralAccepted& accepted) {
            return desk.OnReferralAccepted(e, accepted);
          })
      .On<rv1::ReferralWithdrawn>(
          [&desk](const common::v1::Event& e, const rv1::ReferralWithdrawn& withdrawn) {
            return desk.OnReferralWithdrawn(e, withdrawn);
          })
      // What the referrer sees; scheduling acts on the facts above.
      .Ignore<rv1::ReferralReceived>()
      .Ignore<rv1::ReferralRejected>()
      .Ignore<rv1::ReferralDeclined>()
      .Ignore<rv1::ReferralStatusChanged>();
  return router;
}

bus::EventRouter CancellationsRouter(EnrolmentDesk& desk) {
  bus::EventRouter router(kCancellationsConsumer);
  router.On<v1::CohortCancelled>(
      [&desk](const common::v1::Event& e, const v1::CohortCancelled& cancelled) {
        return desk.OnCohortCancelled(e, cancelled);
      });
  return router;
}

}  // namespace kpr::scheduling
