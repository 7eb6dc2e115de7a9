// kpr-scheduling: cohorts, sessions, enrolments. Only wiring; see scheduling_server.h.
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "libs/clock/domain_clock.h"
#include "libs/host/run_service.h"
#include "services/scheduling/scheduling_server.h"

ABSL_FLAG(
    std::string, referral_addr, "",
    "kpr-referral's gRPC target, for instructors' participant first names: host:port, "
    "dns:///kpr-referral-headless:50051 or ipv4:h:p,h:p (calls balance over every address; env "
    "KPR_REFERRAL_ADDR)");

int main(int argc, char** argv) {
  using namespace kpr;  // NOLINT: main only wires
  return host::RunService(
      argc, argv, "scheduling", clock::OpenDomainClock,
      [](const rpc::ServiceConfig& config, const clock::Clock& domain_clock) {
        scheduling::SchedulingServer::Options options;
        options.clock = domain_clock;
        options.referral_addr = absl::GetFlag(FLAGS_referral_addr);
        if (options.referral_addr.empty() && std::getenv("KPR_REFERRAL_ADDR") != nullptr) {
          options.referral_addr = std::getenv("KPR_REFERRAL_ADDR");
        }
        return host::Running(scheduling::SchedulingServer::Start(config, options));
      });
}
