#include "libs/rpc/lifecycle.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "absl/base/const_init.h"

namespace kpr::rpc {
namespace {

ABSL_CONST_INIT absl::Mutex signal_mu(absl::kConstInit);
bool installed ABSL_GUARDED_BY(signal_mu) = false;
bool requested ABSL_GUARDED_BY(signal_mu) = false;

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

void SignalLoop() {
  const sigset_t set = ShutdownSignals();
  while (true) {
    int signal_number = 0;
    if (sigwait(&set, &signal_number) != 0) continue;
    absl::MutexLock lock(&signal_mu);
    if (requested) std::_Exit(128 + signal_number);  // second signal: stop waiting
    requested = true;
  }
}

}  // namespace

void ShutdownSignal::Install() {
  absl::MutexLock lock(&signal_mu);
  if (installed) return;
  installed = true;
  const sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  // Lives for the whole process: it only ever waits in sigwait().
  std::thread(SignalLoop).detach();
}

bool ShutdownSignal::Requested() {
  absl::MutexLock lock(&signal_mu);
  return requested;
}

void ShutdownSignal::WaitForShutdown() {
  absl::MutexLock lock(&signal_mu);
  signal_mu.Await(absl::Condition(&requested));
}

void ShutdownSignal::RequestForTest() {
  absl::MutexLock lock(&signal_mu);
  requested = true;
}

HealthMonitor::HealthMonitor(std::vector<std::pair<std::string, Check>> checks,
                             absl::Duration interval, std::function<void(bool healthy)> on_change)
    : checks_(std::move(checks)), interval_(interval), on_change_(std::move(on_change)) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::Start() {
  RunOnce(/*first=*/true);
  thread_ = std::thread([this] { Loop(); });
}

void HealthMonitor::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

bool HealthMonitor::healthy() const {
  absl::MutexLock lock(&mu_);
  return healthy_;
}

std::vector<std::string> HealthMonitor::FailingChecks() const {
  absl::MutexLock lock(&mu_);
  return failing_;
}

void HealthMonitor::RunOnce(bool first) {
  std::vector<std::string> failing;
  for (const auto& [name, check] : checks_) {
    if (!check()) failing.push_back(name);
  }
  const bool healthy = failing.empty();
  bool changed;
  {
    absl::MutexLock lock(&mu_);
    changed = first || healthy != healthy_;
    healthy_ = healthy;
    failing_ = std::move(failing);
  }
  // Outside the lock so on_change may call healthy() / FailingChecks().
  if (changed && on_change_) on_change_(healthy);
}

void HealthMonitor::Loop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_)) return;
    }
    RunOnce(/*first=*/false);
  }
}

}  // namespace kpr::rpc
