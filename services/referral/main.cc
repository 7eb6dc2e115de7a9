// kpr-referral: referrals in, closed loop out. Only wiring; see referral_server.h.
#include "absl/flags/flag.h"
#include "libs/clock/domain_clock.h"
#include "libs/host/run_service.h"
#include "libs/rpc/setting.h"
#include "services/referral/referral_server.h"

ABSL_FLAG(std::string, intake_ack_wait, "",
          "how long NATS waits for an intake ack before redelivering (env KPR_INTAKE_ACK_WAIT, "
          "default 30s)");
ABSL_FLAG(int, suppression_threshold, -1,
          "funnel counts below this are withheld (env KPR_SUPPRESSION_THRESHOLD, default 5)");

int main(int argc, char** argv) {
  using namespace kpr;  // NOLINT: main only wires
  return host::RunService(
      argc, argv, "referral", clock::OpenDomainClock,
      [](const rpc::ServiceConfig& config, const clock::Clock& domain_clock)
          -> absl::StatusOr<std::unique_ptr<host::RunningService>> {
        referral::ReferralServer::Options options;
        options.clock = domain_clock;
        auto ack_wait = rpc::DurationSetting({"KPR_INTAKE_ACK_WAIT", "intake_ack_wait"},
                                             absl::GetFlag(FLAGS_intake_ack_wait),
                                             absl::Seconds(30), absl::Seconds(1));
        if (!ack_wait.ok()) return ack_wait.status();
        options.intake_ack_wait = *ack_wait;
        auto threshold = rpc::IntSetting({"KPR_SUPPRESSION_THRESHOLD", "suppression_threshold"},
                                         absl::GetFlag(FLAGS_suppression_threshold), 5, 1);
        if (!threshold.ok()) return threshold.status();
        options.suppression_threshold = *threshold;
        return host::Running(referral::ReferralServer::Start(config, options));
      });
}
