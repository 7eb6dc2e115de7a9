#include "libs/runtime/pass_loop.h"

#include <algorithm>
#include <utility>

namespace kpr::runtime {

PassLoop::PassLoop(std::function<absl::StatusOr<int>()> pass, Options options)
    : pass_(std::move(pass)), options_(std::move(options)) {}

PassLoop::~PassLoop() { Stop(); }

void PassLoop::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Run(); });
}

void PassLoop::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
}

void PassLoop::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void PassLoop::Run() {
  absl::Duration backoff = options_.min_backoff;
  bool failing = false;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stop_) return;
      notified_ = false;  // this pass covers whatever was notified before it
    }
    absl::StatusOr<int> done = pass_();
    absl::Duration wait;
    bool wake_on_notify = true;
    if (!done.ok()) {
      if (!failing && options_.on_failing) options_.on_failing(done.status());
      failing = true;
      wait = backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
      wake_on_notify = false;
    } else {
      if (failing && options_.on_recovered) options_.on_recovered();
      failing = false;
      backoff = options_.min_backoff;
      if (*done > 0) continue;  // maybe more: go again at once
      wait = options_.idle_wait;
    }
    absl::MutexLock lock(&mu_);
    auto wake = [this, wake_on_notify]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stop_ || (wake_on_notify && notified_);
    };
    mu_.AwaitWithTimeout(absl::Condition(&wake), wait);
  }
}

}  // namespace kpr::runtime
