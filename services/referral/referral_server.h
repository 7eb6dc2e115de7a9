#ifndef KPR_SERVICES_REFERRAL_REFERRAL_SERVER_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_SERVER_H_

// A running referral service: the gRPC server, the KPR_INTAKE consumer, the outbox relay, the
// health monitor and the HTTP observability endpoints, over one Redis pool and one NATS
// connection. main() starts one; in-process tests start one too.

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/host/service_host.h"
#include "libs/privacy/audit_trail.h"
#include "libs/privacy/pseudonym.h"
#include "libs/privacy/sealed_box.h"
#include "libs/rpc/config.h"
#include "services/referral/closed_loop_handler.h"
#include "services/referral/intake_handler.h"
#include "services/referral/referral_context.h"
#include "services/referral/referral_desks.h"
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
    // Funnel counts below this are withheld (KPR_SUPPRESSION_THRESHOLD).
    int suppression_threshold = 5;
    // Domain time: when referrals arrive and change, the funnel's default period.
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };
  static absl::StatusOr<std::unique_ptr<ReferralServer>> Start(const rpc::ServiceConfig& config,
                                                               Options options);
  ~ReferralServer() {
    if (host_) host_->Shutdown(absl::Seconds(1));
  }

  // The SIGTERM drain: NOT_SERVING, finish in-flight calls and the batch in hand, flush the
  // outbox, stop.
  void Shutdown(absl::Duration grace = absl::Seconds(10)) { host_->Shutdown(grace); }

  int grpc_port() const { return host_->grpc_port(); }
  int http_port() const { return host_->http_port(); }
  bool healthy() const { return host_->healthy(); }

 private:
  ReferralServer() = default;

  // Declared first so it is destroyed last: the parts below run on its threads until it stops.
  std::unique_ptr<host::ServiceHost> host_;
  std::unique_ptr<privacy::SealedBox> sealed_box_;
  std::unique_ptr<privacy::Pseudonymizer> pseudonymizer_;
  std::unique_ptr<ReferralStore> store_;
  std::unique_ptr<privacy::AuditTrail> audit_;
  std::unique_ptr<ReferralContext> context_;
  std::unique_ptr<ReferralDesks> desks_;
  std::unique_ptr<IntakeHandler> intake_;
  std::unique_ptr<bus::EventRouter> placement_facts_;
  std::unique_ptr<bus::EventRouter> outcome_facts_;
  std::unique_ptr<ReferralGrpcService> grpc_service_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_SERVER_H_
