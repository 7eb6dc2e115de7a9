#ifndef KPR_LIBS_HOST_RUN_SERVICE_H_
#define KPR_LIBS_HOST_RUN_SERVICE_H_

// What every service's main() does, once: install the shutdown signals, parse flags, load and
// check the configuration (ServiceConfig, the Danish time zone, the service's own settings),
// open the domain clock, start the server on it, wait for SIGTERM/SIGINT, and drain with a
// deadline.
//
// The clock source is the one the executable links (libs/clock/domain_clock.h): main() passes
// clock::OpenDomainClock, which is absl::Now in kpr-<service> and the shared simulated clock in
// kpr-<service>-sim. The same main.cc builds both. When the simulated clock jumps, the server's
// timer workers are woken (PokeTimers), so what came due fires at once.
//
// The drain is bounded: Shutdown(grace) cancels calls still running after `grace`, but a handler
// that never looks at its cancellation (a runaway computation) would keep the process alive
// past any pod's termination period and hold its replicas' work hostage. A watchdog therefore
// ends the process when the drain overruns grace + kDrainMargin. What was not acked is
// redelivered by JetStream, and nothing is acked before it is stored, so nothing is lost.
//
// Exit codes: 0 clean drain; 1 could not start or the drain overran; 2 bad configuration.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/clock/domain_clock.h"
#include "libs/rpc/config.h"

namespace kpr::host {

inline constexpr absl::Duration kDrainGrace = absl::Seconds(10);
inline constexpr absl::Duration kDrainMargin = absl::Seconds(5);

// A started server, as RunService sees it.
class RunningService {
 public:
  virtual ~RunningService() = default;
  virtual void Shutdown(absl::Duration grace) = 0;
  // Wakes the timer workers: the domain clock jumped ahead.
  virtual void PokeTimers() {}
};

template <typename Server>
class RunningServer : public RunningService {
 public:
  explicit RunningServer(std::unique_ptr<Server> server) : server_(std::move(server)) {}
  void Shutdown(absl::Duration grace) override { server_->Shutdown(grace); }
  void PokeTimers() override {
    if constexpr (requires(Server & s) { s.PokeTimers(); }) server_->PokeTimers();
  }

 private:
  std::unique_ptr<Server> server_;
};

// Opens the process's domain clock (clock::OpenDomainClock of the linked clock source).
using OpenClock = std::function<absl::StatusOr<std::unique_ptr<clock::DomainClock>>(
    const rpc::ServiceConfig& config)>;

// Starts the service from its configuration, reading domain time from `domain_clock` (which
// outlives the service). An INVALID_ARGUMENT status is a bad configuration (exit 2), anything
// else a failed start (exit 1).
using StartService = std::function<absl::StatusOr<std::unique_ptr<RunningService>>(
    const rpc::ServiceConfig& config, const clock::Clock& domain_clock)>;

int RunService(int argc, char** argv, absl::string_view service, const OpenClock& open_clock,
               const StartService& start);

// Adapts Server::Start(config, ...) returning StatusOr<unique_ptr<Server>>.
template <typename Server>
absl::StatusOr<std::unique_ptr<RunningService>> Running(
    absl::StatusOr<std::unique_ptr<Server>> server) {
  if (!server.ok()) return server.status();
  return std::unique_ptr<RunningService>(new RunningServer<Server>(*std::move(server)));
}

// Runs `drain` and ends the process with exit code 1 if it has not returned after `deadline`.
// Returns when `drain` does.
void DrainWithDeadline(const std::function<void()>& drain, absl::Duration deadline);

}  // namespace kpr::host

#endif  // KPR_LIBS_HOST_RUN_SERVICE_H_
