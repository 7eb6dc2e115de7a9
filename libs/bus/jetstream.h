#ifndef KPR_LIBS_BUS_JETSTREAM_H_
#define KPR_LIBS_BUS_JETSTREAM_H_

// One NATS connection with JetStream contexts: stream set-up and publishing with Nats-Msg-Id
// (the duplicate window turns a re-publish into a no-op).

#include <nats/nats.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kpr::bus {

struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;
  bool work_queue = false;  // WorkQueue retention instead of Limits
  int replicas = 1;
  // Longer than any retry of the relay or a caller, so re-sends are absorbed.
  absl::Duration duplicate_window = absl::Hours(1);
  absl::Duration max_age = absl::ZeroDuration();  // zero: unlimited
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
    std::string url;
    std::string client_name;
    bool send_asap = false;  // lower latency for request/reply, lower bulk rate
  };

  // Unlimited reconnects every ~250 ms, retry of a failed first connect, 64 MiB reconnect
  // buffer. Returns OK even when the server is not up yet (it connects in the background).
  static absl::StatusOr<std::unique_ptr<JetStream>> Connect(Options options);

  // Every Consumer and OutboxRelay using this object must be stopped/destroyed first.
  ~JetStream();
  JetStream(const JetStream&) = delete;
  JetStream& operator=(const JetStream&) = delete;

  bool connected() const;

  // Adds the stream, or updates it if it exists. UNAVAILABLE if NATS is down.
  absl::Status EnsureStream(const StreamSpec& spec);
  absl::Status EnsureStreams(const std::vector<StreamSpec>& specs);

  // Sync publish with Nats-Msg-Id; a duplicate (same id inside the window) is OK.
  // UNAVAILABLE if not acked within `timeout`.
  absl::Status Publish(const OutgoingMessage& msg, absl::Duration timeout = absl::Seconds(5));

  // Async publish of all messages, then waits for every ack. OK only if every message was
  // acked (duplicates count as acked). On failure nothing is known about which went through:
  // re-send all with the same ids. Calls are serialized.
  absl::Status PublishBatch(const std::vector<OutgoingMessage>& msgs,
                            absl::Duration timeout = absl::Seconds(10));

  natsConnection* connection() { return nc_; }
  jsCtx* context() { return js_; }

 private:
  // Shared with the async-publish error callback; freed after the connection is destroyed.
  struct AsyncState {
    absl::Mutex mu;
    int errors ABSL_GUARDED_BY(mu) = 0;
    std::string first_error ABSL_GUARDED_BY(mu);
  };
  static void OnAsyncPublishError(jsCtx* js, jsPubAckErr* pae, void* closure);

  JetStream() = default;

  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;        // sync API and consumers
  jsCtx* async_js_ = nullptr;  // PublishBatch only (its error callback counts per batch)
  std::unique_ptr<AsyncState> async_state_;
  absl::Mutex batch_mu_;  // one PublishBatch at a time on async_js_
};

}  // namespace kpr::bus

#endif  // KPR_LIBS_BUS_JETSTREAM_H_
