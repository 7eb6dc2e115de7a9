#ifndef KPR_SERVICES_NOTIFY_GATEWAYAPI_SHAPE_H_
#define KPR_SERVICES_NOTIFY_GATEWAYAPI_SHAPE_H_

// GatewayAPI's REST shape, without the HTTP: the body of POST /rest/mtsms and what an answer
// means for the delivery. Pure; gatewayapi_client.h does the I/O.
//
// Request: {"sender", "message", "encoding": "UCS2" (only when the text needs it; without it the
// gateway transcodes to GSM-7), "recipients": [{"msisdn": 4520000001}] (a number, no "+"),
// "userref", "callback_url" (omitted when empty)}. Answer: 200 {"ids": [1000001], ...}; errors
// {"code", "message"}.
//
// Classification (see sms_provider.h for what each outcome does):
// - 2xx with an id: kAccepted. 2xx without one: kUnknown (it may have been taken).
// - 429: kTransient with its Retry-After (1 s when absent). 503: kTransient (not processed).
// - 500, 502, 504 and other 5xx: kUnknown. A gateway, or a proxy in front of it, can fail after
//   it accepted the message (the simulator's FailNext(after_accept)); a retry with the same
//   userref on the same provider is safe, a failover to the other could send it twice.
// - 401, 403: kTransient and config_error (our token is wrong; see SmsSendResult).
// - 408: kTransient (the gateway did not get the whole request).
// - 422: kPermanent, invalid recipient. Other 4xx: kPermanent, rejected.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/notify/sms_provider.h"

namespace kpr::notify {

// The digits of an E.164 number ("+45 20 00 00 01" -> "4520000001"); nullopt unless 8 to 15
// digits without a leading 0 (after an optional '+' and spaces).
std::optional<std::string> MsisdnDigits(absl::string_view msisdn);

// The JSON body for one message to one recipient; INVALID_ARGUMENT for an implausible msisdn.
absl::StatusOr<std::string> MtSmsBody(const SmsRequest& request);

// A Retry-After value: delta seconds ("2") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT",
// measured from `now`); nullopt when absent or unreadable. Never negative.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

// What an HTTP answer of the gateway means. `retry_after`: the header's value ("" if absent).
SmsSendResult ClassifyMtSmsAnswer(int http_status, absl::string_view body,
                                  absl::string_view retry_after, absl::Time now);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_GATEWAYAPI_SHAPE_H_
