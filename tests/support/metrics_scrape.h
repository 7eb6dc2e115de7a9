#ifndef KPR_TESTS_SUPPORT_METRICS_SCRAPE_H_
#define KPR_TESTS_SUPPORT_METRICS_SCRAPE_H_

// Reads a running kpr process's /metrics from outside, as Prometheus would, for tests and
// benchmarks that check what a replica did.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace kpr::testing {

struct MetricSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

// The samples of metric `name` (exactly that name, not its _bucket/_sum/_count) on
// 127.0.0.1:http_port/metrics, parsed from the text format. Empty if the process does not answer.
std::vector<MetricSample> ScrapeMetric(int http_port, absl::string_view name);

// The sum of the samples whose labels include every one of `match`.
double SumMatching(const std::vector<MetricSample>& samples,
                   const std::map<std::string, std::string>& match);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_METRICS_SCRAPE_H_
