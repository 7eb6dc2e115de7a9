#ifndef KPR_BENCH_CPU_USAGE_H_
#define KPR_BENCH_CPU_USAGE_H_

// Where a benchmark's time goes across processes: the CPU seconds this process, each child
// process (redis-server, nats-server, the kpr binaries it started) and the whole machine used,
// read from /proc. Linux only.

#include <map>
#include <string>

namespace kpr::bench {

// CPU seconds by process name ("self" for this process; children by their comm, summed over
// processes of one name), plus "machine busy", "machine idle" and "machine steal".
std::map<std::string, double> CpuSnapshot();

// One line per process that used CPU between the snapshots: seconds, per item of `n`, and share
// of a core over `seconds`. On stderr.
void PrintCpu(const std::map<std::string, double>& before,
              const std::map<std::string, double>& after, int n, double seconds);

}  // namespace kpr::bench

#endif  // KPR_BENCH_CPU_USAGE_H_
