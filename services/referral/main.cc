// kpr-referral: referrals in, closed loop out. Only wiring; see referral_server.h.
#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "libs/observe/log.h"
#include "libs/rpc/config.h"
#include "libs/rpc/lifecycle.h"
#include "services/referral/referral_server.h"

ABSL_FLAG(std::string, intake_ack_wait, "",
          "how long NATS waits for an intake ack before redelivering (env KPR_INTAKE_ACK_WAIT, "
          "default 30s)");

int main(int argc, char** argv) {
  kpr::rpc::ShutdownSignal::Install();  // before any thread starts
  absl::ParseCommandLine(argc, argv);
  kpr::observe::SetServiceName("referral");
  auto config = kpr::rpc::LoadServiceConfig();
  if (!config.ok()) {
    kpr::observe::Error("bad configuration").With("error", config.status().message());
    return 2;
  }
  kpr::referral::ReferralServer::Options options;
  std::string ack_wait = absl::GetFlag(FLAGS_intake_ack_wait);
  if (ack_wait.empty() && std::getenv("KPR_INTAKE_ACK_WAIT"))
    ack_wait = std::getenv("KPR_INTAKE_ACK_WAIT");
  if (!ack_wait.empty() && !absl::ParseDuration(ack_wait, &options.intake_ack_wait)) {
    kpr::observe::Error("bad configuration")
        .With("error", "KPR_INTAKE_ACK_WAIT: expected a duration like 30s");
    return 2;
  }
  auto server = kpr::referral::ReferralServer::Start(*config, options);
  if (!server.ok()) {
    kpr::observe::Error("cannot start").With("error", server.status().ToString());
    return 1;
  }
  kpr::rpc::ShutdownSignal::WaitForShutdown();
  (*server)->Shutdown(absl::Seconds(10));
  return 0;
}
