#ifndef KPR_LIBS_SUPPRESSION_SUPPRESSION_CHECKER_TESTING_H_
#define KPR_LIBS_SUPPRESSION_SUPPRESSION_CHECKER_TESTING_H_

// For tests only: an attacker's exhaustive check of a suppressed table, independent of
// SuppressionTable. Searches all non-negative integer assignments of the suppressed (unknown)
// cells, each at most the largest value in the table, that satisfy every equation given the
// shown cells, and reports the suppressed cells that take only one value across them. Complete
// depth-first search with interval propagation (prunes, never skips a solution).

#include <algorithm>
#include <numeric>
#include <utility>
#include <vector>

namespace kpr::suppression::testing {

struct Equation {
  int total;
  std::vector<int> parts;
};

class Checker {
 public:
  Checker(const std::vector<int>& values, const std::vector<bool>& suppressed,
          const std::vector<Equation>& equations)
      : values_(values) {
    std::vector<int> var(values.size(), -1);
    for (size_t i = 0; i < values.size(); ++i) {
      bound_ = std::max(bound_, values[i]);
      if (suppressed[i]) {
        var[i] = static_cast<int>(cells_.size());
        cells_.push_back(static_cast<int>(i));
      }
    }
    for (const Equation& e : equations) {
      Constraint c;
      auto add = [&](int cell, int sign) {
        if (var[cell] >= 0) {
          c.terms.push_back({var[cell], sign});
        } else {
          c.rhs -= sign * values[cell];
        }
      };
      add(e.total, 1);
      for (int part : e.parts) add(part, -1);
      constraints_.push_back(c);
    }
    // Connected components: a search only needs to branch inside the one it asks about.
    component_.resize(cells_.size());
    for (size_t v = 0; v < cells_.size(); ++v) component_[v] = v;
    for (const Constraint& c : constraints_) {
      for (size_t i = 1; i < c.terms.size(); ++i) {
        const int a = Root(c.terms[0].first), b = Root(c.terms[i].first);
        component_[a] = b;
      }
    }
  }

  // Suppressed cells that the shown cells and equations pin to a single value.
  std::vector<int> Unprotected() const {
    std::vector<int> pinned;
    for (size_t v = 0; v < cells_.size(); ++v) {
      const int truth = values_[cells_[v]];
      bool other = false;
      if (truth > 0) other = Feasible(v, 0, truth - 1);
      if (!other && truth < bound_) other = Feasible(v, truth + 1, bound_);
      if (!other) pinned.push_back(cells_[v]);
    }
    return pinned;
  }

 private:
  struct Constraint {
    std::vector<std::pair<int, int>> terms;  // variable, +1 / -1
    int rhs = 0;
  };

  int Root(int v) const {
    while (component_[v] != v) v = component_[v];
    return v;
  }

  bool Feasible(size_t var, int low, int high) const {
    std::vector<int> lo(cells_.size(), 0), hi(cells_.size(), bound_);
    lo[var] = low;
    hi[var] = high;
    return Search(Root(var), lo, hi);
  }

  bool Propagate(std::vector<int>& lo, std::vector<int>& hi) const {
    for (bool changed = true; changed;) {
      changed = false;
      for (const Constraint& c : constraints_) {
        int min_sum = 0, max_sum = 0;
        for (auto [v, s] : c.terms) {
          min_sum += s > 0 ? lo[v] : -hi[v];
          max_sum += s > 0 ? hi[v] : -lo[v];
        }
        if (c.rhs < min_sum || c.rhs > max_sum) return false;
        for (auto [v, s] : c.terms) {
          const int own_min = s > 0 ? lo[v] : -hi[v];
          const int own_max = s > 0 ? hi[v] : -lo[v];
          // s * x must lie in [rhs - (max_sum - own_max), rhs - (min_sum - own_min)].
          const int a = c.rhs - (max_sum - own_max), b = c.rhs - (min_sum - own_min);
          const int new_lo = std::max(lo[v], s > 0 ? a : -b);
          const int new_hi = std::min(hi[v], s > 0 ? b : -a);
          if (new_lo > new_hi) return false;
          if (new_lo != lo[v] || new_hi != hi[v]) {
            lo[v] = new_lo;
            hi[v] = new_hi;
            changed = true;
            break;  // sums are stale now
          }
        }
      }
    }
    return true;
  }

  // Other components keep their true values, which satisfy their constraints.
  bool Search(int component, std::vector<int> lo, std::vector<int> hi) const {
    if (!Propagate(lo, hi)) return false;
    int pick = -1;
    for (size_t v = 0; v < cells_.size(); ++v) {
      if (lo[v] < hi[v] && Root(v) == component &&
          (pick < 0 || hi[v] - lo[v] < hi[pick] - lo[pick])) {
        pick = v;
      }
    }
    if (pick < 0) return true;  // the component is fixed and its constraints hold
    // Values nearest the true one first: solutions are usually close to it.
    const int truth = std::clamp(values_[cells_[pick]], lo[pick], hi[pick]);
    for (int d = 0; truth - d >= lo[pick] || truth + d <= hi[pick]; ++d) {
      const int candidates[] = {truth - d, truth + d};
      for (int k = 0; k < (d == 0 ? 1 : 2); ++k) {
        const int value = candidates[k];
        if (value < lo[pick] || value > hi[pick]) continue;
        std::vector<int> l = lo, h = hi;
        l[pick] = h[pick] = value;
        if (Search(component, l, h)) return true;
      }
    }
    return false;
  }

  std::vector<int> values_;
  std::vector<int> cells_;
  std::vector<Constraint> constraints_;
  std::vector<int> component_;  // union-find parent per variable
  int bound_ = 0;
};

}  // namespace kpr::suppression::testing

#endif  // KPR_LIBS_SUPPRESSION_SUPPRESSION_CHECKER_TESTING_H_
