#ifndef KPR_SERVICES_NOTIFY_CALLBACK_SIGNATURE_H_
#define KPR_SERVICES_NOTIFY_CALLBACK_SIGNATURE_H_

// The authentication of the SMS gateway's callbacks (delivery reports and inbound replies):
// `X-Kpr-Signature: sha256=<lower-case hex HMAC-SHA256 of the raw body>` under the shared secret
// (KPR_NOTIFY_CALLBACK_SECRET_FILE). Verified over the body as received, before it is parsed, and
// compared in constant time. Pure.

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kpr::notify {

inline constexpr char kCallbackSignatureHeader[] = "X-Kpr-Signature";

// "sha256=<hex>" for `body`.
std::string CallbackSignature(absl::string_view secret, absl::string_view body);

// OK when `header_value` signs `body` under `secret`. UNAUTHENTICATED (the HTTP layer answers
// 401) when the header is missing, malformed or wrong, and when no secret is configured: an
// unconfigured receiver fails closed.
absl::Status VerifyCallbackSignature(absl::string_view secret, absl::string_view body,
                                     absl::string_view header_value);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_CALLBACK_SIGNATURE_H_
