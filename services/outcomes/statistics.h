#ifndef KPR_SERVICES_OUTCOMES_STATISTICS_H_
#define KPR_SERVICES_OUTCOMES_STATISTICS_H_

// Small statistics for the outcome reports: Student's t quantiles and the confidence interval
// of a mean from running sums (n, sum, sum of squares), which is all a tally keeps. Pure.

#include <optional>

namespace kpr::outcomes {

// Inverse CDF of Student's t with `df` > 0 degrees of freedom at 0 < p < 1, from the
// regularized incomplete beta function and bisection on a doubling bracket; accurate to well
// below 1e-6. NaN when an argument is out of range.
double StudentTQuantile(double p, double df);

struct MeanInterval {
  double mean = 0;
  double low = 0;
  double high = 0;
};

// Mean and two-sided `level` confidence interval of the mean (Student's t, n - 1 degrees of
// freedom, sample standard deviation) from n, the sum and the sum of squares. A variance that
// rounding made slightly negative counts as 0. nullopt when n < 2 or level is not in (0, 1).
std::optional<MeanInterval> MeanConfidenceInterval(double n, double sum, double sumsq,
                                                   double level = 0.95);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_STATISTICS_H_
