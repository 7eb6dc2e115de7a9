#ifndef KPR_LIBS_CLOCK_SIM_CLOCK_H_
#define KPR_LIBS_CLOCK_SIM_CLOCK_H_

// The simulated domain clock of the kpr-<service>-sim binaries: real time plus the offset that
// `kprctl clock` keeps in Redis (sim_time.h), so every replica of every service sees one time.
//
// - A read never waits for Redis: the offset is cached and refreshed in the background every
//   `refresh` (100 ms by default), so an advance is seen within about that.
// - Monotonic: the time one process hands out never goes backwards, even if the key is lowered
//   by hand (time then stands still until real time catches up).
// - Between advances simulated time flows at real speed.
// - After an advance the OnJump listener runs, so timer workers fire what came due at once.
// - Redis down: the last offset is kept (time keeps flowing) and the refresh retries.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/clock/domain_clock.h"
#include "libs/clock/sim_time.h"
#include "libs/runtime/pass_loop.h"
#include "libs/store/redis_pool.h"

namespace kpr::clock {

class SimulatedClock final : public DomainClock {
 public:
  struct Options {
    absl::Duration refresh = absl::Milliseconds(100);
    // How long Start waits for the first read: a process must not start on the wrong time.
    absl::Duration first_read = absl::Seconds(10);
  };

  // Reads the shared offset (UNAVAILABLE if Redis does not answer within options.first_read),
  // then refreshes it in the background.
  static absl::StatusOr<std::unique_ptr<SimulatedClock>> Start(store::RedisOptions redis,
                                                               Options options);
  ~SimulatedClock() override;  // stops the refresh

  absl::Time Now() override;
  void OnJump(std::function<void()> wake) override;
  absl::string_view kind() const override { return "simulated"; }

  // The offset in use (ms), as last read.
  int64_t offset_ms() const { return offset_ms_.load(std::memory_order_relaxed); }

 private:
  SimulatedClock(store::RedisOptions redis, Options options);
  // One read of the key: takes the offset, wakes the listener when it grew.
  absl::Status Refresh();

  const Options options_;
  store::RedisPool pool_;
  std::atomic<int64_t> offset_ms_{0};
  MonotonicTime monotonic_;
  absl::Mutex wake_mu_;  // held while the listener runs, so OnJump({}) waits it out
  std::function<void()> wake_ ABSL_GUARDED_BY(wake_mu_);
  std::unique_ptr<runtime::PassLoop> refresh_;
};

}  // namespace kpr::clock

#endif  // KPR_LIBS_CLOCK_SIM_CLOCK_H_
