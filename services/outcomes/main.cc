// kpr-outcomes: attendance, questionnaires, follow-ups and reports. Only wiring; see
// outcomes_server.h.
#include "absl/flags/flag.h"
#include "libs/clock/domain_clock.h"
#include "libs/host/run_service.h"
#include "libs/rpc/setting.h"
#include "services/outcomes/outcomes_server.h"

ABSL_FLAG(int, suppression_threshold, -1,
          "counts below this are withheld from reports (env KPR_SUPPRESSION_THRESHOLD, default 5)");
ABSL_FLAG(int, settle_delay_hours, -1,
          "hours after a cohort's completion before outcomes are decided (env "
          "KPR_SETTLE_DELAY_HOURS, default 48)");

int main(int argc, char** argv) {
  using namespace kpr;  // NOLINT: main only wires
  return host::RunService(
      argc, argv, "outcomes", clock::OpenDomainClock,
      [](const rpc::ServiceConfig& config, const clock::Clock& domain_clock)
          -> absl::StatusOr<std::unique_ptr<host::RunningService>> {
        auto threshold = rpc::IntSetting({"KPR_SUPPRESSION_THRESHOLD", "suppression_threshold"},
                                         absl::GetFlag(FLAGS_suppression_threshold), 5, 1);
        if (!threshold.ok()) return threshold.status();
        auto settle_hours = rpc::IntSetting({"KPR_SETTLE_DELAY_HOURS", "settle_delay_hours"},
                                            absl::GetFlag(FLAGS_settle_delay_hours), 48, 0);
        if (!settle_hours.ok()) return settle_hours.status();
        outcomes::OutcomesServer::Options options;
        options.desks.suppression_threshold = *threshold;
        options.desks.settle_delay = absl::Hours(*settle_hours);
        options.desks.clock = domain_clock;
        return host::Running(outcomes::OutcomesServer::Start(config, options));
      });
}
