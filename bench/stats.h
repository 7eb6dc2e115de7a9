#ifndef KPR_BENCH_STATS_H_
#define KPR_BENCH_STATS_H_

#include <algorithm>
#include <vector>

namespace kpr::bench {

// The median of `values` (the upper one for an even count); 0 for none. Rounds on this shared
// machine swing widely, so the benchmarks report the median round.
inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace kpr::bench

#endif  // KPR_BENCH_STATS_H_
