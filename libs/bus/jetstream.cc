#include "libs/bus/jetstream.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/bus/republish.h"
#include "libs/observe/log.h"

namespace kpr::bus {
namespace {

constexpr int kReconnectBufBytes = 64 * 1024 * 1024;

// Needed so a failed first connect is retried in the background instead of blocking; touches
// nothing, so it is safe even if it fires late (nats.c #735).
void OnConnected(natsConnection*, void*) {}

// Only log (no state), for the same reason. The URL names a server, never personal data.
void LogConnectionEvent(natsConnection* nc, const char* what) {
  char url[256] = "";
  natsConnection_GetConnectedUrl(nc, url, sizeof(url));  // "" while disconnected
  auto line = observe::Info(what);
  if (url[0] != '\0') line.With("server", url);
}
void OnDisconnected(natsConnection* nc, void*) { LogConnectionEvent(nc, "nats disconnected"); }
void OnReconnected(natsConnection* nc, void*) { LogConnectionEvent(nc, "nats reconnected"); }

// The Nats-Msg-Id of a message the library hands back, or "".
std::string MsgIdOf(natsMsg* msg) {
  const char* id = nullptr;
  if (msg != nullptr && natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id != nullptr) {
    return id;
  }
  return "";
}

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

std::vector<std::string> SplitServerUrls(absl::string_view urls) {
  std::vector<std::string> out;
  for (absl::string_view one : absl::StrSplit(urls, ',')) {
    one = absl::StripAsciiWhitespace(one);
    if (!one.empty()) out.emplace_back(one);
  }
  return out;
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
  const std::vector<std::string> urls = SplitServerUrls(options.url);
  if (urls.empty()) return absl::InvalidArgumentError("nats: no server URL");
  std::vector<const char*> servers;
  for (const std::string& url : urls) servers.push_back(url.c_str());
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return absl::InternalError("natsOptions_Create");
  // Every seed, not only the first: a client whose first seed is down still connects.
  natsStatus s = natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size()));
  if (s == NATS_OK && !options.client_name.empty()) {
    s = natsOptions_SetName(opts, options.client_name.c_str());
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, 250);
  if (s == NATS_OK) s = natsOptions_SetReconnectJitter(opts, 50, 500);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts, kReconnectBufBytes);
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(opts, true, OnConnected, nullptr);
  if (s == NATS_OK) s = natsOptions_SetSendAsap(opts, options.send_asap);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(opts, OnDisconnected, nullptr);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, OnReconnected, nullptr);
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
    // Exists with another configuration: bring it up to date (the server scales its replicas,
    // e.g. 1 -> 3 when a deployment moves to a cluster).
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
  const absl::Time deadline = absl::Now() + timeout;
  jsPubOptions po;
  for (int attempt = 0;; ++attempt) {
    jsPubOptions_Init(&po);
    const absl::Duration left = deadline - absl::Now();
    // With an id, wait for the ack only so long before sending again: the copy may have died
    // with the stream leader. Without one, a second copy would be stored: wait the whole time.
    po.MaxWait = ToMillis(msg.msg_id.empty() ? left : std::min(left, AckWait(1)));
    if (!msg.msg_id.empty()) po.MsgId = msg.msg_id.c_str();
    jsPubAck* ack = nullptr;
    jsErrCode err = static_cast<jsErrCode>(0);
    natsStatus s = js_Publish(&ack, js_, msg.subject.c_str(), msg.data.data(),
                              static_cast<int>(msg.data.size()), &po, &err);
    jsPubAck_Destroy(ack);
    if (s == NATS_OK) return absl::OkStatus();
    const absl::Duration pause = RepublishBackoff(attempt + 1);
    if (msg.msg_id.empty() || !IsRetryablePublishError(s, err) || absl::Now() + pause >= deadline) {
      return NatsStatusToStatus(s, err, "publish");
    }
    absl::SleepFor(pause);
    ++republished_;
  }
}

void JetStream::OnAsyncPublishError(jsCtx*, jsPubAckErr* pae, void* closure) {
  auto* state = static_cast<AsyncState*>(closure);
  std::string id = MsgIdOf(pae->Msg);
  absl::MutexLock lock(&state->mu);
  if (!id.empty() && IsRetryablePublishError(pae->Err, pae->ErrCode)) {
    // PublishBatch sends it again from its own copy; the library destroys pae->Msg.
    state->retry_ids.push_back(std::move(id));
    return;
  }
  if (state->errors++ == 0) {
    state->first_error = absl::StrCat(natsStatus_GetText(pae->Err), " (", pae->ErrCode, ")");
  }
}

std::vector<size_t> JetStream::PublishRound(const std::vector<OutgoingMessage>& msgs,
                                            const std::vector<size_t>& indices,
                                            absl::Duration wait) {
  std::vector<std::string> again_ids;
  std::vector<size_t> again;
  jsPubOptions po;
  for (size_t k = 0; k < indices.size(); ++k) {
    const OutgoingMessage& m = msgs[indices[k]];
    jsPubOptions_Init(&po);
    if (!m.msg_id.empty()) po.MsgId = m.msg_id.c_str();
    natsStatus s = js_PublishAsync(async_js_, m.subject.c_str(), m.data.data(),
                                   static_cast<int>(m.data.size()), &po);
    if (s == NATS_OK) continue;
    // Not sent: this one and the rest go again next round, or fail the batch.
    absl::MutexLock lock(&async_state_->mu);
    if (IsRetryablePublishError(s, 0)) {
      again.insert(again.end(), indices.begin() + static_cast<ptrdiff_t>(k), indices.end());
    } else if (async_state_->errors++ == 0) {
      async_state_->first_error = absl::StrCat("publish: ", natsStatus_GetText(s));
    }
    break;
  }
  // Wait for every ack even after a publish error, so no callback is left in flight.
  jsPubOptions_Init(&po);
  po.MaxWait = ToMillis(wait);
  if (js_PublishAsyncComplete(async_js_, &po) != NATS_OK) {
    // Take back the unacked ones: their acks, if they still come, are then ignored by the
    // library, and we send them again with the same ids (the stream keeps one copy).
    natsMsgList pending;
    if (js_PublishAsyncGetPendingList(&pending, async_js_) == NATS_OK) {
      for (int i = 0; i < pending.Count; ++i) again_ids.push_back(MsgIdOf(pending.Msgs[i]));
      natsMsgList_Destroy(&pending);
    }
    // Callbacks already running finish before the next round starts.
    jsPubOptions_Init(&po);
    po.MaxWait = 1000;
    js_PublishAsyncComplete(async_js_, &po);
  }
  {
    absl::MutexLock lock(&async_state_->mu);
    for (std::string& id : async_state_->retry_ids) again_ids.push_back(std::move(id));
    async_state_->retry_ids.clear();
  }
  if (!again_ids.empty()) {
    absl::flat_hash_map<absl::string_view, size_t> by_id;
    for (size_t i : indices) {
      if (!msgs[i].msg_id.empty()) by_id.emplace(msgs[i].msg_id, i);
    }
    for (const std::string& id : again_ids) {
      auto it = id.empty() ? by_id.end() : by_id.find(id);
      if (it != by_id.end()) {
        again.push_back(it->second);
        continue;
      }
      // No id: a second copy could be stored twice, so it is not sent again.
      absl::MutexLock lock(&async_state_->mu);
      if (async_state_->errors++ == 0) async_state_->first_error = "not acked in time";
    }
  }
  std::sort(again.begin(), again.end());
  again.erase(std::unique(again.begin(), again.end()), again.end());
  return again;
}

absl::Status JetStream::PublishBatch(const std::vector<OutgoingMessage>& msgs,
                                     absl::Duration timeout) {
  if (msgs.empty()) return absl::OkStatus();
  absl::MutexLock batch_lock(&batch_mu_);
  {
    absl::MutexLock lock(&async_state_->mu);
    async_state_->errors = 0;
    async_state_->first_error.clear();
    async_state_->retry_ids.clear();
  }
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<size_t> todo(msgs.size());
  for (size_t i = 0; i < msgs.size(); ++i) todo[i] = i;
  for (int attempt = 1;; ++attempt) {
    const absl::Duration left = deadline - absl::Now();
    todo = PublishRound(msgs, todo, std::min(left, AckWait(todo.size())));
    {
      absl::MutexLock lock(&async_state_->mu);
      if (async_state_->errors > 0) {
        return absl::UnavailableError(
            absl::StrCat("publish batch: ", async_state_->errors,
                         " not acked, first: ", async_state_->first_error));
      }
    }
    if (todo.empty()) return absl::OkStatus();
    const absl::Duration pause = RepublishBackoff(attempt);
    if (absl::Now() + pause >= deadline) {
      return absl::UnavailableError(
          absl::StrCat("publish batch: ", todo.size(), " of ", msgs.size(), " not acked in time"));
    }
    absl::SleepFor(pause);
    republished_ += todo.size();
  }
}

}  // namespace kpr::bus
