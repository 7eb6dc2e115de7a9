#ifndef KPR_LIBS_BUS_JETSTREAM_H_
#define KPR_LIBS_BUS_JETSTREAM_H_

// One NATS connection with JetStream contexts: stream set-up and publishing with Nats-Msg-Id
// (the duplicate window turns a re-publish into a no-op). Works against one server or a
// JetStream cluster (several seed URLs; streams with replicas; publishes re-sent with the same id
// while a stream elects a new leader).

#include <nats/nats.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kpr::bus {

// The duplicate window of every kpr stream: a message sent again with the same Nats-Msg-Id
// within it is stored once; after it, twice. The rule: the window must be longer than the
// longest time over which one message may be re-sent. Re-sends come from
//  - Publish/PublishBatch themselves, after an ack timeout: within the call's timeout (seconds);
//  - the outbox relay (outbox_relay.h), which keeps an entry until a pass publishes it and the
//    server acks: every failed pass (publish_timeout, 5 s) is followed by another after a backoff
//    of at most 1 s, for as long as NATS keeps failing; and a relay that crashed between the ack
//    and the removal publishes again when its service restarts.
// So the window bounds the NATS outage (or the restart) a service rides out without a duplicate
// event: one hour, far above one relay retry (checked in republish_test.cc). The server keeps
// one id per message of the last hour in memory; at kpr's rates that is small.
inline constexpr absl::Duration kDuplicateWindow = absl::Hours(1);

// Splits KPR_NATS_URL ("nats://h1:p1,nats://h2:p2,...": a comma-separated list, each entry with
// its scheme) into its URLs, whitespace trimmed, empty entries dropped.
std::vector<std::string> SplitServerUrls(absl::string_view urls);

struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;
  bool work_queue = false;  // WorkQueue retention instead of Limits
  // 1 on one server, 3 on a cluster (KPR_STREAM_REPLICAS). An existing stream is scaled to it
  // by EnsureStream. Consumers inherit it.
  int replicas = 1;
  absl::Duration duplicate_window = kDuplicateWindow;  // see kDuplicateWindow for the rule
  absl::Duration max_age = absl::ZeroDuration();       // zero: unlimited
};

// KPR_INTAKE (work queue), KPR_REFERRAL, KPR_SCHEDULING, KPR_OUTCOMES, KPR_NOTIFY, KPR_DLQ.
// File storage.
std::vector<StreamSpec> KprStreams(int replicas);

struct OutgoingMessage {
  std::string subject;
  std::string data;
  std::string msg_id;  // sent as Nats-Msg-Id; empty: none
};

// Maps a nats.c status (plus JetStream error code) to absl::Status: connection-type failures
// are UNAVAILABLE, server rejections FAILED_PRECONDITION.
absl::Status NatsStatusToStatus(natsStatus s, int js_err_code, absl::string_view what);

class JetStream {
 public:
  struct Options {
    std::string url;  // one URL or a comma-separated list (SplitServerUrls), e.g. a cluster
    std::string client_name;
    bool send_asap = false;  // lower latency for request/reply, lower bulk rate
  };

  // Every URL of the list as a server (plus those the cluster announces), unlimited reconnects
  // every ~250 ms with jitter, retry of a failed first connect, 64 MiB reconnect buffer: the
  // connection never closes for good, so a service rides out any server dying or starting late.
  // Returns OK even when no server is up yet (it connects in the background).
  static absl::StatusOr<std::unique_ptr<JetStream>> Connect(Options options);

  // Every Consumer and OutboxRelay using this object must be stopped/destroyed first.
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  bool connected() const;

  // Adds the stream, or updates it if it exists. UNAVAILABLE if NATS is down.
  absl::Status EnsureStream(const StreamSpec& spec);
  absl::Status EnsureStreams(const std::vector<StreamSpec>& specs);

  // Sync publish with Nats-Msg-Id; a duplicate (same id inside the window) is OK. Without an
  // ack in time (AckWait), or while the stream has no leader, the message is sent again with the
  // same id after a short backoff (republish.h), until acked or `timeout` passed: then
  // UNAVAILABLE. A message without an id is sent once (a re-send could store it twice).
  absl::Status Publish(const OutgoingMessage& msg, absl::Duration timeout = absl::Seconds(5));

  // Async publish of all messages, then waits for every ack; the ones not acked in time (or
  // answered with a retryable error) are sent again with the same ids, as in Publish(), until
  // all are acked or `timeout` passed. OK only if every message was acked (duplicates count as
  // acked). On failure nothing is known about which went through: re-send all with the same
  // ids. Calls are serialized.
  absl::Status PublishBatch(const std::vector<OutgoingMessage>& msgs,
                            absl::Duration timeout = absl::Seconds(10));

  // Messages sent again with the same id after an ack timeout or a retryable error (a sign of a
  // stream leader election or a server lost; each costs nothing in the stream).
  uint64_t republished() const { return republished_.load(); }

  natsConnection* connection() { return nc_; }
  jsCtx* context() { return js_; }

 private:
  // Shared with the async-publish error callback; freed after the connection is destroyed.
  struct AsyncState {
    absl::Mutex mu;
    int errors ABSL_GUARDED_BY(mu) = 0;  // failures a re-send cannot cure
    std::string first_error ABSL_GUARDED_BY(mu);
    std::vector<std::string> retry_ids ABSL_GUARDED_BY(mu);  // to send again
  };
  // One round of PublishBatch: sends msgs[i] for i in `indices`, waits up to `wait` for their
  // acks, and returns the indices to send again (not acked in time, or a retryable error).
  std::vector<size_t> PublishRound(const std::vector<OutgoingMessage>& msgs,
                                   const std::vector<size_t>& indices, absl::Duration wait)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(batch_mu_);
  static void OnAsyncPublishError(jsCtx* js, jsPubAckErr* pae, void* closure);

  JetStream() = default;

  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;        // sync API and consumers
  jsCtx* async_js_ = nullptr;  // PublishBatch only (its error callback counts per batch)
  std::unique_ptr<AsyncState> async_state_;
  absl::Mutex batch_mu_;  // one PublishBatch at a time on async_js_
  std::atomic<uint64_t> republished_{0};
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_JETSTREAM_H_
