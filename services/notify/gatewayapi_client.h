#ifndef KPR_SERVICES_NOTIFY_GATEWAYAPI_CLIENT_H_
#define KPR_SERVICES_NOTIFY_GATEWAYAPI_CLIENT_H_

// An SmsProvider for GatewayAPI's REST shape (gatewayapi_shape.h), over libcurl.
//
// POST <base_url>/rest/mtsms with `Authorization: Token <token>`, the token read once from a file
// at construction. Thread-safe: each call checks out an easy handle from a small pool and puts it
// back, so connections (and TLS sessions) are reused across calls and threads without sharing a
// handle between two transfers. Every call ends by its deadline.
//
// A failure of the transport is classified by whether the request may have reached the gateway:
// nothing sent (no connection, name not resolved, deadline already past) is kTransient; a timeout
// or a dropped connection after the request went out is kUnknown.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/notify/sms_provider.h"

namespace kpr::notify {

struct GatewayApiOptions {
  std::string name = "primary";  // Delivery.provider
  std::string base_url;          // "https://gatewayapi.eu"; the client appends "/rest/mtsms"
  std::string token_file;        // KPR_SMS_GATEWAY_TOKEN_FILE
  // kpr's gateway contract (a repeated userref gets the first id, nothing is sent again). Set
  // false for a provider that does not: an unknown outcome then marks a possible duplicate.
  bool honours_idempotency_key = true;
  absl::Duration connect_timeout = absl::Seconds(3);  // capped by each call's deadline
  size_t max_idle_handles = 8;  // easy handles (each with its connection) kept for reuse
  std::string ca_file;          // optional: a CA bundle to trust instead of the system's
};

class GatewayApiClient : public SmsProvider {
 public:
  // INVALID_ARGUMENT without a base URL; FAILED_PRECONDITION when the token file cannot be read
  // or is empty: a configuration error at start-up, not a failed delivery later.
  static absl::StatusOr<std::unique_ptr<GatewayApiClient>> Create(GatewayApiOptions options);
  ~GatewayApiClient() override;
  GatewayApiClient(const GatewayApiClient&) = delete;
  GatewayApiClient& operator=(const GatewayApiClient&) = delete;

  const std::string& name() const override { return options_.name; }
  bool honours_idempotency_key() const override { return options_.honours_idempotency_key; }
  SmsSendResult Send(const SmsRequest& request, absl::Time deadline) override;

 private:
  struct Handle;
  GatewayApiClient(GatewayApiOptions options, std::string token);
  std::unique_ptr<Handle> Checkout();
  void Return(std::unique_ptr<Handle> handle);

  const GatewayApiOptions options_;
  const std::string url_;
  const std::string auth_header_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_GATEWAYAPI_CLIENT_H_
