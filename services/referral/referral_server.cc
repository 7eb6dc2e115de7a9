#include "services/referral/referral_server.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/observe/log.h"

namespace kpr::referral {

absl::StatusOr<std::unique_ptr<ReferralServer>> ReferralServer::Start(const rpc::ServiceConfig& config,
                                                                     Options options) {
  std::unique_ptr<ReferralServer> s(new ReferralServer());
  s->config_ = config;
  s->options_ = options;
  auto secret = rpc::ReadSecretFile(config.jwt_secret_file);
  if (!secret.ok()) return secret.status();
  auto keys = privacy::LoadDataKeysFromFile(config.data_key_file);
  if (!keys.ok()) return keys.status();
  s->keys_ = *std::move(keys);
  s->verifier_ = std::make_unique<rpc::JwtVerifier>(*std::move(secret));
  s->sealed_box_ = std::make_unique<privacy::SealedBox>(s->keys_.encryption_key);
  s->dead_letter_box_ = std::make_unique<privacy::SealedBox>(s->keys_.dead_letter_key);
  s->pseudonymizer_ = std::make_unique<privacy::Pseudonymizer>(s->keys_.pseudonym_key);

  auto redis_options = store::RedisOptionsFromUrl(config.redis_url);
  if (!redis_options.ok()) return redis_options.status();
  redis_options->pool_size = 16;
  s->pool_ = std::make_unique<store::RedisPool>(*redis_options);
  // Health has its own connection so a busy pool never reads as an outage.
  store::RedisOptions health_options = *redis_options;
  health_options.pool_size = 1;
  health_options.command_timeout = absl::Milliseconds(500);
  s->health_pool_ = std::make_unique<store::RedisPool>(health_options);

  auto js = bus::JetStream::Connect({config.nats_url, "kpr-referral", false});
  if (!js.ok()) return js.status();
  s->js_ = *std::move(js);

  s->store_ = std::make_unique<ReferralStore>(*s->pool_);
  s->audit_ = std::make_unique<privacy::AuditTrail>(*s->pool_);
  s->relay_ = std::make_unique<bus::OutboxRelay>(s->store_->outbox(), *s->js_,
                                                 bus::OutboxRelay::Options{});
  bus::OutboxRelay* relay = s->relay_.get();
  s->desk_ = std::make_unique<ReferralDesk>(*s->store_, *s->sealed_box_, *s->pseudonymizer_,
                                            *s->audit_, [relay] { relay->Notify(); });
  s->intake_ = std::make_unique<IntakeHandler>(*s->desk_, *s->store_, *s->pool_);
  s->enrolments_ = std::make_unique<EnrolmentHandler>(*s->desk_);
  s->grpc_service_ = std::make_unique<ReferralGrpcService>(*s->desk_, *s->verifier_);

  rpc::ServerOptions server_options;
  server_options.address = config.grpc_addr;
  server_options.services = {s->grpc_service_.get()};
  server_options.health_service_names = {"kpr.referral.v1.ReferralService"};
  auto rpc_server = rpc::RpcServer::Start(server_options);
  if (!rpc_server.ok()) return rpc_server.status();
  s->rpc_server_ = *std::move(rpc_server);

  ReferralServer* self = s.get();
  s->monitor_ = std::make_unique<rpc::HealthMonitor>(
      std::vector<std::pair<std::string, rpc::HealthMonitor::Check>>{
          {"redis", [self] { return self->health_pool_->Ping().ok(); }},
          {"nats", [self] { return self->js_->connected(); }}},
      absl::Milliseconds(250), [self](bool healthy) {
        self->rpc_server_->SetServing(healthy);
        observe::Info(healthy ? "serving" : "not serving: a dependency is unreachable");
      });

  s->http_ = std::make_unique<observe::HttpServer>(config.http_addr);
  observe::ServeObservability(*s->http_, [self] { return self->healthy(); });
  if (auto st = s->http_->Start(); !st.ok()) return st;

  s->monitor_->Start();
  s->relay_->Start();
  s->bootstrap_ = std::thread([self] { self->BootstrapStreams(); });
  observe::Info("kpr-referral started")
      .With("grpc_port", s->grpc_port())
      .With("http_port", s->http_port());
  return s;
}

// Streams and the intake consumer need NATS; retry until it answers so the service can start
// before NATS does.
void ReferralServer::BootstrapStreams() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stopping_.load()) {
    absl::Status st = js_->EnsureStreams(bus::KprStreams(config_.stream_replicas));
    if (st.ok()) st = StartIntakeConsumer();
    if (st.ok()) st = StartEnrolmentConsumer();
    if (st.ok()) return;
    observe::Warn("streams not ready; retrying").With("reason", st.ToString());
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

absl::Status ReferralServer::StartIntakeConsumer() {
  if (consumer_) return absl::OkStatus();
  bus::ConsumerSpec spec;
  spec.stream = "KPR_INTAKE";
  spec.durable = "referral-intake";
  spec.filter_subject = "kpr.intake.v1.referral_submitted.>";
  spec.deliver_group = "referral-intake";
  spec.max_batch = 256;
  // Two batches in flight: one being prepared while the other runs in Redis. Order does not
  // matter to the intake (it de-duplicates by source system and external id).
  spec.workers = 2;
  // A few batches in flight: more would sit in the local queue long enough to be redelivered
  // when the service is slow.
  spec.max_ack_pending = 1024;
  spec.ack_wait = options_.intake_ack_wait;
  privacy::SealedBox* box = dead_letter_box_.get();
  spec.seal_dead_letter = [box](absl::string_view data) {
    auto sealed = box->Seal(data, "kpr-dlq");
    return sealed.ok() ? *sealed : std::string();
  };
  IntakeHandler* intake = intake_.get();
  auto consumer = bus::Consumer::Start(
      *js_, spec, [intake](const std::vector<bus::Delivery>& batch) { return intake->Handle(batch); });
  if (!consumer.ok()) return consumer.status();
  consumer_ = *std::move(consumer);
  observe::Info("intake consumer started").With("stream", "KPR_INTAKE");
  return absl::OkStatus();
}

// Scheduling's enrolled events move referrals to ENROLLED (the closed loop to the referrer).
absl::Status ReferralServer::StartEnrolmentConsumer() {
  if (enrolment_consumer_) return absl::OkStatus();
  bus::ConsumerSpec spec;
  spec.stream = "KPR_SCHEDULING";
  spec.durable = kEnrolmentConsumer;
  spec.filter_subject = kEnrolmentFilter;
  spec.deliver_group = kEnrolmentConsumer;
  spec.max_batch = 64;
  EnrolmentHandler* handler = enrolments_.get();
  auto consumer = bus::Consumer::Start(
      *js_, spec, [handler](const std::vector<bus::Delivery>& batch) { return handler->Handle(batch); });
  if (!consumer.ok()) return consumer.status();
  enrolment_consumer_ = *std::move(consumer);
  observe::Info("enrolment consumer started").With("stream", "KPR_SCHEDULING");
  return absl::OkStatus();
}

void ReferralServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.store(true);
  observe::Info("shutting down");
  // Stop taking work first: not ready, no new intake; then finish what is in flight (the batch in
  // hand, open calls), then flush the outbox.
  draining_.store(true);
  if (monitor_) monitor_->Stop();
  if (rpc_server_) rpc_server_->SetServing(false);
  if (bootstrap_.joinable()) bootstrap_.join();
  if (consumer_) consumer_->Stop();
  if (enrolment_consumer_) enrolment_consumer_->Stop();
  if (rpc_server_) rpc_server_->Shutdown(grace);
  if (relay_) relay_->Stop(absl::Seconds(5));
  if (http_) http_->Stop();
  observe::Info("stopped");
}

ReferralServer::~ReferralServer() {
  Shutdown(absl::Seconds(1));
  consumer_.reset();
  enrolment_consumer_.reset();
}

}  // namespace kpr::referral
