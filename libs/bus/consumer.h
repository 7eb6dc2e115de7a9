#ifndef KPR_LIBS_BUS_CONSUMER_H_
#define KPR_LIBS_BUS_CONSUMER_H_

// A durable JetStream push consumer with a deliver group and explicit acks, shared by all
// replicas of a service: each message goes to one replica. Batches go to one handler thread.
// (Push, not pull: nats.c 3.4.1's Fetch has a heap overflow, see PITFALLS.md.)

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/bus/consumer_metrics.h"
#include "libs/bus/jetstream.h"

namespace kpr::bus {

struct Delivery {
  std::string subject;
  std::string data;
  std::string msg_id;  // Nats-Msg-Id header or ""
  uint64_t stream_sequence = 0;
  uint64_t delivery_count = 0;  // 1 on the first delivery
};

struct Outcome {
  enum Kind { kAck, kRetry, kDeadLetter } kind = kAck;
  absl::Duration retry_after = absl::Seconds(1);
  std::string reason;

  static Outcome Ack() { return Outcome{}; }
  static Outcome Retry(absl::Duration after, std::string reason) {
    return Outcome{kRetry, after, std::move(reason)};
  }
  static Outcome DeadLetter(std::string reason) {
    return Outcome{kDeadLetter, absl::Seconds(1), std::move(reason)};
  }
};
inline Outcome Ack() { return Outcome::Ack(); }
inline Outcome Retry(absl::Duration after, std::string reason) {
  return Outcome::Retry(after, std::move(reason));
}
inline Outcome DeadLetter(std::string reason) { return Outcome::DeadLetter(std::move(reason)); }

// Nak delay for the n-th delivery of a message: 250 ms doubling, at most 30 s.
absl::Duration RetryBackoff(uint64_t delivery_count);

// What a handler's result means for its message. OK: ack. A failure the message itself causes,
// where retrying cannot help — the status codes INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION,
// PERMISSION_DENIED, OUT_OF_RANGE, DATA_LOSS, and the code for an operation the handler does not
// support — is a dead letter with the status message as the reason. Every other code (e.g.
// UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED: a dependency or a concurrent change) is a retry after
// RetryBackoff(delivery_count).
Outcome OutcomeFor(const absl::Status& status, uint64_t delivery_count);

// Returns one Outcome per delivery, in order.
using BatchHandler = std::function<std::vector<Outcome>(const std::vector<Delivery>& batch)>;

struct ConsumerSpec {
  std::string stream;
  std::string durable;
  std::string filter_subject;  // "" = the whole stream
  std::string deliver_group;   // "" = durable
  int max_ack_pending = 4096;
  absl::Duration ack_wait = absl::Seconds(30);
  int max_batch = 256;
  // Batches handled at once. More than one lets a handler prepare a batch while another batch's
  // I/O is in flight; messages are then handled out of delivery order, so a handler with more
  // than one worker must not depend on order (de-duplicate by key instead).
  int workers = 1;
  // How often the consumer's lag (kpr_consumer_pending_messages, kpr_consumer_redelivered_messages)
  // is read from the server: see consumer_metrics.h.
  absl::Duration lag_sample_interval = absl::Seconds(5);
  // Seals the original bytes for KPR_DLQ (they may carry personal data); the service passes an
  // AES-GCM sealer. If unset, DeadLetter.sealed_data stays empty (never plaintext).
  std::function<std::string(absl::string_view)> seal_dead_letter;
};

// The subject of dead letters of one consumer: "kpr.dlq.<stream>.<durable>".
std::string DeadLetterSubject(absl::string_view stream, absl::string_view durable);

class Consumer {
 public:
  // Creates (or updates) the durable consumer (AckExplicit, DeliverAll, the deliver group,
  // deliver subject "_KPR.deliver.<stream>.<durable>") and subscribes to it. If NATS is not
  // reachable or the stream does not exist yet, returns OK and keeps retrying in the background
  // (every 250 ms .. 2 s) until it succeeds or Stop(); see subscribed(). A configuration the
  // server rejects while reachable is returned as an error.
  //
  // Outcomes: kAck -> ack; kRetry -> nak with retry_after; kDeadLetter -> a
  // kpr.common.v1.DeadLetter is sync-published to DeadLetterSubject() with msg id
  // "<stream>-<durable>-<sequence>", then the message is acked (nak'd with a delay if that publish
  // fails). A handler exception or a result of the wrong size is a retry of the whole batch.
  //
  // Metrics (consumer_metrics.h): registers the consumer's series at 0 and, until Stop(), reads
  // its lag from the server every spec.lag_sample_interval on a thread of its own.
  static absl::StatusOr<std::unique_ptr<Consumer>> Start(JetStream& js, ConsumerSpec spec,
                                                         BatchHandler handler);

  // Drains the subscription (no new messages), finishes and acks/naks the batch in flight,
  // naks what was queued but not handled (so another replica gets it at once), joins. Lag
  // sampling stops first; its gauges keep their last value. Idempotent. `js` must outlive Stop().
  void Stop();
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // True once the durable consumer exists and the subscription is active.
  bool subscribed() const { return subscribed_.load(); }

 private:
  struct Shared;  // the queue the NATS callback fills; lives until the subscription completes

  Consumer(JetStream& js, ConsumerSpec spec, BatchHandler handler);
  // One attempt to create the consumer and subscribe. `retryable` tells whether to keep trying.
  absl::Status Setup(bool* retryable);
  void SetupLoop();
  void WorkerLoop();
  void Apply(const std::vector<natsMsg*>& msgs, const std::vector<Delivery>& batch,
             const std::vector<Outcome>& outcomes);
  // False if the dead-letter stream did not take it: the message is then retried later.
  bool SendToDeadLetter(natsMsg* msg, const Delivery& d, const std::string& reason);

  static void OnMessage(natsConnection* nc, natsSubscription* sub, natsMsg* msg, void* closure);
  static void OnComplete(void* closure);

  JetStream& js_;
  const ConsumerSpec spec_;
  const BatchHandler handler_;
  const std::string deliver_subject_;
  std::shared_ptr<Shared> shared_;
  const ConsumerMetrics metrics_;
  ConsumerLagSampler lag_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  natsSubscription* sub_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::atomic<bool> subscribed_{false};
  std::thread setup_thread_;
  std::vector<std::thread> workers_;
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_CONSUMER_H_
