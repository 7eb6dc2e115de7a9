#include "services/scheduling/plan_assign.h"

#include <algorithm>
#include <cstddef>
#include <limits>

namespace kpr::scheduling::plan {

std::vector<int> MinCostAssignment(int rows, int cols, const std::vector<double>& cost) {
  // Shortest augmenting paths with row/column potentials u, v (1-based; column 0 is a
  // sentinel). match[j]: the row holding column j.
  const double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> u(rows + 1, 0), v(cols + 1, 0), min_slack(cols + 1);
  std::vector<int> match(cols + 1, 0), way(cols + 1, 0);
  std::vector<char> done(cols + 1);
  for (int i = 1; i <= rows; ++i) {
    match[0] = i;
    int j0 = 0;
    std::fill(min_slack.begin(), min_slack.end(), kInf);
    std::fill(done.begin(), done.end(), 0);
    do {
      done[j0] = 1;
      const int i0 = match[j0];
      double delta = kInf;
      int j1 = 0;
      for (int j = 1; j <= cols; ++j) {
        if (done[j]) continue;
        const double slack = cost[static_cast<size_t>(i0 - 1) * cols + (j - 1)] - u[i0] - v[j];
        if (slack < min_slack[j]) {
          min_slack[j] = slack;
          way[j] = j0;
        }
        if (min_slack[j] < delta) {
          delta = min_slack[j];
          j1 = j;
        }
      }
      for (int j = 0; j <= cols; ++j) {
        if (done[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else {
          min_slack[j] -= delta;
        }
      }
      j0 = j1;
    } while (match[j0] != 0);
    do {
      const int j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0 != 0);
  }
  std::vector<int> out(rows, -1);
  for (int j = 1; j <= cols; ++j) {
    if (match[j] != 0) out[match[j] - 1] = j - 1;
  }
  return out;
}

}  // namespace kpr::scheduling::plan
