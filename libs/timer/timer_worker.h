#ifndef KPR_LIBS_TIMER_TIMER_WORKER_H_
#define KPR_LIBS_TIMER_TIMER_WORKER_H_

// Fires a service's due timers (timer_store.h). Run one worker per replica; they share the work.
//
// What "fires once" means here:
// - A pass claims due timers with one Lua script per municipality: it takes up to `batch` ids
//   with due <= now, re-scores each to now + lease and stamps it with a claim token. Claiming is
//   atomic, so no two replicas ever hold the same timer at the same time.
// - After the handler returns OK, a script deletes the timer only if it still carries this
//   pass's token, so a timer rescheduled or cancelled meanwhile (and then maybe claimed by
//   another pass) is not removed by a stale completion: each version completes once.
// - Handler failure: the timer is re-queued (same token check) at now + backoff, where backoff
//   = min(max_backoff, min_backoff * 2^attempt), and `attempt` is one higher at the next firing.
// - A holder that dies (or stalls past its lease) loses the timer: when the lease runs out it
//   is due again and the next pass of any replica fires it. The lease runs out in real time as
//   well as by the worker's clock: a clock that jumps ahead (the simulated clock of the -sim
//   binaries) does not take a timer from a live holder. Delivery is therefore at least
//   once, and handlers must be idempotent (e.g. an atomic script keyed by timer id/version).
//   The lease must exceed the time a handler batch takes (completions are written per pass,
//   in one round trip, after all handlers of the pass ran).
// - Redis down: PollOnce returns UNAVAILABLE; the background thread backs off (up to 2 s) and
//   retries. Nothing is lost: a timer whose completion could not be written fires again later.
//
// Finding due timers: a pass claims in every municipality of the registry (kpr:timers:<service>,
// SMEMBERS; never KEYS or SCAN), all claims in one pipelined round trip. While timers keep
// firing, passes run back to back; those only claim again in the municipalities whose last claim
// came back full (a backlog), and a pass over every municipality still runs at least every
// poll_interval (real time), so a timer coming due elsewhere waits no longer than when idle.
//
// All Redis scores are the milliseconds of the `now` passed in (the worker's clock), not Redis
// TIME, so tests can drive time; replicas' clocks should agree to well under the lease.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/runtime/pass_loop.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"

namespace kpr::observe {
class Counter;
class Gauge;
}  // namespace kpr::observe

namespace kpr::timer {

// What a full pass saw before claiming: timers due and not claimed, and how late the most
// overdue one is. From pipelined ZCOUNT -inf now / ZRANGE 0 0 WITHSCORES replies, two per
// municipality.
struct DueSummary {
  int64_t count = 0;
  absl::Duration lag = absl::ZeroDuration();
};
DueSummary SummarizeDue(const std::vector<store::RedisReply>& replies, absl::Time now);

class TimerWorker {
 public:
  // Runs on the worker's thread (or the caller of PollOnce), one timer at a time. OK completes
  // the timer; any error re-queues it with backoff.
  using Handler = std::function<absl::Status(const Timer&)>;
  // Runs before the handlers of a pass, once per municipality, with the timers just claimed: a
  // service may fetch in one round trip what several handlers will need (e.g. the contact
  // details of a batch of sends). A hint only: it changes no timer, and handlers must work
  // without it.
  using Prefetch = std::function<void(const std::vector<Timer>&)>;

  struct Options {
    absl::Duration poll_interval = absl::Milliseconds(200);  // idle sleep between passes
    absl::Duration lease = absl::Seconds(30);       // how long a claim excludes other replicas
    int batch = 100;                                // timers claimed per municipality per pass
    absl::Duration min_backoff = absl::Seconds(1);  // first retry delay after a failure
    absl::Duration max_backoff = absl::Minutes(5);
    std::function<absl::Time()> clock = [] { return absl::Now(); };  // for the thread's passes
    Prefetch prefetch;                                               // may be empty
    // How often kpr_timer_due and kpr_timer_lag_seconds are read (on a full pass).
    absl::Duration due_sample_interval = absl::Seconds(5);
  };

  // `pool` must outlive the worker.
  TimerWorker(store::RedisPool& pool, std::string service, Handler handler, Options options);
  TimerWorker(store::RedisPool& pool, std::string service, Handler handler)
      : TimerWorker(pool, std::move(service), std::move(handler), Options()) {}
  ~TimerWorker();  // Stop()
  TimerWorker(const TimerWorker&) = delete;
  TimerWorker& operator=(const TimerWorker&) = delete;

  // Background thread: passes back to back while timers fire, else sleeps poll_interval (or
  // until Notify()). Call once.
  void Start();
  // Wake the thread now for a pass over every municipality (e.g. after scheduling a timer due
  // at once).
  void Notify();
  // Stops the thread after the pass in progress (handlers of that pass finish). Idempotent.
  void Stop();

  // One pass at time `now` over every registered municipality: claim due timers, run the
  // handler on each, complete or re-queue them. Returns how many timers were handed to the
  // handler. UNAVAILABLE when Redis is down. Passes of one worker do not overlap.
  absl::StatusOr<int> PollOnce(absl::Time now);

  const std::string& service() const { return service_; }

 private:
  absl::Duration Backoff(int attempt) const;
  void SampleDue(const std::vector<std::string>& municipalities, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(poll_mu_);
  // The background thread's pass: over every municipality, or only the busy ones (see above).
  absl::StatusOr<int> LoopPass();
  // Claims in `municipalities` (all registered ones if `full`), fires, settles.
  absl::StatusOr<int> Poll(absl::Time now, bool full) ABSL_EXCLUSIVE_LOCKS_REQUIRED(poll_mu_);

  store::RedisPool& pool_;
  const std::string service_;
  const Handler handler_;
  const Options options_;
  const std::string token_prefix_;  // random per worker; a pass's token adds a counter
  std::atomic<uint64_t> passes_{0};
  observe::Counter& fired_;
  observe::Counter& retried_;
  observe::Counter& poll_errors_;
  observe::Gauge& due_;
  observe::Gauge& lag_;

  absl::Mutex poll_mu_;  // one pass at a time
  // Municipalities whose last claim came back full: the only ones a back-to-back pass claims in.
  std::vector<std::string> busy_ ABSL_GUARDED_BY(poll_mu_);
  absl::Time last_full_pass_ ABSL_GUARDED_BY(poll_mu_) = absl::InfinitePast();   // real time
  absl::Time last_due_sample_ ABSL_GUARDED_BY(poll_mu_) = absl::InfinitePast();  // real time
  std::atomic<bool> full_pass_requested_{false};
  runtime::PassLoop loop_;
};

}  // namespace kpr::timer

#endif  // KPR_LIBS_TIMER_TIMER_WORKER_H_
