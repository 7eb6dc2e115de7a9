#include "libs/store/retry_on_conflict.h"

#include <algorithm>

#include "absl/random/random.h"
#include "absl/time/clock.h"

namespace kpr::store {

absl::Duration ConflictBackoff(int attempt) {
  if (attempt <= 1) return absl::ZeroDuration();
  thread_local absl::BitGen gen;
  const int max_ms = std::min(1 << std::min(attempt - 2, 4), 16);
  return absl::Microseconds(absl::Uniform(gen, 0, max_ms * 1000 + 1));
}

namespace {
constexpr char kStaleVersionPayload[] = "kpr.store/stale-version";
}  // namespace

absl::Status StaleVersionError(absl::string_view message) {
  absl::Status st = absl::AbortedError(message);
  st.SetPayload(kStaleVersionPayload, absl::Cord());
  return st;
}

bool IsStaleVersion(const absl::Status& status) {
  return status.GetPayload(kStaleVersionPayload).has_value();
}

absl::Status RetryOnConflict(const std::function<absl::Status()>& attempt) {
  absl::Status last;
  for (int n = 1; n <= kMaxConflictAttempts; ++n) {
    absl::SleepFor(ConflictBackoff(n));
    last = attempt();
    if (last.code() != absl::StatusCode::kAborted || IsStaleVersion(last)) return last;
  }
  return last;
}

}  // namespace kpr::store
