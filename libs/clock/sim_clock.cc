#include "libs/clock/sim_clock.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/clock/sim_clock_store.h"
#include "libs/observe/log.h"

namespace kpr::clock {

SimulatedClock::SimulatedClock(store::RedisOptions redis, Options options)
    : options_(options), pool_(std::move(redis)) {}

absl::StatusOr<std::unique_ptr<SimulatedClock>> SimulatedClock::Start(store::RedisOptions redis,
                                                                      Options options) {
  std::unique_ptr<SimulatedClock> c(new SimulatedClock(std::move(redis), options));
  const absl::Time give_up = absl::Now() + options.first_read;
  absl::Status read = c->Refresh();
  while (!read.ok() && absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(100));
    read = c->Refresh();
  }
  if (!read.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the simulated clock (", kSimClockKey, ") cannot be read: ", read.message()));
  }
  SimulatedClock* self = c.get();
  c->refresh_ = std::make_unique<runtime::PassLoop>(
      [self]() -> absl::StatusOr<int> {
        if (absl::Status st = self->Refresh(); !st.ok()) return st;
        return 0;  // then wait `refresh`
      },
      runtime::PassLoop::Options{
          .idle_wait = options.refresh,
          .min_backoff = options.refresh,
          .max_backoff = std::max(options.refresh, absl::Seconds(1)),
          .on_failing =
              [](const absl::Status& error) {
                observe::Warn("simulated clock not refreshed; keeping its last offset")
                    .With("error", error.ToString());
              },
          .on_recovered = [] { observe::Info("simulated clock refreshed again"); }});
  c->refresh_->Start();
  return c;
}

SimulatedClock::~SimulatedClock() {
  if (refresh_) refresh_->Stop();
}

absl::Time SimulatedClock::Now() {
  return monotonic_.Next(SimulatedTime(absl::Now(), offset_ms_.load(std::memory_order_relaxed)));
}

void SimulatedClock::OnJump(std::function<void()> wake) {
  absl::MutexLock lock(&wake_mu_);
  wake_ = std::move(wake);
}

absl::Status SimulatedClock::Refresh() {
  auto stored = ReadSimOffset(pool_);
  if (!stored.ok()) return stored.status();
  const int64_t offset = stored->value_or(0);
  const int64_t before = offset_ms_.exchange(offset, std::memory_order_relaxed);
  if (offset == before) return absl::OkStatus();
  observe::Info("simulated clock moved")
      .With("simulated_time", FormatInstant(SimulatedTime(absl::Now(), offset)))
      .With("offset", FormatOffset(offset));
  if (offset > before) {
    absl::MutexLock lock(&wake_mu_);
    if (wake_) wake_();
  }
  return absl::OkStatus();
}

}  // namespace kpr::clock
