#ifndef KPR_SERVICES_REFERRAL_REFERRAL_SERVER_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_SERVER_H_

// A running referral service: the gRPC server, the KPR_INTAKE consumer, the outbox relay, the
// health monitor and the HTTP observability endpoints, over one Redis pool and one NATS
// connection. main() starts one; in-process tests start one too.

#include <atomic>
#include <memory>
#include <thread>

#include "absl/status/statusor.h"
#include "libs/bus/consumer.h"
#include "libs/bus/jetstream.h"
#include "libs/bus/outbox_relay.h"
#include "libs/observe/http_server.h"
#include "libs/privacy/audit_trail.h"
#include "libs/privacy/data_keys.h"
#include "libs/privacy/pseudonym.h"
#include "libs/privacy/sealed_box.h"
#include "libs/rpc/config.h"
#include "libs/rpc/jwt.h"
#include "libs/rpc/lifecycle.h"
#include "libs/rpc/server.h"
#include "libs/store/redis_pool.h"
#include "services/referral/enrolment_handler.h"
#include "services/referral/intake_handler.h"
#include "services/referral/referral_desk.h"
#include "services/referral/referral_grpc_service.h"
#include "services/referral/referral_store.h"

namespace kpr::referral {

class ReferralServer {
 public:
  // Starts serving. Redis and NATS need not be up yet: health stays NOT_SERVING, streams and the
  // consumer are set up in the background as soon as NATS answers.
  struct Options {
    // How long NATS waits for an intake ack before redelivering (after a crash, say).
    absl::Duration intake_ack_wait = absl::Seconds(30);
  };
  static absl::StatusOr<std::unique_ptr<ReferralServer>> Start(const rpc::ServiceConfig& config,
                                                               Options options);
  ~ReferralServer();

  // The SIGTERM drain: NOT_SERVING, finish in-flight calls and the batch in hand, flush the
  // outbox, stop.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

  int grpc_port() const { return rpc_server_->port(); }
  int http_port() const { return http_->port(); }
  bool healthy() const { return !draining_.load() && monitor_ && monitor_->healthy(); }

 private:
  ReferralServer() = default;
  void BootstrapStreams();
  absl::Status StartIntakeConsumer();
  absl::Status StartEnrolmentConsumer();

  rpc::ServiceConfig config_;
  Options options_;
  std::unique_ptr<rpc::JwtVerifier> verifier_;
  privacy::DataKeys keys_;
  std::unique_ptr<privacy::SealedBox> sealed_box_;
  std::unique_ptr<privacy::SealedBox> dead_letter_box_;
  std::unique_ptr<privacy::Pseudonymizer> pseudonymizer_;
  std::unique_ptr<store::RedisPool> pool_;
  std::unique_ptr<store::RedisPool> health_pool_;
  std::unique_ptr<bus::JetStream> js_;
  std::unique_ptr<ReferralStore> store_;
  std::unique_ptr<privacy::AuditTrail> audit_;
  std::unique_ptr<bus::OutboxRelay> relay_;
  std::unique_ptr<ReferralDesk> desk_;
  std::unique_ptr<IntakeHandler> intake_;
  std::unique_ptr<ReferralGrpcService> grpc_service_;
  std::unique_ptr<rpc::RpcServer> rpc_server_;
  std::unique_ptr<observe::HttpServer> http_;
  std::unique_ptr<rpc::HealthMonitor> monitor_;
  std::unique_ptr<EnrolmentHandler> enrolments_;
  std::unique_ptr<bus::Consumer> consumer_;
  std::unique_ptr<bus::Consumer> enrolment_consumer_;
  std::thread bootstrap_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> draining_{false};
  bool shut_down_ = false;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_SERVER_H_
