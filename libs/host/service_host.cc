#include "libs/host/service_host.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/bus/consumer_metrics.h"
#include "libs/observe/log.h"
#include "libs/observe/metrics.h"
#include "libs/privacy/sealed_box.h"

namespace kpr::host {

absl::StatusOr<std::unique_ptr<ServiceHost>> ServiceHost::Create(const rpc::ServiceConfig& config,
                                                                 Options options) {
  std::unique_ptr<ServiceHost> h(new ServiceHost());
  h->config_ = config;
  h->options_ = std::move(options);
  auto secret = rpc::ReadSecretFile(config.jwt_secret_file);
  if (!secret.ok()) return secret.status();
  auto keys = privacy::LoadDataKeysFromFile(config.data_key_file);
  if (!keys.ok()) return keys.status();
  h->keys_ = *std::move(keys);
  h->verifier_ = std::make_unique<rpc::JwtVerifier>(
      *std::move(secret),
      rpc::TokenLifetimes{config.token_max_lifetime_person, config.token_max_lifetime_service});

  auto redis_options = store::RedisOptionsFromUrl(config.redis_url);
  if (!redis_options.ok()) return redis_options.status();
  redis_options->pool_size = h->options_.redis_pool_size;
  redis_options->user = config.redis_user;
  if (!config.redis_password_file.empty()) {
    auto password = rpc::ReadPasswordFile(config.redis_password_file);
    if (!password.ok()) return password.status();
    redis_options->password = *std::move(password);
  }
  h->pool_ = std::make_unique<store::RedisPool>(*redis_options);
  store::RedisOptions health_options = *redis_options;
  health_options.pool_size = 1;
  health_options.command_timeout = absl::Milliseconds(500);
  // Health should turn NOT_SERVING promptly, not after a cluster call's whole retry window.
  health_options.cluster_retry_window = absl::Seconds(1);
  h->health_pool_ = std::make_unique<store::RedisPool>(health_options);
  // Redis may start after us, but wrong credentials will not fix themselves: say so now. (The
  // message names the user and the file's setting, never the password.)
  if (absl::Status ping = h->health_pool_->Ping();
      ping.code() == absl::StatusCode::kUnauthenticated ||
      ping.code() == absl::StatusCode::kPermissionDenied) {
    return ping;
  }

  auto js =
      bus::JetStream::Connect({config.nats_url, absl::StrCat("kpr-", h->options_.service), false});
  if (!js.ok()) return js.status();
  h->js_ = *std::move(js);
  h->http_ = std::make_unique<observe::HttpServer>(config.http_addr, h->options_.http);
  return h;
}

bus::OutboxRelay& ServiceHost::RelayOutbox(store::Outbox& outbox) {
  relays_.push_back(std::make_unique<bus::OutboxRelay>(outbox, *js_, bus::OutboxRelay::Options{}));
  return *relays_.back();
}

void ServiceHost::AddConsumer(bus::ConsumerSpec spec, bus::BatchHandler handler) {
  if (!spec.seal_dead_letter) {
    auto box = std::make_shared<privacy::SealedBox>(keys_.dead_letter_key);
    spec.seal_dead_letter = [box](absl::string_view data) {
      auto sealed = box->Seal(data, "kpr-dlq");
      return sealed.ok() ? *sealed : std::string();
    };
  }
  // Its series are on /metrics from now on (at 0), also while NATS is down and the consumer
  // cannot be created yet.
  bus::ConsumerMetrics::For(spec.durable);
  absl::MutexLock lock(&consumers_mu_);
  consumers_.push_back(ConsumerSlot{std::move(spec), std::move(handler), nullptr});
}

void ServiceHost::AddEventConsumer(absl::string_view stream, absl::string_view durable,
                                   absl::string_view filter, const bus::EventRouter& router) {
  bus::ConsumerSpec spec;
  spec.stream = std::string(stream);
  spec.durable = std::string(durable);
  spec.filter_subject = std::string(filter);
  spec.deliver_group = std::string(durable);
  spec.max_batch = 64;
  spec.workers = 1;
  AddConsumer(std::move(spec),
              [&router](const std::vector<bus::Delivery>& batch) { return router.Route(batch); });
}

void ServiceHost::AddWorker(std::function<void()> start, std::function<void()> stop) {
  workers_.push_back(Worker{std::move(start), std::move(stop)});
}

absl::Status ServiceHost::Serve(std::vector<grpc::Service*> services) {
  if (served_) return absl::FailedPreconditionError("Serve() called twice");
  served_ = true;
  rpc::ServerOptions server_options;
  server_options.address = config_.grpc_addr;
  server_options.services = std::move(services);
  server_options.health_service_names = {options_.health_service_name};
  auto rpc_server = rpc::RpcServer::Start(server_options);
  if (!rpc_server.ok()) return rpc_server.status();
  rpc_server_ = *std::move(rpc_server);

  ServiceHost* self = this;
  // Each check also sets kpr_dependency_up{dependency}: what it last saw, 0 until it has looked.
  auto reported = [](const char* dependency, std::function<bool()> check) {
    observe::Gauge* up = &observe::MetricsRegistry::Global().GetGauge(
        "kpr_dependency_up", "1 while the service reaches this dependency (its health check)",
        {{"dependency", dependency}});
    return std::pair<std::string, rpc::HealthMonitor::Check>(dependency,
                                                             [up, check = std::move(check)] {
                                                               const bool ok = check();
                                                               up->Set(ok ? 1 : 0);
                                                               return ok;
                                                             });
  };
  monitor_ = std::make_unique<rpc::HealthMonitor>(
      std::vector<std::pair<std::string, rpc::HealthMonitor::Check>>{
          reported("redis", [self] { return self->health_pool_->Ping().ok(); }),
          reported("nats", [self] { return self->js_->connected(); })},
      absl::Milliseconds(250), [self](bool healthy) {
        self->rpc_server_->SetServing(healthy && !self->draining_.load());
        observe::Info(healthy ? "serving" : "not serving: a dependency is unreachable");
      });

  observe::ServeObservability(*http_, [self] { return self->healthy(); });
  if (auto st = http_->Start(); !st.ok()) return st;

  monitor_->Start();
  for (auto& relay : relays_) relay->Start();
  for (auto& w : workers_) w.start();
  bootstrap_ = std::thread([self] { self->BootstrapStreams(); });
  observe::Info(absl::StrCat("kpr-", options_.service, " started"))
      .With("grpc_port", grpc_port())
      .With("http_port", http_port());
  return absl::OkStatus();
}

// Streams and consumers need NATS; retry until it answers so the service can start before NATS.
void ServiceHost::BootstrapStreams() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stopping_.load()) {
    absl::Status st = js_->EnsureStreams(bus::KprStreams(config_.stream_replicas));
    if (st.ok()) {
      absl::MutexLock lock(&consumers_mu_);
      for (ConsumerSlot& slot : consumers_) {
        if (slot.consumer || stopping_.load()) continue;
        auto consumer = bus::Consumer::Start(*js_, slot.spec, slot.handler);
        if (!consumer.ok()) {
          st = consumer.status();
          break;
        }
        slot.consumer = *std::move(consumer);
        observe::Info("consumer started")
            .With("stream", slot.spec.stream)
            .With("durable", slot.spec.durable);
      }
    }
    if (st.ok()) {
      consumers_ready_.store(true);
      observe::Info("consumers started").With("count", static_cast<int>(consumers_.size()));
      return;
    }
    observe::Warn("streams not ready; retrying").With("reason", st.ToString());
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

void ServiceHost::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.store(true);
  observe::Info("shutting down");
  // Stop taking work first (not ready, no new messages); finish what is in flight (the batch in
  // hand, open calls, timers being fired); then flush the outbox.
  draining_.store(true);
  if (monitor_) monitor_->Stop();
  if (rpc_server_) rpc_server_->SetServing(false);
  if (bootstrap_.joinable()) bootstrap_.join();
  {
    absl::MutexLock lock(&consumers_mu_);
    for (ConsumerSlot& slot : consumers_) {
      if (slot.consumer) slot.consumer->Stop();
    }
  }
  if (rpc_server_) rpc_server_->Shutdown(grace);
  for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) it->stop();
  for (auto& relay : relays_) relay->Stop(absl::Seconds(5));
  if (http_) http_->Stop();
  observe::Info("stopped");
}

ServiceHost::~ServiceHost() {
  if (served_) Shutdown(absl::Seconds(1));
  absl::MutexLock lock(&consumers_mu_);
  for (ConsumerSlot& slot : consumers_) slot.consumer.reset();
}

}  // namespace kpr::host
