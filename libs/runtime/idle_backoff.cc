#include "libs/runtime/idle_backoff.h"

#include <algorithm>

namespace kpr::runtime {

std::vector<std::string> IdleBackoff::Due(const std::vector<std::string>& keys,
                                          absl::Time now) const {
  std::vector<std::string> due;
  for (const std::string& key : keys) {
    auto it = state_.find(key);
    if (it == state_.end() || it->second.due <= now) due.push_back(key);
  }
  return due;
}

void IdleBackoff::Found(absl::string_view key) { state_.erase(key); }

void IdleBackoff::Empty(absl::string_view key, absl::Time now) {
  State& s = state_[key];
  s.backoff =
      s.backoff == absl::ZeroDuration() ? options_.min : std::min(s.backoff * 2, options_.max);
  s.due = now + s.backoff;
}

void IdleBackoff::Wake(absl::string_view key) { state_.erase(key); }

void IdleBackoff::WakeAll() { state_.clear(); }

absl::Duration IdleBackoff::backoff(absl::string_view key) const {
  auto it = state_.find(key);
  return it == state_.end() ? absl::ZeroDuration() : it->second.backoff;
}

}  // namespace kpr::runtime
