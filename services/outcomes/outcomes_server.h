#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_SERVER_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_SERVER_H_

// A running outcomes service on a ServiceHost (libs/host): the gRPC server, the KPR_SCHEDULING
// and KPR_REFERRAL consumers, the questionnaire/settle timer worker, the outbox relay, health
// and HTTP observability. main() starts one; in-process tests start one too.

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/host/service_host.h"
#include "libs/privacy/audit_trail.h"
#include "libs/rpc/config.h"
#include "libs/timer/timer_worker.h"
#include "services/outcomes/facts_handler.h"
#include "services/outcomes/outcomes_desks.h"
#include "services/outcomes/outcomes_grpc_service.h"
#include "services/outcomes/outcomes_store.h"

namespace kpr::outcomes {

class OutcomesServer {
 public:
  struct Options {
    // The desks' rules, windows and clock. Tests drive time with `desks.clock`; the timer worker
    // fires by the same clock, so advancing it walks the follow-ups.
    OutcomesOptions desks;
    absl::Duration timer_poll_interval = absl::Seconds(1);
  };
  // Starts serving. Redis and NATS need not be up yet (health says NOT_SERVING until they are).
  static absl::StatusOr<std::unique_ptr<OutcomesServer>> Start(const rpc::ServiceConfig& config,
                                                               Options options);
  ~OutcomesServer() {
    if (host_) host_->Shutdown(absl::Seconds(1));
  }

  void Shutdown(absl::Duration grace = absl::Seconds(10)) { host_->Shutdown(grace); }
  // Wakes the timer worker (after a test moved the clock).
  void PokeTimers() { timers_->Notify(); }

  int grpc_port() const { return host_->grpc_port(); }
  int http_port() const { return host_->http_port(); }
  bool healthy() const { return host_->healthy(); }
  bool consumers_ready() const { return host_->consumers_ready(); }

 private:
  OutcomesServer() = default;

  // Declared first so it is destroyed last: the parts below run on its threads until it stops.
  std::unique_ptr<host::ServiceHost> host_;
  std::unique_ptr<OutcomesStore> store_;
  std::unique_ptr<privacy::AuditTrail> audit_;
  std::unique_ptr<OutcomesDesks> desks_;
  std::unique_ptr<bus::EventRouter> scheduling_facts_;
  std::unique_ptr<bus::EventRouter> referral_facts_;
  std::unique_ptr<timer::TimerWorker> timers_;
  std::unique_ptr<OutcomesGrpcService> grpc_service_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_SERVER_H_
