#include "libs/bus/consumer.h"

#include <openssl/sha.h>

#include <algorithm>
#include <deque>
#include <exception>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/observe/metrics.h"

namespace kpr::bus {

absl::Duration RetryBackoff(uint64_t delivery_count) {
  int exponent =
      static_cast<int>(std::min<uint64_t>(delivery_count > 0 ? delivery_count - 1 : 0, 7));
  return std::min(absl::Milliseconds(250) * (1 << exponent), absl::Seconds(30));
}

Outcome OutcomeFor(const absl::Status& status, uint64_t delivery_count) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return Ack();
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kDataLoss:
      return DeadLetter(std::string(status.message()));
    default:
      return Retry(RetryBackoff(delivery_count), std::string(status.message()));
  }
}
namespace {

int64_t ToMillis(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);
  return ms > 0 ? ms : 1;
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

// A negative ack so the server redelivers now (to this or another replica).
void NakNow(natsMsg* msg) {
  natsMsg_Nak(msg, nullptr);
  natsMsg_Destroy(msg);
}

}  // namespace

struct Consumer::Shared {
  absl::Mutex mu;
  std::deque<natsMsg*> queue ABSL_GUARDED_BY(mu);
  bool closed ABSL_GUARDED_BY(mu) = false;       // consumer gone: nak what still arrives
  bool stop_worker ABSL_GUARDED_BY(mu) = false;  // worker: exit after the batch in flight

  ~Shared() {
    absl::MutexLock lock(&mu);
    for (natsMsg* m : queue) natsMsg_Destroy(m);
  }
};

std::string DeadLetterSubject(absl::string_view stream, absl::string_view durable) {
  return absl::StrCat("kpr.dlq.", stream, ".", durable);
}

Consumer::Consumer(JetStream& js, ConsumerSpec spec, BatchHandler handler)
    : js_(js),
      spec_(std::move(spec)),
      handler_(std::move(handler)),
      deliver_subject_(absl::StrCat("_KPR.deliver.", spec_.stream, ".", spec_.durable)),
      shared_(std::make_shared<Shared>()),
      metrics_(ConsumerMetrics::For(spec_.durable)),
      lag_(js, spec_.stream, spec_.durable, {.interval = spec_.lag_sample_interval}) {}

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Start(JetStream& js, ConsumerSpec spec,
                                                          BatchHandler handler) {
  if (spec.stream.empty() || spec.durable.empty()) {
    return absl::InvalidArgumentError("consumer: stream and durable are required");
  }
  if (!handler) return absl::InvalidArgumentError("consumer: handler is required");
  if (spec.deliver_group.empty()) spec.deliver_group = spec.durable;
  spec.max_batch = std::max(1, spec.max_batch);
  spec.workers = std::max(1, spec.workers);
  std::unique_ptr<Consumer> c(new Consumer(js, std::move(spec), std::move(handler)));
  for (int i = 0; i < c->spec_.workers; ++i) {
    c->workers_.emplace_back([p = c.get()] { p->WorkerLoop(); });
  }
  bool retryable = false;
  absl::Status st = c->Setup(&retryable);
  if (!st.ok()) {
    if (!retryable) {
      c->Stop();
      return st;
    }
    // NATS not up yet, or the stream not created yet: keep trying in the background.
    c->setup_thread_ = std::thread([p = c.get()] { p->SetupLoop(); });
  }
  // After the first Setup, so that normally the first read already finds the consumer.
  c->lag_.Start();
  return c;
}

absl::Status Consumer::Setup(bool* retryable) {
  *retryable = true;
  jsCtx* js = js_.context();
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = spec_.durable.c_str();
  cc.AckPolicy = js_AckExplicit;
  cc.DeliverPolicy = js_DeliverAll;
  cc.AckWait = absl::ToInt64Nanoseconds(spec_.ack_wait);
  cc.MaxAckPending = spec_.max_ack_pending;
  if (!spec_.filter_subject.empty()) cc.FilterSubject = spec_.filter_subject.c_str();
  // A fixed deliver subject, so every replica creates the same consumer configuration.
  cc.DeliverSubject = deliver_subject_.c_str();
  cc.DeliverGroup = spec_.deliver_group.c_str();
  // 0: the consumer takes the stream's replicas (R3 on a cluster), so it survives the loss of a
  // server like the stream does, and follows when the stream is scaled.
  cc.Replicas = 0;

  jsConsumerInfo* ci = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_AddConsumer(&ci, js, spec_.stream.c_str(), &cc, nullptr, &err);
  if (s == NATS_ERR && err != 0 && err != JSStreamNotFoundErr) {
    // Exists with another configuration: bring it up to date.
    jsConsumerInfo_Destroy(ci);
    ci = nullptr;
    err = static_cast<jsErrCode>(0);
    s = js_UpdateConsumer(&ci, js, spec_.stream.c_str(), &cc, nullptr, &err);
  }
  jsConsumerInfo_Destroy(ci);
  if (s != NATS_OK) {
    *retryable = !(s == NATS_ERR && err != 0 && err != JSStreamNotFoundErr);
    return NatsStatusToStatus(s, err, absl::StrCat("create consumer ", spec_.durable));
  }

  // Bind to the consumer we created (so draining never deletes it) with the deliver group.
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = spec_.stream.c_str();
  so.Consumer = spec_.durable.c_str();
  so.Queue = spec_.deliver_group.c_str();
  so.ManualAck = true;
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::CancelledError("consumer stopping");
  // The closure keeps Shared alive until the library says no callback will run again.
  auto* closure = new std::shared_ptr<Shared>(shared_);
  natsSubscription* sub = nullptr;
  err = static_cast<jsErrCode>(0);
  s = js_Subscribe(&sub, js, spec_.filter_subject.c_str(), &Consumer::OnMessage, closure, nullptr,
                   &so, &err);
  if (s != NATS_OK) {
    delete closure;  // no subscription, so no callback
    return NatsStatusToStatus(s, err, absl::StrCat("subscribe consumer ", spec_.durable));
  }
  s = natsSubscription_SetOnCompleteCB(sub, &Consumer::OnComplete, closure);
  if (s != NATS_OK) {
    // Cannot know when the last callback ran: keep the closure (a small, deliberate leak).
    natsSubscription_Unsubscribe(sub);
    natsSubscription_Destroy(sub);
    return NatsStatusToStatus(s, 0, "subscription completion callback");
  }
  natsSubscription_SetPendingLimits(sub, -1, -1);  // the server's MaxAckPending bounds it
  sub_ = sub;
  subscribed_ = true;
  return absl::OkStatus();
}

void Consumer::SetupLoop() {
  absl::Duration backoff = absl::Milliseconds(250);
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stop), backoff)) return;
    }
    bool retryable = true;
    if (Setup(&retryable).ok()) return;
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

void Consumer::OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
  Shared& shared = **static_cast<std::shared_ptr<Shared>*>(closure);
  {
    absl::MutexLock lock(&shared.mu);
    if (!shared.closed) {
      shared.queue.push_back(msg);
      return;
    }
  }
  NakNow(msg);
}

void Consumer::OnComplete(void* closure) { delete static_cast<std::shared_ptr<Shared>*>(closure); }

void Consumer::WorkerLoop() {
  Shared& shared = *shared_;
  std::vector<natsMsg*> msgs;
  std::vector<Delivery> batch;
  while (true) {
    msgs.clear();
    {
      absl::MutexLock lock(&shared.mu);
      auto ready = [&shared]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(shared.mu) {
        return shared.stop_worker || !shared.queue.empty();
      };
      shared.mu.Await(absl::Condition(&ready));
      if (shared.stop_worker) return;
      while (!shared.queue.empty() && static_cast<int>(msgs.size()) < spec_.max_batch) {
        msgs.push_back(shared.queue.front());
        shared.queue.pop_front();
      }
    }
    batch.clear();
    batch.reserve(msgs.size());
    for (natsMsg* m : msgs) {
      Delivery d;
      d.subject = natsMsg_GetSubject(m);
      d.data.assign(natsMsg_GetData(m), natsMsg_GetDataLength(m));
      const char* id = nullptr;
      if (natsMsgHeader_Get(m, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) d.msg_id = id;
      jsMsgMetaData* meta = nullptr;
      if (natsMsg_GetMetaData(&meta, m) == NATS_OK) {
        d.stream_sequence = meta->Sequence.Stream;
        d.delivery_count = meta->NumDelivered;
        jsMsgMetaData_Destroy(meta);
      }
      batch.push_back(std::move(d));
    }
    std::vector<Outcome> outcomes;
    bool ok = true;
    try {
      outcomes = handler_(batch);
    } catch (const std::exception&) {
      ok = false;
    } catch (...) {
      ok = false;
    }
    if (!ok || outcomes.size() != batch.size()) {
      // Never lose messages to a handler bug: retry the whole batch.
      outcomes.assign(batch.size(), Outcome::Retry(absl::Seconds(1), "handler failed"));
    }
    Apply(msgs, batch, outcomes);
  }
}

void Consumer::Apply(const std::vector<natsMsg*>& msgs, const std::vector<Delivery>& batch,
                     const std::vector<Outcome>& outcomes) {
  for (size_t i = 0; i < msgs.size(); ++i) {
    natsMsg* m = msgs[i];
    switch (outcomes[i].kind) {
      case Outcome::kAck:
        natsMsg_Ack(m, nullptr);
        metrics_.acked.Increment();
        break;
      case Outcome::kRetry:
        natsMsg_NakWithDelay(m, ToMillis(outcomes[i].retry_after), nullptr);
        metrics_.retried.Increment();
        break;
      case Outcome::kDeadLetter:
        (SendToDeadLetter(m, batch[i], outcomes[i].reason) ? metrics_.dead_lettered
                                                           : metrics_.retried)
            .Increment();
        break;
    }
    natsMsg_Destroy(m);
  }
}

bool Consumer::SendToDeadLetter(natsMsg* msg, const Delivery& d, const std::string& reason) {
  kpr::common::v1::DeadLetter dl;
  dl.set_reason(reason);
  dl.set_original_subject(d.subject);
  dl.set_original_stream(spec_.stream);
  dl.set_original_sequence(d.stream_sequence);
  dl.set_consumer(spec_.durable);
  const int64_t now_ns = absl::ToUnixNanos(absl::Now());
  dl.mutable_dead_at()->set_seconds(now_ns / 1000000000);
  dl.mutable_dead_at()->set_nanos(static_cast<int32_t>(now_ns % 1000000000));
  if (spec_.seal_dead_letter) dl.set_sealed_data(spec_.seal_dead_letter(d.data));
  dl.set_data_sha256(Sha256Hex(d.data));
  dl.set_original_msg_id(d.msg_id);
  OutgoingMessage out;
  out.subject = DeadLetterSubject(spec_.stream, spec_.durable);
  // Per consumer: two consumers refusing the same message must both be recorded, not deduped.
  out.msg_id = absl::StrCat(spec_.stream, "-", spec_.durable, "-", d.stream_sequence);
  dl.SerializeToString(&out.data);
  if (js_.Publish(out).ok()) {
    natsMsg_Ack(msg, nullptr);
    return true;
  }
  // Not recorded yet: try again later rather than drop it.
  natsMsg_NakWithDelay(msg, 5000, nullptr);
  return false;
}

void Consumer::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  lag_.Stop();
  if (setup_thread_.joinable()) setup_thread_.join();
  natsSubscription* sub = nullptr;
  {
    absl::MutexLock lock(&mu_);
    sub = sub_;
    sub_ = nullptr;
  }
  if (sub != nullptr) {
    // Drain: no new messages, deliver what the library holds (to our queue). Not while NATS is
    // down: the drain's UNSUB cannot be flushed, so it would wait out its whole timeout per
    // consumer and overrun the service's drain deadline; what this replica held comes again after
    // the ack wait either way.
    if (js_.connected() && natsSubscription_DrainTimeout(sub, 5000) == NATS_OK) {
      natsSubscription_WaitForDrainCompletion(sub, 6000);
    } else {
      natsSubscription_Unsubscribe(sub);
    }
  }
  subscribed_ = false;
  // Finish the batch in flight, then stop.
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->stop_worker = true;
  }
  for (std::thread& w : workers_) {
    if (w.joinable()) w.join();
  }
  // Queued but not handled: nak now so another replica gets them without waiting ack_wait.
  std::deque<natsMsg*> left;
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->closed = true;
    left.swap(shared_->queue);
  }
  for (natsMsg* m : left) NakNow(m);
  if (sub != nullptr) natsSubscription_Destroy(sub);  // Shared freed by OnComplete
}

Consumer::~Consumer() { Stop(); }

}  // namespace kpr::bus
