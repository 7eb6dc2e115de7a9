#ifndef KPR_LIBS_BUS_OUTBOX_RELAY_H_
#define KPR_LIBS_BUS_OUTBOX_RELAY_H_

// Publishes a service's Redis outbox (libs/store/outbox.h) to JetStream and removes entries only
// after the server acked them. A crash in between publishes again; the stream's duplicate window
// (event id = Nats-Msg-Id) absorbs it. NATS or Redis down: entries stay, the relay backs off (up
// to 1 s) and retries; nothing is dropped.
//
// Replicas. Every replica of a service runs a relay; each municipality's outbox is read back by
// the one relay holding its lease (store::MunicipalityLeases, kind "outbox": key
// "kpr:{<m>}:<service>:outbox:lease"). The live relays' quotas add up to the registered
// municipalities (10 over 3 replicas: 4, 3, 3); a relay that dies loses its leases after
// lease_ttl, and the others take its municipalities within about lease_ttl * 4 / 3. Leases only
// share the work; correctness does not rest on them. Two relays reading one outbox at once (a
// holder stalled past its lease, a hand-over below) each read a prefix of the stream (XRANGE
// from its start) and publish it in stream order on one connection, so the first copy of an
// event to reach the server is always preceded by the first copies of the events before it:
// order holds, and the later copies are dropped as duplicates.
//
// Idle municipalities. A municipality whose last read found nothing is read again after a
// backoff doubling from poll_interval up to max_idle_backoff (runtime::IdleBackoff), not on
// every pass; one whose read found entries is read on every pass. Notify(m) and a hand-over for
// m make it due at once; Notify() makes all of them due, at most once per poll_interval. So a
// write that was neither handed over nor notified to the lease holder's process goes out within
// about max_idle_backoff (1 s) of being written, plus up to lease_ttl * 4 / 3 right after its
// lease holder died, or after its municipality's first registration (the registry is re-read
// with each lease upkeep, every lease_ttl / 3, and on Notify()). An idle municipality costs one
// XRANGE per max_idle_backoff, and only on the replica holding it; reads() counts them.
//
// Two ways in. Read back: a pass reads the held, due municipalities' outboxes (XRANGE, oldest
// first, all in one pipeline) and publishes what it finds. Handed over: a writer that knows the
// stream ids of the entries its script just appended (and still holds their contents) hands
// them over with HandOver(); the relay publishes them and removes them by id without reading
// them back, which saves Redis and this process the read. Hand-overs are published by the
// writer's own relay whoever holds the municipality's lease: they are events no older
// unpublished entry must precede (HandOver's contract), the lease holder may publish the same
// entries again when it reads them back (a duplicate, dropped by id), and XDEL of an id already
// removed is a no-op. The outbox stays the source of truth: handed-over entries are in Redis
// already, so whatever the relay drops (queue full, NATS down, a crash) a read-back finds.
//
// While hand-overs flow, a read-back would mostly find entries whose script has run but whose
// writer has not handed them over yet, and publish them twice. So then the relay reads back only
// when notified, when a skipped entry comes due, or every read_back_interval, and publishes only
// the entries older (by stream id, i.e. Redis's clock) than hand_over_grace: such a read-back
// publishes a prefix of each stream and retries the rest once they are old enough, so order is
// kept and a write that was not handed over waits at most about hand_over_grace. (This works
// within one process: a lease holder in another replica than the writer does not see the
// hand-overs and may publish those entries too; the duplicate window absorbs it.)

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
#include "libs/runtime/idle_backoff.h"
#include "libs/runtime/pass_loop.h"
#include "libs/store/municipality_leases.h"
#include "libs/store/outbox.h"

namespace kpr::observe {
class Counter;
class Gauge;
}  // namespace kpr::observe

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
    // How long a municipality's lease lasts unless renewed (every lease_ttl / 3).
    absl::Duration lease_ttl = absl::Seconds(5);
    // Longest wait before an idle municipality is read again (see above).
    absl::Duration max_idle_backoff = absl::Seconds(1);
    // How often kpr_outbox_backlog and kpr_outbox_oldest_age_seconds are read (Outbox::Backlog:
    // one pipelined XINFO STREAM per registered municipality).
    absl::Duration backlog_sample_interval = absl::Seconds(5);
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
  // Wake the thread and read back the outbox of `municipality` now (call after a write that
  // appended to it). Does nothing for a municipality another replica holds: that one finds the
  // write within max_idle_backoff.
  void Notify(const std::string& municipality);
  // As Notify(m) for every municipality this relay holds (at most once per poll_interval), for
  // a writer that does not say where it wrote.
  void Notify();
  // Entries a script just appended to the outbox's stream of `municipality` (stream_id and all
  // fields set, oldest first), to publish without reading them back. They may be published
  // before older entries of the stream: hand over only entries that no older unpublished entry
  // must precede (e.g. the first events of new aggregates). Wakes the relay. False if it is
  // stopped or its queue is full: then call Notify() as after any other write. Thread-safe.
  bool HandOver(const std::string& municipality, std::vector<store::OutboxEntry> entries);
  // One pass: publish what was handed over, renew and take leases, then read the outbox of
  // every municipality this relay holds (up to `batch` each, idle or not), publish all, wait for
  // the acks, remove. Returns how many were published and removed. UNAVAILABLE when NATS or
  // Redis is down (nothing removed).
  absl::StatusOr<int> FlushOnce();
  // Stops the thread, then flushes the municipalities it holds until their outboxes are empty
  // or `flush_timeout` passed, then gives back its leases. Idempotent.
  void Stop(absl::Duration flush_timeout = absl::Seconds(5));
  // What a crash leaves behind, for tests of a takeover: stops the thread without flushing or
  // giving back leases, which then expire after lease_ttl. The relay stays stopped.
  void Abandon();

  uint64_t published() const { return published_.load(); }
  // Outbox reads (XRANGE commands) issued so far.
  uint64_t reads() const { return reads_.load(); }
  // Municipalities whose lease this relay holds now.
  int leases_held() const { return leases_.held_count(); }

 private:
  struct Handed {
    std::string municipality;
    std::vector<store::OutboxEntry> entries;
  };

  // `force`: renew leases and read back every held municipality in this pass (else only the
  // due ones, when due; see above).
  absl::StatusOr<int> FlushOnce(absl::Duration publish_timeout, bool force);
  // Lease upkeep (with a fresh look at the registry) when due, forced, or asked for by a wake-up
  // naming a municipality not in the registry yet. Runs under flush_mu_.
  absl::Status KeepLeases(bool force, bool wake_all, const std::vector<std::string>& woken)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  // Reads back `municipalities` and publishes what is old enough; see FlushOnce.
  absl::StatusOr<int> ReadBack(const std::vector<std::string>& municipalities, bool only_old,
                               int64_t newest_ms, absl::Time now, absl::Duration publish_timeout)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  // Publishes the entries (one list per municipality) and removes them from the outbox.
  absl::StatusOr<int> PublishAndRemove(const std::vector<std::string>& municipalities,
                                       std::vector<std::vector<store::OutboxEntry>>& entries,
                                       absl::Duration publish_timeout);

  // Sets the backlog gauges when backlog_sample_interval has passed. Runs under flush_mu_.
  void SampleBacklog() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);

  store::Outbox& outbox_;
  JetStream& js_;
  const Options options_;
  absl::Mutex flush_mu_;  // one pass at a time
  store::MunicipalityLeases leases_;
  runtime::IdleBackoff idle_ ABSL_GUARDED_BY(flush_mu_);
  std::vector<std::string> registry_ ABSL_GUARDED_BY(flush_mu_);  // sorted
  absl::Time last_registry_read_ ABSL_GUARDED_BY(flush_mu_) = absl::InfinitePast();
  absl::Time last_backlog_sample_ ABSL_GUARDED_BY(flush_mu_) = absl::InfinitePast();
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Handed> handed_ ABSL_GUARDED_BY(mu_);
  int handed_count_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_hand_over_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t newest_handed_ms_ ABSL_GUARDED_BY(mu_) = 0;  // Redis time, from stream ids
  bool read_back_requested_ ABSL_GUARDED_BY(mu_) = true;
  absl::Time last_read_back_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Time read_back_due_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::vector<std::string> woken_ ABSL_GUARDED_BY(mu_);  // Notify(m), HandOver(m)
  bool wake_all_requested_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_wake_all_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::atomic<uint64_t> published_{0};
  std::atomic<uint64_t> reads_{0};
  // On /metrics, by service: kpr_outbox_reads_total, kpr_outbox_leases_held,
  // kpr_outbox_backlog, kpr_outbox_oldest_age_seconds.
  observe::Counter& reads_metric_;
  observe::Gauge& leases_metric_;
  observe::Gauge& backlog_metric_;
  observe::Gauge& oldest_metric_;
  runtime::PassLoop loop_;
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_OUTBOX_RELAY_H_
