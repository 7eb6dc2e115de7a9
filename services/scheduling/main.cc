// kpr-scheduling: cohorts, sessions, enrolments. Only wiring; see scheduling_server.h.
#include <cstdlib>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "libs/observe/log.h"
#include "libs/rpc/config.h"
#include "libs/rpc/lifecycle.h"
#include "services/scheduling/scheduling_server.h"

ABSL_FLAG(
    std::string, referral_addr, "",
    "host:port of kpr-referral, for instructors' participant first names (env KPR_REFERRAL_ADDR)");

int main(int argc, char** argv) {
  kpr::rpc::ShutdownSignal::Install();  // before any thread starts
  absl::ParseCommandLine(argc, argv);
  kpr::observe::SetServiceName("scheduling");
  auto config = kpr::rpc::LoadServiceConfig();
  if (!config.ok()) {
    kpr::observe::Error("bad configuration").With("error", config.status().message());
    return 2;
  }
  kpr::scheduling::SchedulingServer::Options options;
  options.referral_addr = absl::GetFlag(FLAGS_referral_addr);
  if (options.referral_addr.empty() && std::getenv("KPR_REFERRAL_ADDR")) {
    options.referral_addr = std::getenv("KPR_REFERRAL_ADDR");
  }
  auto server = kpr::scheduling::SchedulingServer::Start(*config, options);
  if (!server.ok()) {
    kpr::observe::Error("cannot start").With("error", server.status().ToString());
    return 1;
  }
  kpr::rpc::ShutdownSignal::WaitForShutdown();
  (*server)->Shutdown(absl::Seconds(10));
  return 0;
}
