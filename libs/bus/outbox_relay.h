#ifndef KPR_LIBS_BUS_OUTBOX_RELAY_H_
#define KPR_LIBS_BUS_OUTBOX_RELAY_H_

// Publishes a service's Redis outbox (libs/store/outbox.h) to JetStream and removes entries only
// after the server acked them. A crash in between publishes again; the stream's duplicate window
// (event id = Nats-Msg-Id) absorbs it. NATS or Redis down: entries stay, the relay backs off (up
// to 1 s) and retries; nothing is dropped.

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/bus/jetstream.h"
#include "libs/runtime/pass_loop.h"
#include "libs/store/outbox.h"

namespace kpr::bus {

class OutboxRelay {
 public:
  struct Options {
    int batch = 512;  // entries read per municipality per pass
    absl::Duration poll_interval = absl::Milliseconds(100);
    absl::Duration publish_timeout = absl::Seconds(5);  // for the acks of one pass
  };

  // `outbox` and `js` must outlive the relay.
  OutboxRelay(store::Outbox& outbox, JetStream& js, Options options);
  OutboxRelay(store::Outbox& outbox, JetStream& js) : OutboxRelay(outbox, js, Options()) {}
  ~OutboxRelay();  // Stop(absl::ZeroDuration()) if still running
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Background thread: passes back to back while there is work, else sleeps poll_interval or
  // until Notify(). Call once.
  void Start();
  // Wake the thread now (call after a write that appended to the outbox).
  void Notify();
  // One pass over every registered municipality: read up to `batch` each, publish all, wait
  // for the acks, remove. Returns how many were published and removed. UNAVAILABLE when NATS
  // or Redis is down (nothing removed).
  absl::StatusOr<int> FlushOnce();
  // Stops the thread, then flushes until the outbox is empty or `flush_timeout` passed.
  // Idempotent.
  void Stop(absl::Duration flush_timeout = absl::Seconds(5));

  uint64_t published() const { return published_.load(); }

 private:
  absl::StatusOr<int> FlushOnce(absl::Duration publish_timeout);

  store::Outbox& outbox_;
  JetStream& js_;
  const Options options_;
  absl::Mutex flush_mu_;  // one pass at a time
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> published_{0};
  runtime::PassLoop loop_;
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_OUTBOX_RELAY_H_
