#ifndef KPR_SERVICES_NOTIFY_NOTIFY_SERVER_H_
#define KPR_SERVICES_NOTIFY_NOTIFY_SERVER_H_
// A running notify service on a ServiceHost (libs/host): the gRPC server, the KPR_REFERRAL,
// KPR_SCHEDULING and KPR_OUTCOMES consumers, the timer workers that fire reminders and send
// deliveries, the gateway's callbacks on the HTTP server, the outbox relay, health and
// observability. main() starts one; in-process tests start one too.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/host/service_host.h"
#include "libs/rpc/config.h"
#include "libs/timer/timer_worker.h"
#include "services/notify/gatewayapi_client.h"
#include "services/notify/notify_desks.h"
#include "services/notify/notify_grpc_service.h"

namespace kpr::notify {

class NotifyServer {
 public:
  struct Options {
    NotifyOptions desks;
    std::string referral_addr;  // KPR_REFERRAL_ADDR; "" and citizens' messages wait
    // The SMS gateways: no base URL, no SMS (SMS deliveries wait).
    GatewayApiOptions primary;
    std::optional<GatewayApiOptions> secondary;
    double sms_rate = 0;  // KPR_SMS_RATE, per gateway, shared by all replicas; <= 0 unlimited
    std::optional<SmtpSettings> smtp;  // none: e-mails wait
    std::string callback_secret_file;  // "" refuses every callback
    absl::Duration timer_poll_interval = absl::Milliseconds(200);
    int timer_workers = 2;  // per replica; they claim timers atomically, so they share the work
    absl::Duration timer_lease = absl::Seconds(30);
    int timer_batch = 25;  // timers a worker claims per municipality per pass
  };

  // Starts serving. Redis and NATS need not be up yet (health says NOT_SERVING until they are).
  // FAILED_PRECONDITION when a secret file cannot be read.
  static absl::StatusOr<std::unique_ptr<NotifyServer>> Start(const rpc::ServiceConfig& config,
                                                             Options options);
  ~NotifyServer() {
    if (host_) host_->Shutdown(absl::Seconds(1));
  }
  void Shutdown(absl::Duration grace = absl::Seconds(10)) { host_->Shutdown(grace); }
  // Wakes the timer workers (after a test moved the clock).
  void PokeTimers();
  int grpc_port() const { return host_->grpc_port(); }
  int http_port() const { return host_->http_port(); }
  bool healthy() const { return host_->healthy(); }
  bool consumers_ready() const { return host_->consumers_ready(); }

 private:
  NotifyServer() = default;
  // Declared first so it is destroyed last: the parts below run on its threads until it stops.
  std::unique_ptr<host::ServiceHost> host_;
  std::unique_ptr<DeliveryStore> deliveries_;
  std::unique_ptr<SettingsStore> settings_;
  std::unique_ptr<RosterStore> roster_;
  std::unique_ptr<SuppressionList> stop_list_;
  std::unique_ptr<timer::TimerStore> timers_store_;
  std::unique_ptr<ContactDirectory> contacts_;
  std::unique_ptr<SmsChannel> sms_;
  std::unique_ptr<SmtpSender> smtp_;
  std::unique_ptr<NotifyDesks> desks_;
  std::unique_ptr<bus::EventRouter> referral_facts_, scheduling_facts_, outcomes_facts_;
  std::vector<std::unique_ptr<timer::TimerWorker>> timers_;
  std::unique_ptr<NotifyGrpcService> grpc_service_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_NOTIFY_SERVER_H_
