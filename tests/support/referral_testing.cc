#include "tests/support/referral_testing.h"

#include <hiredis/hiredis.h>
#include <openssl/rand.h>
#include <signal.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "kpr/common/v1/event.pb.h"
#include "libs/rpc/auth.h"

namespace kpr::testing {

using ::google::protobuf::util::TimeUtil;

namespace {
std::string RandomBytes(int n) {
  std::string s(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), n);
  return s;
}
}  // namespace

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

Secrets WriteSecrets(const std::string& dir) {
  Secrets s;
  s.jwt_secret = RandomBytes(32);
  s.jwt_secret_file = dir + "/jwt.secret";
  s.data_key_file = dir + "/data.key";
  WriteFile(s.jwt_secret_file, s.jwt_secret);
  WriteFile(s.data_key_file, RandomBytes(32));
  return s;
}

rpc::ServiceConfig HarnessServiceConfig(const Secrets& secrets) {
  rpc::ServiceConfig config;
  config.nats_url = Servers::Nats().url();
  config.redis_url = Servers::Redis().url();
  config.grpc_addr = "127.0.0.1:0";
  config.http_addr = "127.0.0.1:0";
  config.jwt_secret_file = secrets.jwt_secret_file;
  config.data_key_file = secrets.data_key_file;
  return config;
}

std::string MakeToken(const std::string& secret, identity::Role role,
                      std::vector<std::string> municipalities, std::string subject) {
  identity::Claims c;
  c.subject = std::move(subject);
  c.role = role;
  c.municipalities = std::move(municipalities);
  c.expires_at = absl::Now() + absl::Hours(1);
  return rpc::SignJwt(c, secret);
}

std::string SyntheticCpr(int n) {
  int day = 1 + n % 28;
  int month = 1 + (n / 28) % 12;
  int year = 50 + (n / 336) % 50;
  int first = n % 4;  // 0-3: born 1900-1999
  int rest = (n / 7) % 1000;
  return absl::StrFormat("%02d%02d%02d%d%03d", day, month, year, first, rest);
}

std::string SyntheticPhone(int n) { return absl::StrFormat("2%07d", n % 10000000); }

intake::v1::ReferralSubmitted SyntheticSubmission(int n, const std::string& municipality,
                                                  const std::string& source_system) {
  intake::v1::ReferralSubmitted s;
  s.set_source_system(source_system);
  s.set_external_id(absl::StrCat("case-", n));
  s.set_municipality(municipality);
  s.set_source(n % 5 == 0 ? intake::v1::REFERRAL_SOURCE_GENERAL_PRACTITIONER
                          : intake::v1::REFERRAL_SOURCE_JOBCENTER);
  auto* c = s.mutable_citizen();
  c->set_cpr(SyntheticCpr(n));
  c->set_given_name(absl::StrCat("Testperson", n));
  c->set_family_name("Syntetisk");
  c->set_phone(SyntheticPhone(n));
  c->set_email(absl::StrCat("testperson", n, "@example.org"));
  c->set_preferred_channel(intake::v1::CONTACT_CHANNEL_SMS);
  *c->mutable_consent_given_at() = TimeUtil::GetCurrentTime();
  s.mutable_referrer()->set_caseworker_id(absl::StrCat("cw-", n % 7));
  s.mutable_referrer()->set_organisation("Jobcenter Test");
  s.set_target_group(intake::v1::TARGET_GROUP_SICK_LISTED);
  s.set_benefit_situation(intake::v1::BENEFIT_SITUATION_SYGEDAGPENGE);
  s.set_reason("stress efter sygemelding");
  s.set_notes(absl::StrCat("note-", n, ": ringes op om formiddagen"));
  *s.mutable_submitted_at() = TimeUtil::GetCurrentTime();
  return s;
}

std::string IntakeEnvelope(const intake::v1::ReferralSubmitted& submission,
                           const std::string& event_id, const std::string& municipality) {
  kpr::common::v1::Event e;
  e.set_id(event_id);
  e.set_type(intake::v1::ReferralSubmitted::descriptor()->full_name());
  e.set_municipality(municipality);
  *e.mutable_occurred_at() = TimeUtil::GetCurrentTime();
  e.set_correlation_id(event_id);
  e.mutable_payload()->PackFrom(submission);
  return e.SerializeAsString();
}

absl::StatusOr<std::unique_ptr<TestNats>> TestNats::Connect(const std::string& url) {
  auto t = std::make_unique<TestNats>();
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  // One server or a cluster's list ("nats://a,nats://b"), as KPR_NATS_URL takes them.
  std::vector<std::string> servers = absl::StrSplit(url, ',', absl::SkipEmpty());
  std::vector<const char*> cservers;
  for (const std::string& s : servers) cservers.push_back(s.c_str());
  natsOptions_SetServers(opts, cservers.data(), static_cast<int>(cservers.size()));
  natsOptions_SetSendAsap(opts, true);
  natsOptions_SetMaxPendingMsgs(opts, 1 << 20);
  natsStatus s = natsConnection_Connect(&t->nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK)
    return absl::UnavailableError(absl::StrCat("nats connect: ", natsStatus_GetText(s)));
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.PublishAsync.MaxPending = 4096;
  if (natsConnection_JetStream(&t->js_, t->nc_, &jo) != NATS_OK) {
    return absl::InternalError("jetstream context");
  }
  return t;
}

TestNats::~TestNats() {
  if (js_) jsCtx_Destroy(js_);
  if (nc_) {
    natsConnection_Close(nc_);
    natsConnection_Destroy(nc_);
  }
}

absl::Status TestNats::PublishAsync(const std::string& subject, const std::string& data,
                                    const std::string& msg_id) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MsgId = msg_id.c_str();
  natsStatus s =
      js_PublishAsync(js_, subject.c_str(), data.data(), static_cast<int>(data.size()), &po);
  if (s != NATS_OK) return absl::UnavailableError(absl::StrCat("publish: ", natsStatus_GetText(s)));
  return absl::OkStatus();
}

absl::Status TestNats::WaitPublished(absl::Duration timeout) {
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = absl::ToInt64Milliseconds(timeout);
  natsStatus s = js_PublishAsyncComplete(js_, &po);
  if (s != NATS_OK)
    return absl::DeadlineExceededError(absl::StrCat("publish acks: ", natsStatus_GetText(s)));
  natsMsgList pending{};
  if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK && pending.Count > 0) {
    int n = pending.Count;
    natsMsgList_Destroy(&pending);
    return absl::InternalError(absl::StrCat(n, " publishes not acked"));
  }
  return absl::OkStatus();
}

absl::Status TestNats::EnsureStream(const std::string& name, const std::string& subject,
                                    bool work_queue) {
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = name.c_str();
  const char* subjects[] = {subject.c_str()};
  cfg.Subjects = subjects;
  cfg.SubjectsLen = 1;
  cfg.Storage = js_FileStorage;
  cfg.Retention = work_queue ? js_WorkQueuePolicy : js_LimitsPolicy;
  cfg.Duplicates = static_cast<int64_t>(3600) * 1000000000;
  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&si, js_, &cfg, nullptr, &err);
  if (si) jsStreamInfo_Destroy(si);
  if (s != NATS_OK && err != JSStreamNameExistErr) {
    return absl::InternalError(
        absl::StrCat("add stream ", name, ": ", natsStatus_GetText(s), " ", err));
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TestNats::StreamCount(const std::string& stream) {
  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, stream.c_str(), nullptr, &err);
  if (s == NATS_NOT_FOUND || err == JSStreamNotFoundErr) return 0;
  if (s != NATS_OK)
    return absl::UnavailableError(absl::StrCat("stream info: ", natsStatus_GetText(s)));
  uint64_t n = si->State.Msgs;
  jsStreamInfo_Destroy(si);
  return n;
}

absl::StatusOr<std::vector<StreamMessage>> TestNats::ReadStream(const std::string& stream) {
  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, stream.c_str(), nullptr, &err);
  if (s == NATS_NOT_FOUND || err == JSStreamNotFoundErr) return std::vector<StreamMessage>{};
  if (s != NATS_OK)
    return absl::UnavailableError(absl::StrCat("stream info: ", natsStatus_GetText(s)));
  uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
  jsStreamInfo_Destroy(si);
  std::vector<StreamMessage> out;
  if (last == 0) return out;
  for (uint64_t seq = first; seq <= last; ++seq) {
    natsMsg* msg = nullptr;
    // A deleted message is NOT_FOUND; anything else (a timeout while a cluster elects a leader)
    // is asked again rather than taken for a gap.
    for (int attempt = 0; attempt < 50; ++attempt) {
      err = static_cast<jsErrCode>(0);
      s = js_GetMsg(&msg, js_, stream.c_str(), seq, nullptr, &err);
      if (s == NATS_OK || s == NATS_NOT_FOUND || err == JSNoMessageFoundErr) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    if (s == NATS_NOT_FOUND || err == JSNoMessageFoundErr) continue;
    if (s != NATS_OK) {
      return absl::UnavailableError(
          absl::StrCat("get ", stream, " #", seq, ": ", natsStatus_GetText(s)));
    }
    StreamMessage m;
    m.sequence = seq;
    m.subject = natsMsg_GetSubject(msg);
    m.data.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK && id) m.msg_id = id;
    m.stored_at = absl::FromUnixNanos(natsMsg_GetTime(msg));
    out.push_back(std::move(m));
    natsMsg_Destroy(msg);
  }
  return out;
}

bool Eventually(const std::function<bool()>& done, absl::Duration timeout,
                absl::Duration interval) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (done()) return true;
    absl::SleepFor(interval);
  }
  return done();
}

ServiceProcess::ServiceProcess(std::string service, const Secrets& secrets,
                               std::map<std::string, std::string> extra_env)
    : service_(std::move(service)),
      secrets_(secrets),
      extra_env_(std::move(extra_env)),
      grpc_port_(FreePort()),
      http_port_(FreePort()) {
  static int counter = 0;
  log_path_ = absl::StrCat(Servers::Dir(), "/kpr-", service_, "-", ++counter, ".log");
}

std::string ServiceProcess::grpc_address() const { return absl::StrCat("127.0.0.1:", grpc_port_); }

absl::Status ServiceProcess::Start() {
  std::map<std::string, std::string> env = {
      {"KPR_NATS_URL", Servers::Nats().url()},
      {"KPR_REDIS_URL", Servers::Redis().url()},
      {"KPR_GRPC_ADDR", grpc_address()},
      {"KPR_HTTP_ADDR", absl::StrCat("127.0.0.1:", http_port_)},
      {"KPR_JWT_SECRET_FILE", secrets_.jwt_secret_file},
      {"KPR_DATA_KEY_FILE", secrets_.data_key_file},
  };
  for (const auto& [k, v] : extra_env_) env[k] = v;
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{
          absl::StrCat(BinaryDir(), "/services/", service_, "/kpr-", service_, binary_suffix_)},
      env, log_path_);
  return process_->Start();
}

absl::Status WaitServing(const std::string& grpc_address, absl::Duration timeout,
                         absl::string_view what) {
  auto channel = grpc::CreateChannel(grpc_address, grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  bool ok = Eventually(
      [&] {
        grpc::ClientContext ctx;
        ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
        grpc::health::v1::HealthCheckRequest req;
        grpc::health::v1::HealthCheckResponse resp;
        return stub->Check(&ctx, req, &resp).ok() &&
               resp.status() == grpc::health::v1::HealthCheckResponse::SERVING;
      },
      timeout, absl::Milliseconds(100));
  return ok ? absl::OkStatus() : absl::DeadlineExceededError(absl::StrCat(what, " is not SERVING"));
}

absl::Status ServiceProcess::WaitServing(absl::Duration timeout) {
  return kpr::testing::WaitServing(grpc_address(), timeout, absl::StrCat("kpr-", service_));
}

absl::Status ServiceProcess::WaitConsuming(absl::Duration timeout) {
  size_t runs_before = 0;
  // Count the starts in the log so a restart waits for its own consumer.
  std::string log = Log();
  const std::string started = absl::StrCat("kpr-", service_, " started");
  for (size_t p = 0; (p = log.find(started, p)) != std::string::npos; ++p) ++runs_before;
  bool ok = Eventually(
      [&] {
        std::string l = Log();
        size_t consumers = 0;
        for (size_t p = 0; (p = l.find("\"consumers started\"", p)) != std::string::npos; ++p)
          ++consumers;
        return consumers >= runs_before && runs_before > 0;
      },
      timeout, absl::Milliseconds(50));
  return ok ? absl::OkStatus() : absl::DeadlineExceededError("the consumers did not start");
}

void ServiceProcess::Kill() {
  if (process_) process_->Signal(SIGKILL);
}

int ServiceProcess::Terminate() {
  return process_ ? process_->Signal(SIGTERM, absl::Seconds(30)) : -1;
}

std::string ServiceProcess::Log() const {
  std::ifstream in(log_path_);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

absl::StatusOr<std::string> DumpRedis(int port) {
  redisContext* c = redisConnect("127.0.0.1", port);
  if (c == nullptr || c->err) return absl::UnavailableError("redis");
  std::string out;
  auto append_reply = [&](redisReply* r, auto&& self) -> void {
    if (r == nullptr) return;
    if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) {
      out.append(r->str, r->len);
      out.push_back('\n');
    } else if (r->type == REDIS_REPLY_INTEGER) {
      absl::StrAppend(&out, r->integer, "\n");
    } else if (r->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < r->elements; ++i) self(r->element[i], self);
    }
  };
  std::string cursor = "0";
  do {
    auto* r = static_cast<redisReply*>(redisCommand(c, "SCAN %s COUNT 1000", cursor.c_str()));
    if (r == nullptr || r->type != REDIS_REPLY_ARRAY) break;
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (size_t i = 0; i < r->element[1]->elements; ++i) {
      std::string key(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
      out += key + "\n";
      auto* t = static_cast<redisReply*>(redisCommand(c, "TYPE %b", key.data(), key.size()));
      std::string type = t ? std::string(t->str, t->len) : "";
      if (t) freeReplyObject(t);
      redisReply* v = nullptr;
      if (type == "string")
        v = static_cast<redisReply*>(redisCommand(c, "GET %b", key.data(), key.size()));
      if (type == "hash")
        v = static_cast<redisReply*>(redisCommand(c, "HGETALL %b", key.data(), key.size()));
      if (type == "set")
        v = static_cast<redisReply*>(redisCommand(c, "SMEMBERS %b", key.data(), key.size()));
      if (type == "zset")
        v = static_cast<redisReply*>(
            redisCommand(c, "ZRANGE %b 0 -1 WITHSCORES", key.data(), key.size()));
      if (type == "list")
        v = static_cast<redisReply*>(redisCommand(c, "LRANGE %b 0 -1", key.data(), key.size()));
      if (type == "stream")
        v = static_cast<redisReply*>(redisCommand(c, "XRANGE %b - +", key.data(), key.size()));
      append_reply(v, append_reply);
      if (v) freeReplyObject(v);
    }
    freeReplyObject(r);
  } while (cursor != "0");
  redisFree(c);
  return out;
}

CallAs::CallAs(const std::string& token, absl::Duration timeout) {
  rpc::SetBearerToken(ctx, token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

absl::StatusOr<referral::v1::Referral> SubmitAndAccept(
    referral::v1::ReferralService::Stub& stub, const std::string& token,
    const intake::v1::ReferralSubmitted& submission) {
  referral::v1::SubmitReferralResponse submitted;
  {
    CallAs c(token);
    referral::v1::SubmitReferralRequest req;
    *req.mutable_submission() = submission;
    grpc::Status st = stub.SubmitReferral(&c.ctx, req, &submitted);
    if (!st.ok()) return rpc::FromGrpcStatus(st);
  }
  referral::v1::Referral r = submitted.referral();
  for (referral::v1::ReferralStatus to :
       {referral::v1::REFERRAL_STATUS_UNDER_REVIEW, referral::v1::REFERRAL_STATUS_ACCEPTED}) {
    CallAs c(token);
    referral::v1::UpdateReferralStatusRequest req;
    req.set_id(r.id());
    req.set_expected_version(r.version());
    req.set_status(to);
    grpc::Status st = stub.UpdateReferralStatus(&c.ctx, req, &r);
    if (!st.ok()) return rpc::FromGrpcStatus(st);
  }
  return r;
}

}  // namespace kpr::testing
