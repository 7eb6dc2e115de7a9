#ifndef KPR_SERVICES_NOTIFY_DELIVERY_DESK_H_
#define KPR_SERVICES_NOTIFY_DELIVERY_DESK_H_
// What a coordinator does with deliveries: lists them (by referral, cohort or status; contact
// points masked, skipped ones with their reason) and writes to one participant or a whole cohort
// (SendMessage). A SendMessage carries a client-chosen request id: the deliveries' ids derive
// from it, so the same request sent again records nothing new and sends nothing twice.
#include "absl/status/statusor.h"
#include "kpr/notify/v1/notify_service.pb.h"
#include "libs/identity/caller.h"
#include "libs/validation/field_violations.h"
#include "services/notify/facts_desk.h"
#include "services/notify/notify_context.h"

namespace kpr::notify {

class DeliveryDesk {
 public:
  DeliveryDesk(const NotifyContext& context, const FactsDesk& facts)
      : ctx_(context), facts_(facts) {}

  absl::StatusOr<v1::ListDeliveriesResponse> ListDeliveries(const v1::ListDeliveriesRequest& req,
                                                            const identity::Caller& caller);
  absl::StatusOr<v1::SendMessageResponse> SendMessage(const v1::SendMessageRequest& req,
                                                      const identity::Caller& caller);

 private:
  const NotifyContext& ctx_;
  const FactsDesk& facts_;
};

// Every problem with a SendMessage request, fields named: municipality, request_id (1-64 of
// [A-Za-z0-9._:-]), text (1-1000 bytes), and exactly one of referral_ids (at most 100, each of
// the municipality) or cohort_id.
validation::FieldViolations SendMessageViolations(const v1::SendMessageRequest& req);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DELIVERY_DESK_H_
