#include "libs/bus/republish.h"

#include <algorithm>

namespace kpr::bus {

bool IsRetryablePublishError(natsStatus s, int js_err_code) {
  switch (s) {
    case NATS_TIMEOUT:
    case NATS_NO_RESPONDERS:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NOT_YET_CONNECTED:
      return true;
    case NATS_ERR:
      return js_err_code == JSClusterNotAvailErr || js_err_code == JSClusterNotLeaderErr ||
             js_err_code == JSStreamOfflineErr;
    default:
      return false;
  }
}

absl::Duration RepublishBackoff(int attempt) {
  const int exponent = std::clamp(attempt - 1, 0, 5);
  return std::min(absl::Milliseconds(50) * (1 << exponent), absl::Seconds(1));
}

absl::Duration AckWait(size_t messages) {
  return absl::Seconds(1) + absl::Microseconds(200) * static_cast<int64_t>(messages);
}

}  // namespace kpr::bus
