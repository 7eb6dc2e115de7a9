#include "libs/observe/process_metrics.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "libs/observe/metrics.h"

namespace kpr::observe {
namespace {

// A real /proc/self/stat line, with a command that holds a space and a parenthesis.
constexpr absl::string_view kStat =
    "4242 (kpr (referral) S 1 4242 4242 0 -1 4194560 2000 0 0 0 250 75 0 0 20 0 9 0 123400 "
    "523456512 4096 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetrics, ParsesCpuAndStartTimeAfterTheLastParenthesis) {
  auto s = ParseProcStat(kStat, /*boot_time_seconds=*/1'700'000'000, /*ticks_per_second=*/100);
  ASSERT_TRUE(s.has_value());
  EXPECT_DOUBLE_EQ(s->cpu_seconds, 3.25);  // (250 + 75) ticks
  EXPECT_DOUBLE_EQ(s->start_time_seconds, 1'700'000'000 + 1234.0);
}

TEST(ProcessMetrics, RefusesWhatIsNotAStatLine) {
  EXPECT_FALSE(ParseProcStat("", 0, 100).has_value());
  EXPECT_FALSE(ParseProcStat("4242 (kpr) S 1 2 3", 0, 100).has_value());
  EXPECT_FALSE(ParseProcStat(kStat, 0, 0).has_value());
}

TEST(ProcessMetrics, FindsTheBootTime) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1733472000\nprocesses 9\n"), 1733472000);
  EXPECT_FALSE(ParseBootTime("cpu  1 2 3\n").has_value());
}

TEST(ProcessMetrics, ExportsThisProcessFromProc) {
  UpdateProcessMetrics();
  RegisterBuildInfo();
  const std::string text = MetricsRegistry::Global().RenderPrometheus();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_open_fds ", "process_start_time_seconds ", "kpr_build_info{"}) {
    EXPECT_TRUE(absl::StrContains(text, name)) << name << " missing in\n" << text;
  }
  MetricsRegistry& r = MetricsRegistry::Global();
  EXPECT_GT(r.GetGauge("process_resident_memory_bytes", "").value(), 1 << 20);
  EXPECT_GE(r.GetGauge("process_open_fds", "").value(), 3);  // stdin, stdout, stderr
  // Started within the last hour (this test), not at the epoch or in the future.
  const double start = r.GetGauge("process_start_time_seconds", "").value();
  const double now = static_cast<double>(time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 3600);
  // CPU time only grows between two scrapes.
  const double cpu = r.GetCounter("process_cpu_seconds_total", "").value();
  volatile double spin = 0;
  for (int i = 0; i < 20'000'000; ++i) spin = spin + i;
  UpdateProcessMetrics();
  EXPECT_GT(r.GetCounter("process_cpu_seconds_total", "").value(), cpu);
}

}  // namespace
}  // namespace kpr::observe
