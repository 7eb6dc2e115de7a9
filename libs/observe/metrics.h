#ifndef KPR_LIBS_OBSERVE_METRICS_H_
#define KPR_LIBS_OBSERVE_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"

namespace kpr::observe {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Monotonic counter. Lock-free.
class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Negative and NaN increments are ignored: a counter only goes up.
  void Increment(double v = 1);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// A value that goes up and down. Lock-free.
class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Histogram with fixed upper bounds (rendered as cumulative "le" buckets, _sum and _count).
// Lock-free.
class Histogram {
 public:
  // `bounds`: upper bounds; sorted and de-duplicated here; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void Observe(double value);  // NaN counts in the +Inf bucket only

  const std::vector<double>& bounds() const { return bounds_; }
  // Cumulative counts, one per bound plus the +Inf bucket (== count()).
  std::vector<uint64_t> CumulativeCounts() const;
  uint64_t count() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Seconds: .0005 .001 .0025 .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10
std::vector<double> DefaultLatencyBuckets();

// Metric families by name, each with series by label set. Registration takes a mutex; the
// returned references stay valid for the registry's lifetime (forever for Global()), so look a
// metric up once and keep the reference on hot paths.
//
// Programming errors abort with a message on stderr (they show up in the first test run): an
// invalid metric or label name, a label named "le" on a histogram, a duplicate label name, or
// one name registered with two types. Label order does not matter (labels are sorted by name).
// For an existing series the help text and buckets of the first registration win.
class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  static MetricsRegistry& Global();

  Counter& GetCounter(absl::string_view name, absl::string_view help,
                      const MetricLabels& labels = {});
  Gauge& GetGauge(absl::string_view name, absl::string_view help, const MetricLabels& labels = {});
  Histogram& GetHistogram(absl::string_view name, absl::string_view help,
                          const MetricLabels& labels = {},
                          std::vector<double> buckets = DefaultLatencyBuckets());

  // Prometheus text exposition format 0.0.4: families sorted by name, series by label set;
  // "# HELP" and "# TYPE" once per family.
  std::string RenderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Series {
    MetricLabels labels;  // sorted by name
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
  };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, Series> series;  // key: encoded sorted labels
  };

  Series& GetSeries(absl::string_view name, absl::string_view help, Type type,
                    const MetricLabels& labels) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // std::mutex: Debian's Abseil is not TSAN-instrumented (see log.cc).
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_METRICS_H_
