#ifndef KPR_LIBS_CLOCK_SIM_TIME_H_
#define KPR_LIBS_CLOCK_SIM_TIME_H_

// The pure rules of the simulated clock that every kpr-<service>-sim process and `kprctl
// clock` share. The shared state is one Redis key, kSimClockKey, holding the offset of simulated
// from real time in whole milliseconds (a decimal integer, may be negative): simulated time =
// real time + offset. So simulated time flows at real speed between changes, every process on
// every machine computes the same time from it (as far as their real clocks agree), and an
// advance is one INCRBY. No key: simulated time is real time.

#include <atomic>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace kpr::clock {

// Global, not per municipality: every replica of every service reads the same time.
inline constexpr char kSimClockKey[] = "kpr:clock:sim";

// How far `kprctl clock advance` moves: whole numbers with units w (weeks), d (days), h, m, s,
// one or more in a row: "3d", "72h", "10w", "1w2d", "90m". Above zero, at most 100 years.
// INVALID_ARGUMENT naming what was expected otherwise.
absl::StatusOr<absl::Duration> ParseClockAdvance(absl::string_view text);

// An RFC 3339 instant with its offset: "2027-01-04T08:00:00Z", "2027-01-04T09:00:00+01:00".
absl::StatusOr<absl::Time> ParseClockInstant(absl::string_view text);

// The stored value: a decimal integer of milliseconds. INVALID_ARGUMENT otherwise.
absl::StatusOr<int64_t> ParseStoredOffset(absl::string_view text);

// real + offset.
absl::Time SimulatedTime(absl::Time real, int64_t offset_ms);

// The offset that makes simulated time `target` at real time `real_now`. With a `current` offset
// the clock never moves back: FAILED_PRECONDITION when `target` is before the current simulated
// time. Without one (the key was never written), any instant is allowed, also in the past:
// that is how a demo starts months back.
absl::StatusOr<int64_t> OffsetToReach(absl::Time target, absl::Time real_now,
                                      std::optional<int64_t> current);

// "2027-01-04T08:00:00.000Z" (UTC, milliseconds).
std::string FormatInstant(absl::Time t);
// An offset as days, hours, minutes and seconds with its sign: "+70d2h3m4s", "-30d", "0s".
std::string FormatOffset(int64_t offset_ms);

// Hands out times that never go backwards, from many threads: a simulated clock's offset may
// be lowered by hand and the machine's clock may be stepped back, but one process's domain time
// only moves forward (an event stamped later is never earlier).
class MonotonicTime {
 public:
  // `t`, or the latest time handed out so far if that is later.
  absl::Time Next(absl::Time t);

 private:
  std::atomic<int64_t> last_ns_{std::numeric_limits<int64_t>::min()};
};

}  // namespace kpr::clock

#endif  // KPR_LIBS_CLOCK_SIM_TIME_H_
