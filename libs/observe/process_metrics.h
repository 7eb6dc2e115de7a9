#ifndef KPR_LIBS_OBSERVE_PROCESS_METRICS_H_
#define KPR_LIBS_OBSERVE_PROCESS_METRICS_H_

// The standard process metrics every Prometheus client exports (process_cpu_seconds_total,
// process_resident_memory_bytes, process_open_fds, process_start_time_seconds), read from /proc
// when /metrics is scraped, and kpr_build_info{version,commit}.

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace kpr::observe {

struct ProcessSample {
  double cpu_seconds = 0;         // user + system
  double start_time_seconds = 0;  // since the Unix epoch
  double resident_bytes = 0;
  double open_fds = 0;
};

// From the text of /proc/self/stat, the system's boot time (btime of /proc/stat, Unix seconds)
// and clock ticks per second; nullopt if the text does not parse. The memory and fd fields are
// left at 0 (they come from other files).
std::optional<ProcessSample> ParseProcStat(absl::string_view stat, double boot_time_seconds,
                                           double ticks_per_second);

// "btime 1733472000" of /proc/stat, in seconds; nullopt if missing.
std::optional<double> ParseBootTime(absl::string_view proc_stat);

// Reads /proc and sets the process_* metrics of the global registry. Called before every render
// of /metrics (and once at start, so they are there from the first scrape).
void UpdateProcessMetrics();

// Sets kpr_build_info{version,commit} to 1 (the values CMake baked in).
void RegisterBuildInfo();

}  // namespace kpr::observe

#endif  // KPR_LIBS_OBSERVE_PROCESS_METRICS_H_
