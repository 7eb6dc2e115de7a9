#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_SERVER_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_SERVER_H_

// A running scheduling service on a ServiceHost (libs/host): the gRPC server, the KPR_REFERRAL
// consumer (accepted / withdrawn), the lifecycle timer worker, the outbox relay, health and
// HTTP observability. main() starts one; in-process tests start one too.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/host/service_host.h"
#include "libs/rpc/config.h"
#include "libs/timer/timer_worker.h"
#include "services/scheduling/participant_names.h"
#include "services/scheduling/referral_events_handler.h"
#include "services/scheduling/scheduling_desks.h"
#include "services/scheduling/scheduling_grpc_service.h"
#include "services/scheduling/scheduling_store.h"

namespace kpr::scheduling {

class SchedulingServer {
 public:
  struct Options {
    // host:port of kpr-referral, for instructors' participant first names; "" = not available.
    std::string referral_addr;
    // How often an idle timer worker looks for due timers.
    absl::Duration timer_poll_interval = absl::Seconds(1);
    // Domain time: "today" for planning, "now" for what has taken place, when events happened,
    // and when the lifecycle timers fire. Tests that plan a fixed year set it.
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };
  // Starts serving. Redis and NATS need not be up yet (health says NOT_SERVING until they are).
  static absl::StatusOr<std::unique_ptr<SchedulingServer>> Start(const rpc::ServiceConfig& config,
                                                                 Options options);
  ~SchedulingServer() {
    if (host_) host_->Shutdown(absl::Seconds(1));
  }

  // The SIGTERM drain (see ServiceHost::Shutdown).
  void Shutdown(absl::Duration grace = absl::Seconds(10)) { host_->Shutdown(grace); }
  // Wakes the timer worker (after the clock moved).
  void PokeTimers() { timers_->Notify(); }

  int grpc_port() const { return host_->grpc_port(); }
  int http_port() const { return host_->http_port(); }
  bool healthy() const { return host_->healthy(); }
  bool consumers_ready() const { return host_->consumers_ready(); }

 private:
  SchedulingServer() = default;

  // Declared first so it is destroyed last: the parts below run on its threads until it stops.
  std::unique_ptr<host::ServiceHost> host_;
  std::unique_ptr<SchedulingStore> store_;
  std::unique_ptr<ParticipantNames> names_;
  std::unique_ptr<SchedulingDesks> desks_;
  std::unique_ptr<bus::EventRouter> referral_events_;
  std::unique_ptr<bus::EventRouter> cancellations_;
  std::unique_ptr<timer::TimerWorker> timers_;
  std::unique_ptr<SchedulingGrpcService> grpc_service_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_SERVER_H_
