#include "libs/observe/metrics.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kpr::observe {
namespace {

TEST(MetricsTest, RendersCounterGaugeHistogramExactly) {
  MetricsRegistry registry;
  registry
      .GetCounter("kpr_events_total", "Events handled.",
                  {{"type", "accepted"}, {"municipality", "0101"}})
      .Increment();
  registry
      .GetCounter("kpr_events_total", "Events handled.",
                  {{"municipality", "0101"}, {"type", "accepted"}})  // same series
      .Increment(2);
  registry.GetCounter("kpr_events_total", "ignored help", {{"type", "say \"hi\"\\\n"}})
      .Increment(0.5);
  registry.GetGauge("kpr_queue_depth", "Depth of the queue.\nSecond line \\ here.").Set(-3);
  registry.GetGauge("kpr_big", "Big.").Set(1e6);
  registry.GetGauge("kpr_huge", "Huge.").Set(1e300);
  Histogram& h =
      registry.GetHistogram("kpr_latency_seconds", "Latency.", {{"op", "get"}}, {1, 0.125, 0.5});
  h.Observe(0.0625);
  h.Observe(0.125);  // le is inclusive
  h.Observe(0.25);
  h.Observe(7);

  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP kpr_big Big.\n"
            "# TYPE kpr_big gauge\n"
            "kpr_big 1000000\n"
            "# HELP kpr_events_total Events handled.\n"
            "# TYPE kpr_events_total counter\n"
            "kpr_events_total{municipality=\"0101\",type=\"accepted\"} 3\n"
            "kpr_events_total{type=\"say \\\"hi\\\"\\\\\\n\"} 0.5\n"
            "# HELP kpr_huge Huge.\n"
            "# TYPE kpr_huge gauge\n"
            "kpr_huge 1e+300\n"
            "# HELP kpr_latency_seconds Latency.\n"
            "# TYPE kpr_latency_seconds histogram\n"
            "kpr_latency_seconds_bucket{op=\"get\",le=\"0.125\"} 2\n"
            "kpr_latency_seconds_bucket{op=\"get\",le=\"0.5\"} 3\n"
            "kpr_latency_seconds_bucket{op=\"get\",le=\"1\"} 3\n"
            "kpr_latency_seconds_bucket{op=\"get\",le=\"+Inf\"} 4\n"
            "kpr_latency_seconds_sum{op=\"get\"} 7.4375\n"
            "kpr_latency_seconds_count{op=\"get\"} 4\n"
            "# HELP kpr_queue_depth Depth of the queue.\\nSecond line \\\\ here.\n"
            "# TYPE kpr_queue_depth gauge\n"
            "kpr_queue_depth -3\n");
}

TEST(MetricsTest, HistogramWithoutLabelsAndDefaultBuckets) {
  MetricsRegistry registry;
  Histogram& h = registry.GetHistogram("lat", "L.");
  EXPECT_EQ(h.bounds(), DefaultLatencyBuckets());
  EXPECT_EQ(DefaultLatencyBuckets(), (std::vector<double>{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}));
  h.Observe(0.0004);
  std::string text = registry.RenderPrometheus();
  EXPECT_NE(text.find("lat_bucket{le=\"0.0005\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{le=\"2.5\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_bucket{le=\"+Inf\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_sum 0.0004\nlat_count 1\n"), std::string::npos) << text;
}

TEST(MetricsTest, SameNameAndLabelsReturnSameObject) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("c", "h", {{"k", "v"}});
  Counter& b = registry.GetCounter("c", "h", {{"k", "v"}});
  Counter& other = registry.GetCounter("c", "h", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  // References survive many later registrations.
  for (int i = 0; i < 1000; ++i) registry.GetCounter("c", "h", {{"k", std::to_string(i)}});
  a.Increment();
  EXPECT_EQ(registry.GetCounter("c", "h", {{"k", "v"}}).value(), 1);
  EXPECT_EQ(&registry.GetGauge("g", "h"), &registry.GetGauge("g", "h"));
  EXPECT_EQ(&registry.GetHistogram("hh", "h"), &registry.GetHistogram("hh", "h"));
}

TEST(MetricsTest, CounterIgnoresNegativeIncrementsGaugeAdds) {
  MetricsRegistry registry;
  Counter& c = registry.GetCounter("c", "h");
  c.Increment(2);
  c.Increment(-5);
  EXPECT_EQ(c.value(), 2);
  Gauge& g = registry.GetGauge("g", "h");
  g.Set(10);
  g.Add(-2.5);
  EXPECT_EQ(g.value(), 7.5);
}

TEST(MetricsTest, ConcurrentIncrementsSumExactly) {
  MetricsRegistry registry;
  constexpr int kThreads = 8, kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry] {
      // Each thread looks the metrics up itself: registration races too.
      Counter& c = registry.GetCounter("hits_total", "Hits.", {{"path", "/x"}});
      Gauge& g = registry.GetGauge("level", "Level.");
      Histogram& h = registry.GetHistogram("size", "Size.", {}, {1, 2});
      for (int i = 0; i < kPerThread; ++i) {
        c.Increment();
        g.Add(1);
        h.Observe(i % 3);  // 0, 1, 2
      }
    });
  }
  for (auto& th : threads) th.join();
  const double total = static_cast<double>(kThreads) * kPerThread;
  EXPECT_EQ(registry.GetCounter("hits_total", "Hits.", {{"path", "/x"}}).value(), total);
  EXPECT_EQ(registry.GetGauge("level", "Level.").value(), total);
  Histogram& h = registry.GetHistogram("size", "Size.", {}, {1, 2});
  EXPECT_EQ(h.count(), static_cast<uint64_t>(total));
  std::vector<uint64_t> cumulative = h.CumulativeCounts();
  ASSERT_EQ(cumulative.size(), 3u);
  // Per thread: i%3==0 -> 33334, ==1 -> 33333, ==2 -> 33333.
  EXPECT_EQ(cumulative[0], 8u * (33334 + 33333));
  EXPECT_EQ(cumulative[1], 8u * 100000);
  EXPECT_EQ(h.sum(), 8.0 * (33333 * 1 + 33333 * 2));
}

TEST(MetricsDeathTest, ProgrammingErrorsAbort) {
  MetricsRegistry registry;
  registry.GetCounter("dup", "h");
  EXPECT_DEATH(registry.GetGauge("dup", "h"), "two types");
  EXPECT_DEATH(registry.GetCounter("bad-name", "h"), "invalid metric name");
  EXPECT_DEATH(registry.GetCounter("ok", "h", {{"bad label", "v"}}), "invalid label name");
  EXPECT_DEATH(registry.GetHistogram("hist", "h", {{"le", "1"}}), "reserved");
}

TEST(MetricsTest, GlobalIsOneInstance) {
  EXPECT_EQ(&MetricsRegistry::Global(), &MetricsRegistry::Global());
}

}  // namespace
}  // namespace kpr::observe
