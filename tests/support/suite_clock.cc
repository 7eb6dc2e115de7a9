#include "tests/support/suite_clock.h"

#include <algorithm>

#include "libs/clock/sim_clock_store.h"

namespace kpr::testing {

absl::Status SuiteClock::Resume() {
  auto offset = clock::ReadSimOffset(probe_.redis());
  if (!offset.ok()) return offset.status();
  if (offset->has_value()) {
    set_at_ = absl::Now();
    now_ = set_at_ + absl::Milliseconds(**offset);
  }
  return absl::OkStatus();
}

absl::Status SuiteClock::MoveTo(absl::Time t) {
  if (absl::Status st = FireSoonTimers(t); !st.ok()) return st;
  if (t <= now_) return absl::OkStatus();
  return Set(t);
}

// In real time a retry or a fallback due a few minutes from now (a reminder whose first try met
// a failing Redis is sent again a minute later) fires long before the next session comes round;
// a jump of the clock would skip past it, and the reminder would then be too late to send. So
// before jumping to `t` the clock visits each timer due within the next few minutes.
absl::Status SuiteClock::FireSoonTimers(absl::Time t) {
  constexpr absl::Duration kSoon = absl::Minutes(10);
  for (int visits = 0; visits < 20; ++visits) {
    const absl::Time sim_now = now_ + (absl::Now() - set_at_);
    auto next = probe_.NextTimer(municipalities_, sim_now, std::min(t, sim_now + kSoon));
    if (!next.ok()) return next.status();
    if (!next->has_value()) return absl::OkStatus();
    // Whole seconds (what `clock set` takes), just after the timer.
    const absl::Time at = absl::FromUnixSeconds(absl::ToUnixSeconds(**next) + 1);
    if (at >= t) return absl::OkStatus();
    if (absl::Status st = Set(at); !st.ok()) return st;
    if (absl::Status st = WaitIdle(); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status SuiteClock::Set(absl::Time t) {
  if (absl::Status st =
          kprctl_({"clock", "set", absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone())});
      !st.ok()) {
    return st;
  }
  now_ = t;
  set_at_ = absl::Now();
  return absl::OkStatus();
}

absl::Status SuiteClock::WaitIdle() {
  const absl::Time base = now_;
  const absl::Time real = set_at_;
  return probe_.WaitIdle(
      municipalities_, [base, real] { return base + (absl::Now() - real); }, idle_timeout_);
}

}  // namespace kpr::testing
