// kpr-outcomes: attendance, questionnaires, follow-ups and reports. Only wiring; see
// outcomes_server.h.
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "libs/observe/log.h"
#include "libs/rpc/config.h"
#include "libs/rpc/lifecycle.h"
#include "services/outcomes/outcomes_server.h"

ABSL_FLAG(int, suppression_threshold, 5,
          "counts below this are withheld from reports (env KPR_SUPPRESSION_THRESHOLD)");
ABSL_FLAG(int, settle_delay_hours, 48,
          "hours after a cohort's completion before outcomes are decided (env KPR_SETTLE_DELAY_HOURS)");

namespace {

int FlagOrEnv(int flag_value, int default_value, const char* env) {
  if (flag_value != default_value) return flag_value;
  const char* v = std::getenv(env);
  return v ? std::atoi(v) : flag_value;
}

}  // namespace

int main(int argc, char** argv) {
  kpr::rpc::ShutdownSignal::Install();  // before any thread starts
  absl::ParseCommandLine(argc, argv);
  kpr::observe::SetServiceName("outcomes");
  auto config = kpr::rpc::LoadServiceConfig();
  if (!config.ok()) {
    kpr::observe::Error("bad configuration").With("error", config.status().message());
    return 2;
  }
  kpr::outcomes::OutcomesServer::Options options;
  options.desk.suppression_threshold =
      FlagOrEnv(absl::GetFlag(FLAGS_suppression_threshold), 5, "KPR_SUPPRESSION_THRESHOLD");
  options.desk.settle_delay =
      absl::Hours(FlagOrEnv(absl::GetFlag(FLAGS_settle_delay_hours), 48, "KPR_SETTLE_DELAY_HOURS"));
  if (options.desk.suppression_threshold < 1) {
    kpr::observe::Error("bad configuration").With("error", "suppression threshold must be at least 1");
    return 2;
  }
  auto server = kpr::outcomes::OutcomesServer::Start(*config, options);
  if (!server.ok()) {
    kpr::observe::Error("cannot start").With("error", server.status().ToString());
    return 1;
  }
  kpr::rpc::ShutdownSignal::WaitForShutdown();
  (*server)->Shutdown(absl::Seconds(10));
  return 0;
}
