#ifndef KPR_LIBS_RUNTIME_PASS_LOOP_H_
#define KPR_LIBS_RUNTIME_PASS_LOOP_H_

// A background thread that runs one "pass" of some work over and over: again at once while a
// pass reports work done (there may be more), after `idle_wait` or an earlier Notify() when it
// reports none, and with a doubling backoff while it fails (a new Notify does not cut a backoff
// short: a failing dependency is not fixed by new work). The outbox relay and the timer worker
// run on it.

#include <functional>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kpr::runtime {

class PassLoop {
 public:
  struct Options {
    absl::Duration idle_wait = absl::Milliseconds(100);
    absl::Duration min_backoff = absl::Milliseconds(50);
    absl::Duration max_backoff = absl::Seconds(1);
    // Called when passes start failing, and when they work again (for one log line each).
    std::function<void(const absl::Status&)> on_failing;
    std::function<void()> on_recovered;
  };
  // `pass` returns how much work it did, or an error.
  PassLoop(std::function<absl::StatusOr<int>()> pass, Options options);
  ~PassLoop();  // Stop()

  void Start();   // no-op if running or stopped
  void Notify();  // there is new work: run a pass now instead of after idle_wait
  void Stop();    // lets the pass in progress finish, then joins; idempotent

 private:
  void Run();

  std::function<absl::StatusOr<int>()> pass_;
  Options options_;
  absl::Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kpr::runtime

#endif  // KPR_LIBS_RUNTIME_PASS_LOOP_H_
