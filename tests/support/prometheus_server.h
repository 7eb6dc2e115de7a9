#ifndef KPR_TESTS_SUPPORT_PROMETHEUS_SERVER_H_
#define KPR_TESTS_SUPPORT_PROMETHEUS_SERVER_H_

// Debian's prometheus on a free loopback port, scraping given targets every second and
// evaluating a rules file every second, for tests that read what an operator's Prometheus would
// see. Queries go through its HTTP API (/api/v1/query, /api/v1/alerts).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/harness/servers.h"

namespace kpr::testing {

struct PromSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromAlert {
  std::string name;
  std::string state;  // "pending" or "firing"
  std::map<std::string, std::string> labels;
};

class PrometheusServer {
 public:
  // `jobs`: job name -> "127.0.0.1:port" targets serving /metrics. `rules_yaml` is written to a
  // rules file as it is (empty: no rules).
  PrometheusServer(std::string dir, std::map<std::string, std::vector<std::string>> jobs,
                   std::string rules_yaml);
  ~PrometheusServer();

  // Starts it and waits until it answers /-/ready.
  absl::Status Start(absl::Duration timeout = absl::Seconds(30));
  int port() const { return port_; }
  std::string Log() const;

  // An instant query's vector result.
  absl::StatusOr<std::vector<PromSample>> Query(const std::string& promql);
  // The alerts now pending or firing.
  absl::StatusOr<std::vector<PromAlert>> Alerts();

 private:
  absl::StatusOr<std::string> Get(const std::string& path_and_query);

  std::string dir_;
  std::map<std::string, std::vector<std::string>> jobs_;
  std::string rules_yaml_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// Which of `alerts` are firing, by name.
std::vector<std::string> FiringNames(const std::vector<PromAlert>& alerts);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_PROMETHEUS_SERVER_H_
