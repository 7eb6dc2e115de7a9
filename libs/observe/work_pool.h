#ifndef KPR_LIBS_OBSERVE_WORK_POOL_H_
#define KPR_LIBS_OBSERVE_WORK_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"

namespace kpr::observe {

// A fixed set of threads taking tasks from a bounded queue. TryPost() refuses a task instead of
// queueing it when `max_queued` tasks already wait, so an overloaded caller can answer "busy"
// at once rather than let waiting work grow without bound.
class WorkPool {
 public:
  WorkPool(int threads, size_t max_queued);
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;
  ~WorkPool();  // Stop()

  // False (and `task` is not run) when the queue is full or the pool is stopped.
  bool TryPost(std::function<void()> task);
  // Tasks waiting for a thread (not those running).
  size_t queued() const;
  // Drops the tasks still waiting (destroying them here), waits for the running ones, joins the
  // threads. Idempotent.
  void Stop();

 private:
  void Run();

  const size_t max_queued_;
  // std::mutex: Debian's Abseil is not TSAN-instrumented (see log.cc).
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_WORK_POOL_H_
