#include "tests/support/metrics_scrape.h"

#include <httplib.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kpr::testing {

std::vector<MetricSample> ScrapeMetric(int http_port, absl::string_view name) {
  std::vector<MetricSample> out;
  httplib::Client client("127.0.0.1", http_port);
  client.set_read_timeout(5, 0);
  auto res = client.Get("/metrics");
  if (!res || res->status != 200) return out;
  for (absl::string_view line : absl::StrSplit(res->body, '\n')) {
    // name{k="v",k2="v2"} value   or   name value
    if (!absl::ConsumePrefix(&line, name) || line.empty() || (line[0] != '{' && line[0] != ' ')) {
      continue;
    }
    MetricSample sample;
    if (line[0] == '{') {
      const size_t close = line.find("} ");
      if (close == absl::string_view::npos) continue;
      // kpr's label values hold no quotes or commas.
      for (absl::string_view pair : absl::StrSplit(line.substr(1, close - 1), ',')) {
        std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(pair, '=');
        absl::ConsumePrefix(&kv.second, "\"");
        absl::ConsumeSuffix(&kv.second, "\"");
        sample.labels[std::string(kv.first)] = std::string(kv.second);
      }
      line.remove_prefix(close + 1);
    }
    if (absl::SimpleAtod(absl::StripAsciiWhitespace(line), &sample.value)) {
      out.push_back(std::move(sample));
    }
  }
  return out;
}

double SumMatching(const std::vector<MetricSample>& samples,
                   const std::map<std::string, std::string>& match) {
  double sum = 0;
  for (const MetricSample& s : samples) {
    bool all = true;
    for (const auto& [k, v] : match) {
      const auto it = s.labels.find(k);
      all = all && it != s.labels.end() && it->second == v;
    }
    if (all) sum += s.value;
  }
  return sum;
}

}  // namespace kpr::testing
