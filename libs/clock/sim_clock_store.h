#ifndef KPR_LIBS_CLOCK_SIM_CLOCK_STORE_H_
#define KPR_LIBS_CLOCK_SIM_CLOCK_STORE_H_

// Reading and moving the shared simulated clock (kSimClockKey, see sim_time.h) in Redis: what
// the kpr-<service>-sim processes read and `kprctl clock` writes. Errors are RedisPool's
// (UNAVAILABLE when Redis is down).

#include <cstdint>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/store/redis_pool.h"

namespace kpr::clock {

// The stored offset in milliseconds; nullopt when the clock was never set (simulated = real).
// INVALID_ARGUMENT when the key holds something else.
absl::StatusOr<std::optional<int64_t>> ReadSimOffset(store::RedisPool& pool);

// Makes simulated time `target` (as of `real_now`, the caller's real clock) and returns the new
// offset. Atomic against other writers: FAILED_PRECONDITION, naming the current simulated time,
// when `target` is before it; any instant when the clock was never set.
absl::StatusOr<int64_t> SetSimTime(store::RedisPool& pool, absl::Time target, absl::Time real_now);

// Moves simulated time forward by `step` (above zero, whole milliseconds; INVALID_ARGUMENT
// otherwise) and returns the new offset. Atomic: concurrent advances add up.
absl::StatusOr<int64_t> AdvanceSimTime(store::RedisPool& pool, absl::Duration step);

}  // namespace kpr::clock

#endif  // KPR_LIBS_CLOCK_SIM_CLOCK_STORE_H_
