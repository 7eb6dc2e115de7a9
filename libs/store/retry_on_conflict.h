#ifndef KPR_LIBS_STORE_RETRY_ON_CONFLICT_H_
#define KPR_LIBS_STORE_RETRY_ON_CONFLICT_H_

// The one policy for optimistic concurrency in kpr. Every write checks the version it read; one
// that lost a race returns ABORTED, and the whole read-decide-write is tried again, after a short
// random pause so that two writers do not collide in step. After kMaxConflictAttempts it gives
// up with the last ABORTED: a gRPC caller is told to read again, an event handler naks and its
// message comes back later. Any other status ends the retrying at once.

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kpr::store {

inline constexpr int kMaxConflictAttempts = 8;

// The pause before attempt `attempt` (1-based; none before the first): uniformly random in
// [0, min(2^(attempt-2), 16)] ms.
absl::Duration ConflictBackoff(int attempt);

absl::Status RetryOnConflict(const std::function<absl::Status()>& attempt);

template <typename T>
absl::StatusOr<T> RetryOnConflict(const std::function<absl::StatusOr<T>()>& attempt) {
  absl::StatusOr<T> result = absl::AbortedError("not attempted");
  RetryOnConflict([&]() -> absl::Status {
    result = attempt();
    return result.status();
  }).IgnoreError();
  return result;
}

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_RETRY_ON_CONFLICT_H_
