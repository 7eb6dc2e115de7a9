#ifndef KPR_BENCH_INTAKE_HANDLED_H_
#define KPR_BENCH_INTAKE_HANDLED_H_

#include "libs/observe/metrics.h"

namespace kpr::bench {

// Submissions the in-process kpr-referral has handled so far, whatever the outcome (an
// in-process counter: free to poll, unlike the stream).
inline double HandledSubmissions() {
  double sum = 0;
  for (const char* outcome : {"stored", "duplicate", "rejected", "dead_letter"}) {
    sum += observe::MetricsRegistry::Global()
               .GetCounter("kpr_referral_intake_total", "Intake submissions handled, by outcome",
                           {{"outcome", outcome}})
               .value();
  }
  return sum;
}

}  // namespace kpr::bench

#endif  // KPR_BENCH_INTAKE_HANDLED_H_
