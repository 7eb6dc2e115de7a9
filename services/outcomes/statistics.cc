#include "services/outcomes/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kpr::outcomes {
namespace {

// Continued fraction of the incomplete beta function (modified Lentz), for x < (a+1)/(a+b+2).
double BetaContinuedFraction(double a, double b, double x) {
  constexpr int kMaxIterations = 100000;
  constexpr double kEpsilon = 1e-16;
  constexpr double kTiny = 1e-300;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= kMaxIterations; ++m) {
    const int m2 = 2 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::fabs(step - 1) < kEpsilon) break;
  }
  return h;
}

// Regularized incomplete beta I_x(a, b); y = 1 - x is passed separately so that it keeps its
// precision when x is close to 1.
double RegularizedIncompleteBeta(double a, double b, double x, double y) {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log(y);
  if (x < (a + 1) / (a + b + 2)) {
    return std::exp(log_front) * BetaContinuedFraction(a, b, x) / a;
  }
  return 1 - std::exp(log_front) * BetaContinuedFraction(b, a, y) / b;
}

// P(T > t) for t >= 0, computed directly (no 1 - CDF) so far tails keep their precision.
double UpperTail(double t, double df) {
  const double t2 = t * t;
  return 0.5 * RegularizedIncompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

}  // namespace

double StudentTQuantile(double p, double df) {
  if (!(p > 0 && p < 1 && df > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.5) return 0;
  const double tail = p < 0.5 ? p : 1 - p;
  // The tail falls monotonically in t: double the bracket until it holds the root, then bisect.
  double low = 0, high = 1;
  while (UpperTail(high, df) > tail) {
    low = high;
    high *= 2;
    if (std::isinf(high)) return p < 0.5 ? -high : high;
  }
  for (int i = 0; i < 2000 && high - low > 1e-14 * high; ++i) {
    const double mid = low + (high - low) / 2;
    if (mid <= low || mid >= high) break;
    (UpperTail(mid, df) > tail ? low : high) = mid;
  }
  const double t = low + (high - low) / 2;
  return p < 0.5 ? -t : t;
}

std::optional<MeanInterval> MeanConfidenceInterval(double n, double sum, double sumsq,
                                                   double level) {
  if (!(n >= 2) || !(level > 0 && level < 1)) return std::nullopt;
  const double mean = sum / n;
  // Sums of squares lose a little to rounding; a true variance is never negative.
  const double variance = std::max(0.0, (sumsq - sum * mean) / (n - 1));
  const double half = StudentTQuantile((1 + level) / 2, n - 1) * std::sqrt(variance / n);
  return MeanInterval{mean, mean - half, mean + half};
}

}  // namespace kpr::outcomes
