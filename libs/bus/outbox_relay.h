#ifndef KPR_LIBS_BUS_OUTBOX_RELAY_H_
#define KPR_LIBS_BUS_OUTBOX_RELAY_H_

// Publishes a service's Redis outbox (libs/store/outbox.h) to JetStream and removes entries only
// after the server acked them. A crash in between publishes again; the stream's duplicate window
// (event id = Nats-Msg-Id) absorbs it. NATS or Redis down: entries stay, the relay backs off (up
// to 1 s) and retries; nothing is dropped.
//
// Two ways in. Read back: a pass reads every registered municipality's outbox (XRANGE, oldest
// first) and publishes what it finds. Handed over: a writer that knows the stream ids of the
// entries its script just appended (and still holds their contents) hands them over with
// HandOver(); the relay publishes them and removes them by id without reading them back, which
// saves Redis and this process the read. The outbox stays the source of truth: handed-over
// entries are in Redis already, so whatever the relay drops (queue full, NATS down, a crash) a
// read-back finds.
//
// While hand-overs flow, a read-back would mostly find entries whose script has run but whose
// writer has not handed them over yet, and publish them twice. So then the relay reads back only
// when notified, when a skipped entry comes due, or every read_back_interval, and publishes only
// the entries older (by stream id, i.e. Redis's clock) than hand_over_grace: such a read-back
// publishes a prefix of each stream and retries the rest once they are old enough, so order is
// kept and a write that was not handed over waits at most about hand_over_grace.

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

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
    // Entries read, and events published (cut at an entry's end), per municipality per pass.
    int batch = 512;
    absl::Duration poll_interval = absl::Milliseconds(100);
    absl::Duration publish_timeout = absl::Seconds(5);  // for the acks of one pass
    int max_handed_over = 16384;  // entries held in memory at most; more are read back instead
    // While hand-overs flow (one came within read_back_interval): see above.
    absl::Duration read_back_interval = absl::Seconds(1);
    absl::Duration hand_over_grace = absl::Milliseconds(250);
  };

  // `outbox` and `js` must outlive the relay.
  OutboxRelay(store::Outbox& outbox, JetStream& js, Options options);
  OutboxRelay(store::Outbox& outbox, JetStream& js) : OutboxRelay(outbox, js, Options()) {}
  ~OutboxRelay();  // Stop(absl::ZeroDuration()) if still running
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Background thread: passes back to back while there is work, else sleeps poll_interval or
  // until Notify() or a hand-over. Call once.
  void Start();
  // Wake the thread now and read the outbox back (call after a write that appended to it).
  void Notify();
  // Entries a script just appended to the outbox's stream of `municipality` (stream_id and all
  // fields set, oldest first), to publish without reading them back. They may be published
  // before older entries of the stream: hand over only entries that no older unpublished entry
  // must precede (e.g. the first events of new aggregates). Wakes the relay. False if it is
  // stopped or its queue is full: then call Notify() as after any other write. Thread-safe.
  bool HandOver(const std::string& municipality, std::vector<store::OutboxEntry> entries);
  // One pass: publish what was handed over, then read every registered municipality's outbox
  // (up to `batch` each), publish all, wait for the acks, remove. Returns how many were
  // published and removed. UNAVAILABLE when NATS or Redis is down (nothing removed).
  absl::StatusOr<int> FlushOnce();
  // Stops the thread, then flushes until the outbox is empty or `flush_timeout` passed.
  // Idempotent.
  void Stop(absl::Duration flush_timeout = absl::Seconds(5));

  uint64_t published() const { return published_.load(); }

 private:
  struct Handed {
    std::string municipality;
    std::vector<store::OutboxEntry> entries;
  };

  // `read_back`: always read the outbox back in this pass (else only when due, see above).
  absl::StatusOr<int> FlushOnce(absl::Duration publish_timeout, bool read_back);
  // Publishes the entries (one list per municipality) and removes them from the outbox.
  absl::StatusOr<int> PublishAndRemove(const std::vector<std::string>& municipalities,
                                       std::vector<std::vector<store::OutboxEntry>>& entries,
                                       absl::Duration publish_timeout);

  store::Outbox& outbox_;
  JetStream& js_;
  const Options options_;
  absl::Mutex flush_mu_;  // one pass at a time
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Handed> handed_ ABSL_GUARDED_BY(mu_);
  int handed_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_hand_over_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t newest_handed_ms_ ABSL_GUARDED_BY(mu_) = 0;  // Redis time, from stream ids
  bool read_back_requested_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time last_read_back_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time read_back_due_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::atomic<uint64_t> published_{0};
  runtime::PassLoop loop_;
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_OUTBOX_RELAY_H_
