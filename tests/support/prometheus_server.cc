#include "tests/support/prometheus_server.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

std::map<std::string, std::string> Labels(const nlohmann::json& metric) {
  std::map<std::string, std::string> labels;
  for (const auto& [k, v] : metric.items()) labels[k] = v.get<std::string>();
  return labels;
}

}  // namespace

PrometheusServer::PrometheusServer(std::string dir,
                                   std::map<std::string, std::vector<std::string>> jobs,
                                   std::string rules_yaml)
    : dir_(std::move(dir)), jobs_(std::move(jobs)), rules_yaml_(std::move(rules_yaml)) {}

PrometheusServer::~PrometheusServer() {
  if (process_) process_->Signal(15, absl::Seconds(10));
}

absl::Status PrometheusServer::Start(absl::Duration timeout) {
  std::string config = "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n";
  if (!rules_yaml_.empty()) {
    WriteFile(dir_ + "/rules.yaml", rules_yaml_);
    absl::StrAppend(&config, "rule_files:\n  - ", dir_, "/rules.yaml\n");
  }
  absl::StrAppend(&config, "scrape_configs:\n");
  for (const auto& [job, targets] : jobs_) {
    absl::StrAppend(&config, "  - job_name: ", job, "\n    static_configs:\n      - targets: [\"",
                    absl::StrJoin(targets, "\", \""), "\"]\n");
  }
  WriteFile(dir_ + "/prometheus.yml", config);
  port_ = FreePort();
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{FindBinary({"/usr/bin/prometheus"}),
                               absl::StrCat("--config.file=", dir_, "/prometheus.yml"),
                               absl::StrCat("--storage.tsdb.path=", dir_, "/data"),
                               absl::StrCat("--web.listen-address=127.0.0.1:", port_),
                               "--log.level=warn"},
      std::map<std::string, std::string>{}, dir_ + "/prometheus.log");
  if (absl::Status st = process_->Start(); !st.ok()) return st;
  for (absl::Time end = absl::Now() + timeout; absl::Now() < end;) {
    if (Get("/-/ready").ok()) return absl::OkStatus();
    if (!process_->Running()) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  return absl::UnavailableError(absl::StrCat("prometheus is not ready:\n", Log()));
}

std::string PrometheusServer::Log() const { return process_ ? process_->ReadLog() : ""; }

absl::StatusOr<std::string> PrometheusServer::Get(const std::string& path_and_query) {
  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(2);
  client.set_read_timeout(10);
  httplib::Result result = client.Get(path_and_query.c_str());
  if (!result) return absl::UnavailableError(absl::StrCat("GET ", path_and_query, " failed"));
  if (result->status != 200) {
    return absl::InternalError(
        absl::StrCat("GET ", path_and_query, ": ", result->status, " ", result->body));
  }
  return result->body;
}

absl::StatusOr<std::vector<PromSample>> PrometheusServer::Query(const std::string& promql) {
  absl::StatusOr<std::string> body =
      Get(absl::StrCat("/api/v1/query?query=", httplib::detail::encode_query_param(promql)));
  if (!body.ok()) return body.status();
  nlohmann::json reply = nlohmann::json::parse(*body, nullptr, false);
  if (reply.is_discarded() || reply.value("status", "") != "success" ||
      reply["data"].value("resultType", "") != "vector") {
    return absl::InternalError(absl::StrCat(promql, ": ", *body));
  }
  std::vector<PromSample> samples;
  for (const auto& r : reply["data"]["result"]) {
    PromSample s;
    s.labels = Labels(r["metric"]);
    if (!absl::SimpleAtod(r["value"][1].get<std::string>(), &s.value)) {
      return absl::InternalError(absl::StrCat(promql, ": not a number in ", *body));
    }
    samples.push_back(std::move(s));
  }
  return samples;
}

absl::StatusOr<std::vector<PromAlert>> PrometheusServer::Alerts() {
  absl::StatusOr<std::string> body = Get("/api/v1/alerts");
  if (!body.ok()) return body.status();
  nlohmann::json reply = nlohmann::json::parse(*body, nullptr, false);
  if (reply.is_discarded() || reply.value("status", "") != "success") {
    return absl::InternalError(*body);
  }
  std::vector<PromAlert> alerts;
  for (const auto& a : reply["data"]["alerts"]) {
    PromAlert alert;
    alert.labels = Labels(a["labels"]);
    alert.name = alert.labels["alertname"];
    alert.state = a.value("state", "");
    alerts.push_back(std::move(alert));
  }
  return alerts;
}

std::vector<std::string> FiringNames(const std::vector<PromAlert>& alerts) {
  std::vector<std::string> names;
  for (const PromAlert& a : alerts) {
    if (a.state == "firing") names.push_back(a.name);
  }
  return names;
}

}  // namespace kpr::testing
