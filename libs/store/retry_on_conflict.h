#ifndef KPR_LIBS_STORE_RETRY_ON_CONFLICT_H_
#define KPR_LIBS_STORE_RETRY_ON_CONFLICT_H_

// The one policy for optimistic concurrency in kpr. Every write checks the version it read; one
// that lost a race returns ABORTED, and the whole read-decide-write is tried again, after a short
// random pause so that two writers do not collide in step. After kMaxConflictAttempts it gives
// up with the last ABORTED: a gRPC caller is told to read again, an event handler naks and its
// message comes back later. Any other status ends the retrying at once, and so does a
// StaleVersionError: the caller's own expected version is out of date, which reading again
// cannot mend.

#include <functional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::store {

inline constexpr int kMaxConflictAttempts = 8;

// The pause before attempt `attempt` (1-based; none before the first): uniformly random in
// [0, min(2^(attempt-2), 16)] ms.
absl::Duration ConflictBackoff(int attempt);

absl::Status RetryOnConflict(const std::function<absl::Status()>& attempt);

// ABORTED, marked as the caller's stale expected version (not a race lost inside the attempt).
absl::Status StaleVersionError(absl::string_view message);
bool IsStaleVersion(const absl::Status& status);

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
