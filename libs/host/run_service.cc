#include "libs/host/run_service.h"

#include <cstdlib>
#include <thread>

#include "absl/flags/parse.h"
#include "absl/synchronization/notification.h"
#include "libs/calendar/danish_time.h"
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

int RunService(int argc, char** argv, absl::string_view service, const StartService& start) {
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
  auto server = start(*config);
  if (!server.ok()) {
    const bool bad_config = server.status().code() == absl::StatusCode::kInvalidArgument;
    observe::Error(bad_config ? "bad configuration" : "cannot start")
        .With("error",
              bad_config ? std::string(server.status().message()) : server.status().ToString());
    return bad_config ? 2 : 1;
  }
  rpc::ShutdownSignal::WaitForShutdown();
  DrainWithDeadline([&] { (*server)->Shutdown(kDrainGrace); }, kDrainGrace + kDrainMargin);
  return 0;
}

}  // namespace kpr::host
