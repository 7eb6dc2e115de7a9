#ifndef KPR_LIBS_RPC_LIFECYCLE_H_
#define KPR_LIBS_RPC_LIFECYCLE_H_

#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kpr::rpc {

// Process-wide SIGTERM/SIGINT handling without async-signal handlers: Install() blocks both
// signals in the calling thread (call it first in main, before any thread starts, so every
// thread inherits the mask) and starts a thread that sigwait()s for them. A second signal
// after the first exits the process at once (exit code 128 + signal), for an operator who
// does not want to wait for the drain.
class ShutdownSignal {
 public:
  static void Install();  // idempotent
  static bool Requested();
  static void WaitForShutdown();  // blocks until a signal arrived or RequestForTest()
  static void RequestForTest();   // also usable as a programmatic "shut down now"
};

// Polls named checks every `interval` on its own thread and reports the aggregate (healthy
// when every check passes) through on_change: once at Start() and then on every change.
// Checks should be quick (bounded by their own timeouts); they run one after another.
class HealthMonitor {
 public:
  using Check = std::function<bool()>;

  HealthMonitor(std::vector<std::pair<std::string, Check>> checks, absl::Duration interval,
                std::function<void(bool healthy)> on_change);
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;
  ~HealthMonitor();  // Stop()s

  // Runs the checks once in the calling thread (on_change(healthy) before returning), then
  // starts polling. Call once.
  void Start();
  // Stops polling and joins the thread; no on_change after it returns. Idempotent.
  void Stop();

  bool healthy() const;
  // Names of the checks that failed in the latest round.
  std::vector<std::string> FailingChecks() const;

 private:
  void RunOnce(bool first);
  void Loop();

  const std::vector<std::pair<std::string, Check>> checks_;
  const absl::Duration interval_;
  const std::function<void(bool)> on_change_;
  mutable absl::Mutex mu_;
  bool healthy_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> failing_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kpr::rpc

#endif  // KPR_LIBS_RPC_LIFECYCLE_H_
