#ifndef KPR_SERVICES_NOTIFY_INBOUND_REPLY_H_
#define KPR_SERVICES_NOTIFY_INBOUND_REPLY_H_

// Inbound SMS replies (MO) from the gateway, and which of them opt the number out. Pure; the
// callback is signed like delivery reports (callback_signature.h).
//
// Body (GatewayAPI's MO webhook): {"id", "msisdn" (a number), "receiver", "message", "senttime",
// "webhook_label"}.
//
// STOP rule: the reply's first word, trimmed, without trailing punctuation and in any case, is
// STOP or AFMELD ("stop", "Stop.", "AFMELD tak", "stop tak!"). Only the first word counts, so a
// sentence that merely mentions stopping ("jeg kan ikke stoppe i dag") does not opt out, and a
// reply like "stop" followed by a thank-you does.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kpr::notify {

struct InboundReply {
  std::string provider_message_id;  // "id"
  std::string msisdn;               // digits, no '+': hashed for the suppression list, never kept
  std::string text;                 // "message"
};

// INVALID_ARGUMENT (HTTP 400) unless a JSON object with a plausible msisdn (8 to 15 digits, as a
// number or a string) and a string message.
absl::StatusOr<InboundReply> ParseInboundReply(absl::string_view body);

// Whether the text asks to stop messages (the rule above).
bool IsStopRequest(absl::string_view text);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_INBOUND_REPLY_H_
