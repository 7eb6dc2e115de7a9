#include "libs/observe/process_metrics.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "libs/observe/metrics.h"

#ifndef KPR_VERSION
#define KPR_VERSION "unknown"
#endif
#ifndef KPR_COMMIT
#define KPR_COMMIT "unknown"
#endif

namespace kpr::observe {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

std::optional<ProcessSample> ParseProcStat(absl::string_view stat, double boot_time_seconds,
                                           double ticks_per_second) {
  // "pid (comm) state ppid ...": the command may hold spaces and parentheses, so split after
  // the last ')'. Then field 3 (state) is [0]; utime (14) [11], stime (15) [12], starttime (22)
  // [19].
  const size_t close = stat.rfind(')');
  if (close == absl::string_view::npos || close + 2 > stat.size() || ticks_per_second <= 0) {
    return std::nullopt;
  }
  std::vector<absl::string_view> f = absl::StrSplit(stat.substr(close + 2), ' ', absl::SkipEmpty());
  double utime = 0, stime = 0, start = 0;
  if (f.size() < 20 || !absl::SimpleAtod(f[11], &utime) || !absl::SimpleAtod(f[12], &stime) ||
      !absl::SimpleAtod(f[19], &start)) {
    return std::nullopt;
  }
  ProcessSample s;
  s.cpu_seconds = (utime + stime) / ticks_per_second;
  s.start_time_seconds = boot_time_seconds + start / ticks_per_second;
  return s;
}

std::optional<double> ParseBootTime(absl::string_view proc_stat) {
  for (absl::string_view line : absl::StrSplit(proc_stat, '\n')) {
    if (!absl::ConsumePrefix(&line, "btime ")) continue;
    double v = 0;
    if (absl::SimpleAtod(line, &v)) return v;
  }
  return std::nullopt;
}

void UpdateProcessMetrics() {
  MetricsRegistry& r = MetricsRegistry::Global();
  static const double kBootTime = ParseBootTime(ReadFile("/proc/stat")).value_or(0);
  static const double kTicks = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::optional<ProcessSample> s = ParseProcStat(ReadFile("/proc/self/stat"), kBootTime, kTicks);
  if (!s.has_value()) return;
  // statm: size resident shared ... in pages.
  std::vector<std::string> statm = absl::StrSplit(ReadFile("/proc/self/statm"), ' ');
  double pages = 0;
  if (statm.size() > 1 && absl::SimpleAtod(statm[1], &pages)) {
    s->resident_bytes = pages * static_cast<double>(sysconf(_SC_PAGESIZE));
  }
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    s->open_fds += 1;
  }
  Counter& cpu =
      r.GetCounter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.");
  cpu.Increment(s->cpu_seconds - cpu.value());  // a counter only goes up; /proc does too
  r.GetGauge("process_resident_memory_bytes", "Resident memory size in bytes.")
      .Set(s->resident_bytes);
  r.GetGauge("process_open_fds", "Number of open file descriptors.").Set(s->open_fds);
  r.GetGauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.")
      .Set(s->start_time_seconds);
}

void RegisterBuildInfo() {
  MetricsRegistry::Global()
      .GetGauge("kpr_build_info", "The kpr version and git commit this binary was built from",
                {{"version", KPR_VERSION}, {"commit", KPR_COMMIT}})
      .Set(1);
}

}  // namespace kpr::observe
