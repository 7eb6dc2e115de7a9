#ifndef KPR_LIBS_HOST_SERVICE_HOST_H_
#define KPR_LIBS_HOST_SERVICE_HOST_H_

// What every kpr service process runs around its own logic: the secrets, a Redis pool (and a
// one-connection pool only for health, so a busy pool never reads as an outage), the NATS
// connection, the outbox relay, the gRPC server with health and reflection, the health monitor,
// the HTTP observability endpoints, the JetStream streams and the service's durable consumers
// (set up in the background, retrying until NATS answers), and the SIGTERM drain in the right
// order. A service builds its parts on the host's resources and hands them over:
//
//   auto host = ServiceHost::Create(config, {"scheduling", "kpr.scheduling.v1.SchedulingService"});
//   ... store on host->pool(), outbox relay via host->RelayOutbox(store.outbox()) ...
//   host->AddConsumer(spec, handler);      // started once the streams exist
//   host->AddWorker(start, stop);          // e.g. a timer worker
//   host->http().Handle("POST", path, h); // HTTP routes beside /metrics /healthz /readyz
//   host->Serve({&grpc_service});          // starts everything
//   ... ShutdownSignal::WaitForShutdown(); host->Shutdown(grace);

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/impl/service_type.h"
#include "libs/bus/consumer.h"
#include "libs/bus/event_router.h"
#include "libs/bus/jetstream.h"
#include "libs/bus/outbox_relay.h"
#include "libs/observe/http_server.h"
#include "libs/privacy/data_keys.h"
#include "libs/rpc/config.h"
#include "libs/rpc/jwt.h"
#include "libs/rpc/lifecycle.h"
#include "libs/rpc/server.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"

namespace kpr::host {

class ServiceHost {
 public:
  struct Options {
    std::string service;              // "referral": logs, NATS connection name "kpr-<service>"
    std::string health_service_name;  // e.g. "kpr.referral.v1.ReferralService"
    int redis_pool_size = 16;
    observe::HttpServerOptions http;  // deadline, caps and body limit of the HTTP server
  };

  // Reads the secrets and connects (Redis and NATS need not be up yet). Nothing serves yet.
  static absl::StatusOr<std::unique_ptr<ServiceHost>> Create(const rpc::ServiceConfig& config,
                                                             Options options);
  ~ServiceHost();  // Shutdown(1 s)
  ServiceHost(const ServiceHost&) = delete;
  ServiceHost& operator=(const ServiceHost&) = delete;

  const rpc::ServiceConfig& config() const { return config_; }
  const rpc::JwtVerifier& verifier() const { return *verifier_; }
  const privacy::DataKeys& keys() const { return keys_; }
  store::RedisPool& pool() { return *pool_; }
  bus::JetStream& js() { return *js_; }
  // The HTTP server, listening from Serve() on with /metrics, /healthz and /readyz; a service
  // adds its own routes (notify's callbacks) with http().Handle(), before or after Serve().
  observe::HttpServer& http() { return *http_; }

  // Publishes `outbox` to JetStream from Serve() on; returns its relay (Notify() after a write,
  // or HandOver() what a write appended). Call before Serve(), once per outbox.
  bus::OutboxRelay& RelayOutbox(store::Outbox& outbox);
  // A durable consumer started once the streams exist; stopped first on Shutdown. Before Serve().
  // Its kpr_consumer_* series (libs/bus/consumer_metrics.h) are on /metrics, at 0, from this call.
  // If spec.seal_dead_letter is unset, dead letters are sealed with the data key's dead-letter key.
  void AddConsumer(bus::ConsumerSpec spec, bus::BatchHandler handler);
  // The usual fact consumer: the events on `stream` matching `filter`, each routed by `router`
  // (which must outlive the host), one worker in stream order, the durable name as deliver group.
  void AddEventConsumer(absl::string_view stream, absl::string_view durable,
                        absl::string_view filter, const bus::EventRouter& router);
  // Background work with its own thread (a timer worker): started by Serve(), stopped on
  // Shutdown after the consumers and before the outbox is flushed. Before Serve().
  void AddWorker(std::function<void()> start, std::function<void()> stop);

  // Starts the gRPC server with `services`, the health monitor, the HTTP endpoints, the relays,
  // the workers and (in the background) the streams and consumers.
  absl::Status Serve(std::vector<grpc::Service*> services);

  // The SIGTERM drain: NOT_SERVING, stop consumers (the batch in hand finishes), finish in-flight
  // calls, stop workers, flush the outbox, stop. Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

  int grpc_port() const { return rpc_server_ ? rpc_server_->port() : 0; }
  int http_port() const { return http_ ? http_->port() : 0; }
  bool healthy() const { return !draining_.load() && monitor_ && monitor_->healthy(); }
  // True once every consumer is subscribed.
  bool consumers_ready() const { return consumers_ready_.load(); }

 private:
  ServiceHost() = default;
  void BootstrapStreams();

  struct ConsumerSlot {
    bus::ConsumerSpec spec;
    bus::BatchHandler handler;
    std::unique_ptr<bus::Consumer> consumer;
  };
  struct Worker {
    std::function<void()> start;
    std::function<void()> stop;
  };

  rpc::ServiceConfig config_;
  Options options_;
  privacy::DataKeys keys_;
  std::unique_ptr<rpc::JwtVerifier> verifier_;
  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<store::RedisPool> health_pool_;
  std::unique_ptr<bus::JetStream> js_;
  std::vector<std::unique_ptr<bus::OutboxRelay>> relays_;
  std::vector<ConsumerSlot> consumers_;
  std::vector<Worker> workers_;
  std::unique_ptr<rpc::RpcServer> rpc_server_;
  std::unique_ptr<observe::HttpServer> http_;
  std::unique_ptr<rpc::HealthMonitor> monitor_;
  std::thread bootstrap_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  std::atomic<bool> consumers_ready_{false};
  absl::Mutex consumers_mu_;  // consumers_[i].consumer: set by bootstrap, stopped by Shutdown
  bool served_ = false;
  bool shut_down_ = false;
};

}  // namespace kpr::host

#endif  // KPR_LIBS_HOST_SERVICE_HOST_H_
