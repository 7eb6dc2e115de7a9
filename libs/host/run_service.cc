#include "libs/host/run_service.h"

#include <cstdlib>
#include <thread>

#include "absl/flags/parse.h"
#include "absl/synchronization/notification.h"
#include "libs/calendar/danish_time.h"
#include "libs/clock/sim_time.h"
#include "libs/observe/log.h"
#include "libs/rpc/lifecycle.h"

namespace kpr::host {

void DrainWithDeadline(const std::function<void()>& drain, absl::Duration deadline) {
  absl::Notification drained;
  std::thread watchdog([&drained, deadline] {
    if (drained.WaitForNotificationWithTimeout(deadline)) return;
    observe::Error("drain overran its deadline; exiting")
        .With("deadline_ms", absl::ToInt64Milliseconds(deadline));
    std::_Exit(1);
  });
  drain();
  drained.Notify();
  watchdog.join();
}

namespace {

// Logs why the service could not start; its exit code.
int FailedStart(const absl::Status& status) {
  const bool bad_config = status.code() == absl::StatusCode::kInvalidArgument;
  observe::Error(bad_config ? "bad configuration" : "cannot start")
      .With("error", bad_config ? std::string(status.message()) : status.ToString());
  return bad_config ? 2 : 1;
}

}  // namespace

int RunService(int argc, char** argv, absl::string_view service, const OpenClock& open_clock,
               const StartService& start) {
  rpc::ShutdownSignal::Install();  // before any thread starts
  absl::ParseCommandLine(argc, argv);
  observe::SetServiceName(std::string(service));
  auto config = rpc::LoadServiceConfig();
  if (!config.ok()) {
    observe::Error("bad configuration").With("error", config.status().message());
    return 2;
  }
  // Sessions, windows and reports are in Danish time: without tzdata they would silently be UTC.
  if (absl::Status tz = calendar::DanishTimeZoneLoaded(); !tz.ok()) {
    observe::Error("bad configuration").With("error", tz.message());
    return 2;
  }
  // Declared before the server, so it outlives it: the server's threads read it to the end.
  auto domain_clock = open_clock(*config);
  if (!domain_clock.ok()) return FailedStart(domain_clock.status());
  observe::Info("domain clock")
      .With("kind", (*domain_clock)->kind())
      .With("now", clock::FormatInstant((*domain_clock)->Now()));
  auto server = start(*config, (*domain_clock)->AsClock());
  if (!server.ok()) return FailedStart(server.status());
  RunningService* running = server->get();
  (*domain_clock)->OnJump([running] { running->PokeTimers(); });
  rpc::ShutdownSignal::WaitForShutdown();
  (*domain_clock)->OnJump({});  // returns once no wake-up runs: the server may go
  DrainWithDeadline([&] { (*server)->Shutdown(kDrainGrace); }, kDrainGrace + kDrainMargin);
  return 0;
}

}  // namespace kpr::host
