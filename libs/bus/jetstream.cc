#include "libs/bus/jetstream.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace kpr::bus {
namespace {

constexpr int kReconnectBufBytes = 64 * 1024 * 1024;

// Needed so a failed first connect is retried in the background instead of blocking; touches
// nothing, so it is safe even if it fires late (nats.c #735).
void OnConnected(natsConnection*, void*) {}

int64_t ToMillis(absl::Duration d) {
  int64_t ms = absl::ToInt64Milliseconds(d);
  return ms > 0 ? ms : 1;
}

}  // namespace

absl::Status NatsStatusToStatus(natsStatus s, int js_err_code, absl::string_view what) {
  if (s == NATS_OK) return absl::OkStatus();
  std::string msg = absl::StrCat(what, ": ", natsStatus_GetText(s));
  if (js_err_code != 0) absl::StrAppend(&msg, " (jetstream error ", js_err_code, ")");
  if (s == NATS_ERR && js_err_code != 0) return absl::FailedPreconditionError(msg);
  switch (s) {
    case NATS_INVALID_ARG:
      return absl::InvalidArgumentError(msg);
    case NATS_NOT_FOUND:
      return absl::NotFoundError(msg);
    default:
      // Timeouts, no responders, (re)connecting, closed: the server is not reachable now.
      return absl::UnavailableError(msg);
  }
}

std::vector<StreamSpec> KprStreams(int replicas) {
  std::vector<StreamSpec> out;
  auto add = [&](std::string name, std::string subject, bool wq) {
    StreamSpec spec;
    spec.name = std::move(name);
    spec.subjects = {std::move(subject)};
    spec.work_queue = wq;
    spec.replicas = replicas;
    out.push_back(std::move(spec));
  };
  add("KPR_INTAKE", "kpr.intake.v1.>", true);
  add("KPR_REFERRAL", "kpr.referral.v1.>", false);
  add("KPR_SCHEDULING", "kpr.scheduling.v1.>", false);
  add("KPR_OUTCOMES", "kpr.outcomes.v1.>", false);
  add("KPR_NOTIFY", "kpr.notify.v1.>", false);
  add("KPR_DLQ", "kpr.dlq.>", false);
  return out;
}

absl::StatusOr<std::unique_ptr<JetStream>> JetStream::Connect(Options options) {
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return absl::InternalError("natsOptions_Create");
  natsStatus s = natsOptions_SetURL(opts, options.url.c_str());
  if (s == NATS_OK && !options.client_name.empty()) {
    s = natsOptions_SetName(opts, options.client_name.c_str());
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK) s = natsOptions_SetReconnectJitter(opts, 50, 500);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts, kReconnectBufBytes);
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(opts, true, OnConnected, nullptr);
  if (s == NATS_OK) s = natsOptions_SetSendAsap(opts, options.send_asap);
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return NatsStatusToStatus(s, 0, "nats options");
  }
  std::unique_ptr<JetStream> js(new JetStream());
  js->async_state_ = std::make_unique<AsyncState>();
  s = natsConnection_Connect(&js->nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) {
    return NatsStatusToStatus(s, 0, "nats connect");
  }
  s = natsConnection_JetStream(&js->js_, js->nc_, nullptr);
  if (s == NATS_OK) {
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.ErrHandler = &JetStream::OnAsyncPublishError;
    jo.PublishAsync.ErrHandlerClosure = js->async_state_.get();
    s = natsConnection_JetStream(&js->async_js_, js->nc_, &jo);
  }
  if (s != NATS_OK) return NatsStatusToStatus(s, 0, "jetstream context");
  return js;
}

JetStream::~JetStream() {
  // Contexts first (they hold connection references), then the connection. The async error
  // callback cannot run any more: PublishBatch waits for in-flight callbacks before returning.
  jsCtx_Destroy(async_js_);
  jsCtx_Destroy(js_);
  if (nc_ != nullptr) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

bool JetStream::connected() const {
  return nc_ != nullptr && natsConnection_Status(nc_) == NATS_CONN_STATUS_CONNECTED;
}

absl::Status JetStream::EnsureStream(const StreamSpec& spec) {
  std::vector<const char*> subjects;
  subjects.reserve(spec.subjects.size());
  for (const auto& subject : spec.subjects) subjects.push_back(subject.c_str());
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  cfg.Subjects = subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  cfg.Retention = spec.work_queue ? js_WorkQueuePolicy : js_LimitsPolicy;
  cfg.Storage = js_FileStorage;
  cfg.Replicas = spec.replicas;
  cfg.Duplicates = absl::ToInt64Nanoseconds(spec.duplicate_window);
  cfg.MaxAge = absl::ToInt64Nanoseconds(spec.max_age);

  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&si, js_, &cfg, nullptr, &err);
  if (s == NATS_ERR && err == JSStreamNameExistErr) {
    // Exists with another configuration: bring it up to date.
    err = static_cast<jsErrCode>(0);
    s = js_UpdateStream(&si, js_, &cfg, nullptr, &err);
  }
  jsStreamInfo_Destroy(si);
  return NatsStatusToStatus(s, err, absl::StrCat("ensure stream ", spec.name));
}

absl::Status JetStream::EnsureStreams(const std::vector<StreamSpec>& specs) {
  for (const auto& spec : specs) {
    if (auto st = EnsureStream(spec); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status JetStream::Publish(const OutgoingMessage& msg, absl::Duration timeout) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = ToMillis(timeout);
  if (!msg.msg_id.empty()) po.MsgId = msg.msg_id.c_str();
  jsPubAck* ack = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_Publish(&ack, js_, msg.subject.c_str(), msg.data.data(),
                            static_cast<int>(msg.data.size()), &po, &err);
  jsPubAck_Destroy(ack);
  return NatsStatusToStatus(s, err, "publish");
}

void JetStream::OnAsyncPublishError(jsCtx*, jsPubAckErr* pae, void* closure) {
  auto* state = static_cast<AsyncState*>(closure);
  absl::MutexLock lock(&state->mu);
  if (state->errors++ == 0) {
    state->first_error = absl::StrCat(natsStatus_GetText(pae->Err), " (", pae->ErrCode, ")");
  }
  // The library destroys pae->Msg; we do not resend here (the caller re-sends the batch).
}

absl::Status JetStream::PublishBatch(const std::vector<OutgoingMessage>& msgs,
                                     absl::Duration timeout) {
  if (msgs.empty()) return absl::OkStatus();
  absl::MutexLock batch_lock(&batch_mu_);
  {
    absl::MutexLock lock(&async_state_->mu);
    async_state_->errors = 0;
    async_state_->first_error.clear();
  }
  const absl::Time deadline = absl::Now() + timeout;
  natsStatus s = NATS_OK;
  jsPubOptions po;
  for (const auto& m : msgs) {
    jsPubOptions_Init(&po);
    if (!m.msg_id.empty()) po.MsgId = m.msg_id.c_str();
    s = js_PublishAsync(async_js_, m.subject.c_str(), m.data.data(),
                        static_cast<int>(m.data.size()), &po);
    if (s != NATS_OK) break;
  }
  // Wait for every ack even after a publish error, so no callback is left in flight.
  jsPubOptions_Init(&po);
  po.MaxWait = ToMillis(deadline - absl::Now());
  natsStatus done = js_PublishAsyncComplete(async_js_, &po);
  if (done != NATS_OK) {
    // Forget the unacked ones (late acks are then ignored) and wait for callbacks that are
    // already running, so the next batch starts clean.
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, async_js_) == NATS_OK) {
      natsMsgList_Destroy(&pending);
    }
    jsPubOptions_Init(&po);
    po.MaxWait = 1000;
    js_PublishAsyncComplete(async_js_, &po);
  }
  if (s != NATS_OK) return NatsStatusToStatus(s, 0, "publish batch");
  if (done != NATS_OK) return NatsStatusToStatus(done, 0, "publish batch: waiting for acks");
  absl::MutexLock lock(&async_state_->mu);
  if (async_state_->errors > 0) {
    return absl::UnavailableError(absl::StrCat("publish batch: ", async_state_->errors,
                                               " not acked, first: ", async_state_->first_error));
  }
  return absl::OkStatus();
}

}  // namespace kpr::bus
