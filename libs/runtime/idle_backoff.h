#ifndef KPR_LIBS_RUNTIME_IDLE_BACKOFF_H_
#define KPR_LIBS_RUNTIME_IDLE_BACKOFF_H_

// When to look at each of many sources again (the outbox relay's municipalities), so that a
// poller does not read every idle one on every pass. A key whose last read found work is due at
// once; one whose read found nothing is due again after a backoff that doubles from `min` up to
// `max`; a wake-up (new work signalled for it) makes it due at once again. Keys never seen are
// due at once. Pure bookkeeping, no I/O and no clock of its own: the caller passes `now`.
// Not thread-safe.

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::runtime {

class IdleBackoff {
 public:
  struct Options {
    absl::Duration min = absl::Milliseconds(100);
    absl::Duration max = absl::Seconds(1);
  };
  explicit IdleBackoff(Options options) : options_(options) {}

  // The keys of `keys` due at `now`, in the given order.
  std::vector<std::string> Due(const std::vector<std::string>& keys, absl::Time now) const;
  // The last read of `key` found work: due again at once.
  void Found(absl::string_view key);
  // The last read of `key` at `now` found nothing: due again after the next backoff step.
  void Empty(absl::string_view key, absl::Time now);
  // New work was signalled for `key` (or for all keys): due at once, backoff reset.
  void Wake(absl::string_view key);
  void WakeAll();

  // The backoff `key` waits now (zero when due at once); for tests and logs.
  absl::Duration backoff(absl::string_view key) const;

 private:
  struct State {
    absl::Time due = absl::InfinitePast();
    absl::Duration backoff = absl::ZeroDuration();
  };
  const Options options_;
  absl::flat_hash_map<std::string, State> state_;
};

}  // namespace kpr::runtime

#endif  // KPR_LIBS_RUNTIME_IDLE_BACKOFF_H_
