#ifndef KPR_TESTS_SUPPORT_SUITE_PROCESSES_H_
#define KPR_TESTS_SUPPORT_SUITE_PROCESSES_H_

// All four kpr services as child processes, any number of replicas each, against the harness's
// NATS and Redis or against given ones (a NATS cluster, a Redis Cluster). Callers between
// services and from the tests balance over the replicas: each service's gRPC target is an
// `ipv4:` list of its replicas. kpr-notify's outside world is the harness's SMS gateway
// simulator and SMTP sink.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "tests/support/referral_testing.h"
#include "tests/support/semester.h"

namespace kpr::testing {

struct SuiteOptions {
  int replicas = 1;                        // of every service
  bool simulated_clock = true;             // run kpr-<service>-sim
  std::string nats_url;                    // default: the harness's server
  std::string redis_url;                   // default: the harness's server
  std::map<std::string, std::string> env;  // for every process (overrides the defaults)
};

class SuiteProcesses {
 public:
  static constexpr const char* kServices[] = {"referral", "scheduling", "outcomes", "notify"};

  SuiteProcesses(const Secrets& secrets, SuiteOptions options);
  ~SuiteProcesses();  // SIGTERM to everything still running

  // Starts every replica (referral first, since the others call it) and waits until each is
  // SERVING with its consumers running.
  absl::Status Start();
  void TerminateAll();

  // Replica `i` of `service`.
  ServiceProcess& replica(const std::string& service, int i) {
    return *processes_.at(service).at(i);
  }
  int replicas() const { return options_.replicas; }
  // "ipv4:127.0.0.1:a,127.0.0.1:b,..." over the service's replicas.
  std::string Target(const std::string& service) const;
  // Where the semester driver finds the suite.
  SuiteEndpoints Endpoints() const;
  // The first `max_each` bytes of every process's log.
  std::string Logs(size_t max_each = 6000) const;

 private:
  std::map<std::string, std::string> EnvFor(const std::string& service) const;

  Secrets secrets_;
  SuiteOptions options_;
  std::map<std::string, std::vector<std::unique_ptr<ServiceProcess>>> processes_;
};

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SUITE_PROCESSES_H_
