#include "libs/observe/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace kpr::observe {
namespace {

[[noreturn]] void Die(absl::string_view what, absl::string_view name) {
  std::fprintf(stderr, "kpr::observe::MetricsRegistry: %.*s: \"%.*s\"\n",
               static_cast<int>(what.size()), what.data(), static_cast<int>(name.size()),
               name.data());
  std::abort();
}

bool IsValidName(absl::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Prometheus float format: shortest round-trip, "+Inf", "-Inf", "NaN".
void AppendValue(std::string& out, double v) {
  if (std::isnan(v)) {
    out.append("NaN");
  } else if (std::isinf(v)) {
    out.append(v > 0 ? "+Inf" : "-Inf");
  } else {
    // Whole numbers as integers ("1000000", not "1e+06"); otherwise the shortest round-trip
    // form in %g style ("0.0005", not "5e-04").
    char buf[64];
    auto result = std::abs(v) < 9007199254740992.0 && v == std::trunc(v)
                      ? std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v))
                      : std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general);
    out.append(buf, result.ptr);
  }
}

// Label values escape backslash, double quote and newline; help text backslash and newline.
void AppendEscaped(std::string& out, absl::string_view s, bool escape_quote) {
  for (char c : s) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '"' && escape_quote) {
      out.append("\\\"");
    } else {
      out.push_back(c);
    }
  }
}

// `{a="x",b="y"}` plus an optional extra label (histogram "le"); nothing if there are none.
void AppendLabels(std::string& out, const MetricLabels& labels, absl::string_view extra_name = {},
                  absl::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return;
  out.push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out.push_back(',');
    first = false;
    out.append(name);
    out.append("=\"");
    AppendEscaped(out, value, /*escape_quote=*/true);
    out.push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out.push_back(',');
    out.append(extra_name.data(), extra_name.size());
    out.append("=\"");
    out.append(extra_value.data(), extra_value.size());
    out.push_back('"');
  }
  out.push_back('}');
}

}  // namespace

void Counter::Increment(double v) {
  if (!(v >= 0)) return;
  value_.fetch_add(v, std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  bounds_.erase(std::remove_if(bounds_.begin(), bounds_.end(),
                               [](double b) { return std::isnan(b) || std::isinf(b); }),
                bounds_.end());
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  size_t index = bounds_.size();  // +Inf
  if (!std::isnan(value)) {
    // First bound >= value: Prometheus buckets are "less than or equal".
    index = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  }
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::CumulativeCounts() const {
  std::vector<uint64_t> counts(bounds_.size() + 1);
  uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    counts[i] = running;
  }
  return counts;
}

uint64_t Histogram::count() const { return CumulativeCounts().back(); }

std::vector<double> DefaultLatencyBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry& MetricsRegistry::Global() {
  static MetricsRegistry* registry = new MetricsRegistry();  // never destroyed
  return *registry;
}

MetricsRegistry::Series& MetricsRegistry::GetSeries(absl::string_view name, absl::string_view help,
                                                    Type type, const MetricLabels& labels) {
  if (!IsValidName(name, /*allow_colon=*/true)) Die("invalid metric name", name);
  MetricLabels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::string key;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const std::string& label = sorted[i].first;
    if (!IsValidName(label, /*allow_colon=*/false) ||
        absl::string_view(label).substr(0, 2) == "__") {
      Die("invalid label name", label);
    }
    if (i > 0 && sorted[i - 1].first == label) Die("duplicate label name", label);
    if (type == Type::kHistogram && label == "le") Die("histogram label \"le\" is reserved", name);
    // Length-prefixed so that no two label sets share a key.
    absl::StrAppend(&key, label.size(), ":", label, sorted[i].second.size(), ":", sorted[i].second,
                    ";");
  }
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}}).first;
  } else if (it->second.type != type) {
    Die("metric registered with two types", name);
  }
  auto [series_it, inserted] = it->second.series.try_emplace(std::move(key));
  if (inserted) series_it->second.labels = std::move(sorted);
  return series_it->second;
}

Counter& MetricsRegistry::GetCounter(absl::string_view name, absl::string_view help,
                                     const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& series = GetSeries(name, help, Type::kCounter, labels);
  if (!series.counter) series.counter = std::make_unique<Counter>();
  return *series.counter;
}

Gauge& MetricsRegistry::GetGauge(absl::string_view name, absl::string_view help,
                                 const MetricLabels& labels) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& series = GetSeries(name, help, Type::kGauge, labels);
  if (!series.gauge) series.gauge = std::make_unique<Gauge>();
  return *series.gauge;
}

Histogram& MetricsRegistry::GetHistogram(absl::string_view name, absl::string_view help,
                                         const MetricLabels& labels, std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& series = GetSeries(name, help, Type::kHistogram, labels);
  if (!series.histogram) series.histogram = std::make_unique<Histogram>(std::move(buckets));
  return *series.histogram;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, family] : families_) {
    out.append("# HELP ");
    out.append(name);
    out.push_back(' ');
    AppendEscaped(out, family.help, /*escape_quote=*/false);
    out.append("\n# TYPE ");
    out.append(name);
    switch (family.type) {
      case Type::kCounter:
        out.append(" counter\n");
        break;
      case Type::kGauge:
        out.append(" gauge\n");
        break;
      case Type::kHistogram:
        out.append(" histogram\n");
        break;
    }
    for (const auto& [key, series] : family.series) {
      if (family.type == Type::kHistogram) {
        const Histogram& h = *series.histogram;
        const std::vector<uint64_t> counts = h.CumulativeCounts();
        for (size_t i = 0; i < counts.size(); ++i) {
          std::string le;
          if (i < h.bounds().size()) {
            AppendValue(le, h.bounds()[i]);
          } else {
            le = "+Inf";
          }
          out.append(name);
          out.append("_bucket");
          AppendLabels(out, series.labels, "le", le);
          absl::StrAppend(&out, " ", counts[i], "\n");
        }
        out.append(name);
        out.append("_sum");
        AppendLabels(out, series.labels);
        out.push_back(' ');
        AppendValue(out, h.sum());
        out.push_back('\n');
        out.append(name);
        out.append("_count");
        AppendLabels(out, series.labels);
        absl::StrAppend(&out, " ", counts.back(), "\n");
      } else {
        out.append(name);
        AppendLabels(out, series.labels);
        out.push_back(' ');
        AppendValue(
            out, family.type == Type::kCounter ? series.counter->value() : series.gauge->value());
        out.push_back('\n');
      }
    }
  }
  return out;
}

}  // namespace kpr::observe
