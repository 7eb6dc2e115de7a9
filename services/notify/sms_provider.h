#ifndef KPR_SERVICES_NOTIFY_SMS_PROVIDER_H_
#define KPR_SERVICES_NOTIFY_SMS_PROVIDER_H_

// The SMS providers behind one interface, so that a second gateway can stand behind the first as
// failover (provider_weights.h chooses) and other channels (Digital Post) can follow the same
// shape. A provider only sends and classifies the answer; what a delivery becomes is decided by
// delivery_attempt.h from the SendResult it returns:
//
// - kAccepted:  the gateway took the message; provider_message_id is its id.
// - kTransient: it did not take it and may later (5xx, 429 with its Retry-After, connection
//               refused before anything was sent, a rejected API token): retry with backoff, and
//               failover is allowed.
// - kPermanent: it never will (an invalid number, 400/422): fail the delivery at once.
// - kUnknown:   it may have taken it (a timeout or a dropped connection after the request went
//               out, an unreadable 2xx): retry on the SAME provider with the SAME userref, never
//               fail over. A provider that honours the userref answers the retry with the first id.

#include <string>

#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "services/notify/delivery_attempt.h"

namespace kpr::notify {

struct SmsRequest {
  std::string sender;                                // at most 11 letters or 15 digits
  std::string text;                                  // UTF-8
  v1::SmsEncoding encoding = v1::SMS_ENCODING_GSM7;  // AnalyzeSms(text).encoding
  std::string msisdn;                                // E.164: "+4520000001" (spaces allowed)
  std::string userref;                               // UserrefFor(delivery_id): the idempotency key
  std::string callback_url;                          // delivery reports; empty: none
};

// What one call came to, with what the caller records in metrics and logs (no personal data).
struct SmsSendResult {
  SendResult result;
  int http_status = 0;  // 0 when no HTTP answer came
  // The gateway refused our credentials (401/403): every message would fail the same way until
  // an operator fixes the token. Classified kTransient (the deliveries wait and may fail over)
  // and counted as the provider's error, so the weights move traffic away from it.
  bool config_error = false;
  std::string detail;  // why, for the log: a curl error or the gateway's error code
};

class SmsProvider {
 public:
  virtual ~SmsProvider() = default;

  // The name recorded in Delivery.provider ("primary", "secondary"): a delivery pinned by an
  // unknown outcome is sent again to the provider of this name.
  virtual const std::string& name() const = 0;
  // Whether a repeated userref is answered with the first id instead of sent again (kpr's gateway
  // contract). FinishAttempt marks an unknown outcome as possibly duplicated where it is not.
  virtual bool honours_idempotency_key() const = 0;
  // Sends one message to one recipient, giving up at `deadline`. Thread-safe.
  virtual SmsSendResult Send(const SmsRequest& request, absl::Time deadline) = 0;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_SMS_PROVIDER_H_
