#include "services/scheduling/plan_activity_search.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace kpr::scheduling::plan {
namespace {

constexpr double kEpsilon = 1e-9;
constexpr int kMaxPasses = 50;
// 3-cycles only among sessions this close in timetable order: the cycles that pay off move an
// activity to a neighbouring week, and all triples would cost O(n^3).
constexpr int kCycleWindow = 4;

}  // namespace

ActivitySearch::ActivitySearch(const Problem& problem, const ScoreWeights& weights)
    : p_(problem), w_(weights) {}

double ActivitySearch::Delta(int i, int act, int option) const {
  const Session& s = s_[i];
  const Option& now = CellOf(i, act)[option];
  double delta = 0;
  if (now.inst != s.inst) {
    delta = w_.institution_load * (p_.load(now.inst, s.week) - p_.load(s.inst, s.week));
    const int prev = i > 0 ? s_[i - 1].inst : -1;
    const int next = i + 1 < static_cast<int>(s_.size()) ? s_[i + 1].inst : -1;
    delta += w_.rotation *
             ((now.inst == prev) + (now.inst == next) - (s.inst == prev) - (s.inst == next));
  }
  if (act != s.act || now.instructor != s.instructor) {
    // Each activity pays (distinct instructors - 1): leaving an instructor's last session of an
    // activity saves one if others remain; joining a new one costs one if others teach it.
    const int n = p_.num_instructors();
    const int from = s.act * n + s.instructor;
    const int to = act * n + now.instructor;
    int change = 0;
    int distinct_from = distinct_[s.act];
    if (teach_count_[from] == 1) {
      if (distinct_from >= 2) --change;
      --distinct_from;
    }
    const int already = teach_count_[to] - (to == from ? 1 : 0);
    const int distinct_to = act == s.act ? distinct_from : distinct_[act];
    if (already == 0 && distinct_to >= 1) ++change;
    delta += w_.instructor_continuity * change;
  }
  return delta;
}

void ActivitySearch::Apply(int i, int act, int option) {
  Session& s = s_[i];
  const int n = p_.num_instructors();
  const int from = s.act * n + s.instructor;
  if (--teach_count_[from] == 0) --distinct_[s.act];
  const Option& o = CellOf(i, act)[option];
  s.act = act;
  s.option = option;
  s.inst = o.inst;
  s.instructor = o.instructor;
  const int to = act * n + s.instructor;
  if (teach_count_[to]++ == 0) ++distinct_[act];
}

int ActivitySearch::BestOption(int i, int act, double* delta) const {
  const int n = static_cast<int>(CellOf(i, act).size());
  int best = -1;
  double best_delta = std::numeric_limits<double>::infinity();
  for (int o = 0; o < n; ++o) {
    const double d = Delta(i, act, o);
    if (d < best_delta - kEpsilon) {
      best_delta = d;
      best = o;
    }
  }
  *delta = best_delta;
  return best;
}

void ActivitySearch::ComputeSingles() {
  const int num_acts = p_.num_activities();
  single_.assign(s_.size() * num_acts, std::numeric_limits<double>::infinity());
  by_single_.resize(num_acts);
  for (int a = 0; a < num_acts; ++a) by_single_[a].clear();
  for (int i = 0; i < static_cast<int>(s_.size()); ++i) {
    for (int a = 0; a < num_acts; ++a) {
      if (CellOf(i, a).empty()) continue;
      double delta = 0;
      BestOption(i, a, &delta);
      single_[static_cast<size_t>(i) * num_acts + a] = delta;
      if (s_[i].role == 0 && s_[i].act != a) by_single_[a].push_back(i);
    }
  }
  for (int a = 0; a < num_acts; ++a) {
    std::stable_sort(by_single_[a].begin(), by_single_[a].end(),
                     [&](int x, int y) { return Single(x, a) < Single(y, a); });
  }
}

double ActivitySearch::InteractionBound(int i, int j) const {
  // Adjacent sessions share a rotation pair (each of a delta's two rotation terms can flip);
  // any two share instructor counts of the activities they leave and join.
  return (std::abs(i - j) == 1 ? 2 * w_.rotation : 0) + 2 * w_.instructor_continuity;
}

bool ActivitySearch::OptionMoves() {
  bool improved = false;
  for (int i = 0; i < static_cast<int>(s_.size()); ++i) {
    double delta = 0;
    const int o = BestOption(i, s_[i].act, &delta);
    if (delta < -kEpsilon) {
      Apply(i, s_[i].act, o);
      improved = true;
    }
  }
  return improved;
}

bool ActivitySearch::ChangeMoves() {
  bool improved = false;
  for (int i = 0; i < static_cast<int>(s_.size()); ++i) {
    if (s_[i].role != 0) continue;
    for (int b : p_.remaining()) {
      const int a = s_[i].act;
      if (b == a || CellOf(i, b).empty()) continue;
      double delta = 0;
      const int o = BestOption(i, b, &delta);
      if (delta < -kEpsilon) {
        Apply(i, b, o);
        improved = true;
      }
    }
  }
  return improved;
}

bool ActivitySearch::ChainMoves(bool swaps_only) {
  // Session i takes activity y and session j takes i's activity x: with y == j's activity this
  // is a swap, otherwise two changes that may only pay together (x moves on from i to j).
  bool improved = false;
  const int n = static_cast<int>(s_.size());
  const int num = p_.num_instructors();
  ComputeSingles();
  // The most i's change can do to j's delta (see below), for cutting the sorted scan short.
  const double max_interaction = 2 * w_.rotation + 2 * w_.instructor_continuity;
  for (int i = 0; i < n; ++i) {
    if (s_[i].role != 0) continue;
    bool moved = false;
    for (int y : p_.remaining()) {
      const Session si = s_[i];
      const int x = si.act;
      if (moved || y == x || CellOf(i, y).empty()) continue;
      const double single_i = Single(i, y);
      // Sessions that could take x, cheapest first: stop once even the cheapest cannot pay.
      for (int j : by_single_[x]) {
        if (single_i + Single(j, x) - max_interaction >= -kEpsilon) break;
        const Session sj = s_[j];
        const int z = sj.act;
        if (j == i || sj.role != 0 || z == x) continue;
        if (swaps_only && y != z) continue;
        // What i's change can do to j's delta: rotation if they are neighbours; continuity
        // only if i was the last session of x with its instructor (j joining x may then pay
        // for a new one) or, in a swap, j was the last of z with its instructor.
        double interaction = std::abs(i - j) == 1 ? 2 * w_.rotation : 0;
        if (teach_count_[x * num + si.instructor] == 1) interaction += w_.instructor_continuity;
        if (y == z && teach_count_[z * num + sj.instructor] == 1) {
          interaction += w_.instructor_continuity;
        }
        if (single_i + Single(j, x) - interaction >= -kEpsilon) continue;
        // Every option of i with the best of j given it: neighbours' options depend on each
        // other through rotation.
        double best = std::numeric_limits<double>::infinity();
        int best_i = -1;
        int best_j = -1;
        const int options = static_cast<int>(CellOf(i, y).size());
        for (int oi = 0; oi < options; ++oi) {
          const double d1 = Delta(i, y, oi);
          Apply(i, y, oi);
          double d2 = 0;
          const int oj = BestOption(j, x, &d2);
          if (d1 + d2 < best - kEpsilon) {
            best = d1 + d2;
            best_i = oi;
            best_j = oj;
          }
          Apply(i, si.act, si.option);
        }
        if (best < -kEpsilon) {
          Apply(i, y, best_i);
          Apply(j, x, best_j);
          improved = moved = true;
          break;
        }
      }
    }
  }
  return improved;
}

bool ActivitySearch::CycleMoves() {
  bool improved = false;
  const int n = static_cast<int>(s_.size());
  ComputeSingles();
  for (int i = 0; i < n; ++i) {
    if (s_[i].role != 0) continue;
    for (int j = i + 1; j < n && j <= i + kCycleWindow; ++j) {
      if (s_[j].role != 0) continue;
      for (int k = j + 1; k < n && k <= i + kCycleWindow; ++k) {
        if (s_[k].role != 0) continue;
        const Session x[3] = {s_[i], s_[j], s_[k]};
        if (x[0].act == x[1].act || x[1].act == x[2].act || x[0].act == x[2].act) continue;
        const int idx[3] = {i, j, k};
        // Both directions: each session takes the activity of the next (or previous) one.
        for (int dir = 1; dir <= 2; ++dir) {
          bool fits = true;
          for (int m = 0; m < 3; ++m) {
            fits = fits && !CellOf(idx[m], x[(m + dir) % 3].act).empty();
          }
          if (!fits) continue;
          double bound = 0;
          for (int m = 0; m < 3; ++m) bound += Single(idx[m], x[(m + dir) % 3].act);
          bound -= InteractionBound(i, j) + InteractionBound(j, k) + InteractionBound(i, k);
          if (bound >= -kEpsilon) continue;
          double total = 0;
          for (int m = 0; m < 3; ++m) {
            double d = 0;
            const int act = x[(m + dir) % 3].act;
            Apply(idx[m], act, BestOption(idx[m], act, &d));
            total += d;
          }
          if (total < -kEpsilon) {
            improved = true;
            break;
          }
          for (int m = 2; m >= 0; --m) Apply(idx[m], x[m].act, x[m].option);
        }
        if (s_[i].act != x[0].act) break;  // moved: the triple's activities changed
      }
    }
  }
  return improved;
}

bool ActivitySearch::RegroupMoves() {
  // An activity taught by several instructors pays continuity; when all of one instructor's
  // sessions of it can become another activity that instructor teaches, it pays less. Single
  // changes cannot see this: the first one leaves the instructor still teaching the activity.
  bool improved = false;
  const int n = static_cast<int>(s_.size());
  const int num = p_.num_instructors();
  std::vector<int> group;
  for (int a = 0; a < p_.num_activities(); ++a) {
    if (distinct_[a] < 2 || !p_.IsRemaining(a)) continue;
    for (int teacher = 0; teacher < num; ++teacher) {
      if (teach_count_[a * num + teacher] == 0) continue;
      group.clear();
      bool movable = true;
      for (int i = 0; i < n; ++i) {
        if (s_[i].act != a || s_[i].instructor != teacher) continue;
        movable = movable && s_[i].role == 0;
        group.push_back(i);
      }
      if (!movable) continue;
      for (int b : p_.remaining()) {
        if (b == a) continue;
        // Each session to b with the same instructor, where b fits.
        std::vector<int> options;
        for (int i : group) {
          int best = -1;
          double best_delta = std::numeric_limits<double>::infinity();
          const absl::Span<const Option> cell = CellOf(i, b);
          for (int o = 0; o < static_cast<int>(cell.size()); ++o) {
            if (cell[o].instructor != teacher) continue;
            const double d = Delta(i, b, o);
            if (d < best_delta) {
              best_delta = d;
              best = o;
            }
          }
          if (best < 0) break;
          options.push_back(best);
        }
        if (options.size() != group.size()) continue;
        std::vector<int> old_options;
        double total = 0;
        for (size_t g = 0; g < group.size(); ++g) {
          old_options.push_back(s_[group[g]].option);
          total += Delta(group[g], b, options[g]);
          Apply(group[g], b, options[g]);
        }
        if (total < -kEpsilon) {
          improved = true;
          break;
        }
        for (size_t g = group.size(); g-- > 0;) Apply(group[g], a, old_options[g]);
      }
      if (distinct_[a] < 2) break;
    }
  }
  return improved;
}

bool ActivitySearch::Run(Timetable& t, bool deep) {
  s_.clear();
  cells_.clear();
  teach_count_.assign(static_cast<size_t>(p_.num_activities()) * p_.num_instructors(), 0);
  distinct_.assign(p_.num_activities(), 0);
  for (int d = 0; d < p_.num_days(); ++d) {
    const Slot& slot = t[d];
    if (!slot.used()) continue;
    const absl::Span<const Option> cell = p_.Cell(d, slot.si, slot.act);
    int option = 0;
    for (int o = 0; o < static_cast<int>(cell.size()); ++o) {
      if (cell[o].inst == slot.inst && cell[o].instructor == slot.instructor) option = o;
    }
    s_.push_back(Session{d, slot.si, d / kDaysPerWeek, slot.role, slot.act, option,
                         cell[option].inst, cell[option].instructor});
    for (int a = 0; a < p_.num_activities(); ++a) cells_.push_back(p_.Cell(d, slot.si, a));
    const int key = slot.act * p_.num_instructors() + cell[option].instructor;
    if (teach_count_[key]++ == 0) ++distinct_[slot.act];
  }
  bool changed = false;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    bool improved = false;
    improved |= OptionMoves();
    improved |= ChangeMoves();
    improved |= ChainMoves(/*swaps_only=*/!deep);
    improved |= RegroupMoves();
    // 3-cycles cost the most: only once the cheaper moves are exhausted.
    if (!improved && deep) improved = CycleMoves();
    if (!improved) break;
    changed = true;
  }
  if (!changed) return false;
  for (int i = 0; i < static_cast<int>(s_.size()); ++i) {
    const Session& s = s_[i];
    const Option& o = CellOf(i, s.act)[s.option];
    Slot& slot = t[s.d];
    slot.act = static_cast<int16_t>(s.act);
    slot.inst = o.inst;
    slot.venue = o.venue;
    slot.instructor = o.instructor;
  }
  return true;
}

bool ActivitySearch::Sequence(Timetable& t) {
  // Ties prefer the current activity, then the current instructor (continuity), far below any
  // real score difference.
  constexpr double kKeepActivity = 1e-6;
  constexpr double kKeepInstructor = 1e-7;
  const int num_inst = static_cast<int>(p_.institutions().size());
  std::vector<int> days;
  for (int d = 0; d < p_.num_days(); ++d) {
    if (t[d].used()) days.push_back(d);
  }
  const int n = static_cast<int>(days.size());
  if (n == 0 || num_inst == 0) return false;
  struct Choice {
    double cost = std::numeric_limits<double>::infinity();
    int act = -1;
    const Option* option = nullptr;
    int prev = -1;  // institution of the previous session on the best path
  };
  std::vector<Choice> dp(static_cast<size_t>(n) * num_inst);
  const std::vector<int> fixed_first = {p_.first_activity()};
  const std::vector<int> fixed_last = {p_.last_activity()};
  for (int i = 0; i < n; ++i) {
    const Slot& cur = t[days[i]];
    const int w = days[i] / kDaysPerWeek;
    const std::vector<int>& acts = (cur.role & kRoleFirst)  ? fixed_first
                                   : (cur.role & kRoleLast) ? fixed_last
                                                            : p_.remaining();
    Choice* row = &dp[static_cast<size_t>(i) * num_inst];
    // The cheapest way to hold session i at each institution.
    for (int a : acts) {
      for (const Option& o : p_.Cell(days[i], cur.si, a)) {
        const double c = w_.institution_load * p_.load(o.inst, w) +
                         (a != cur.act ? kKeepActivity : 0) +
                         (o.instructor != cur.instructor ? kKeepInstructor : 0);
        if (c < row[o.inst].cost) {
          row[o.inst].cost = c;
          row[o.inst].act = a;
          row[o.inst].option = &o;
        }
      }
    }
    if (i == 0) continue;
    // Best predecessor: the cheapest path, unless it ends at the same institution (rotation).
    const Choice* before = &dp[static_cast<size_t>(i - 1) * num_inst];
    for (int k = 0; k < num_inst; ++k) {
      if (row[k].option == nullptr) continue;
      double best = std::numeric_limits<double>::infinity();
      for (int q = 0; q < num_inst; ++q) {
        const double c = before[q].cost + (q == k ? w_.rotation : 0);
        if (c < best) {
          best = c;
          row[k].prev = q;
        }
      }
      row[k].cost += best;
    }
  }
  int k = -1;
  const Choice* last = &dp[static_cast<size_t>(n - 1) * num_inst];
  for (int q = 0; q < num_inst; ++q) {
    if (last[q].option != nullptr && (k < 0 || last[q].cost < last[k].cost)) k = q;
  }
  if (k < 0 || last[k].cost == std::numeric_limits<double>::infinity()) return false;
  bool changed = false;
  for (int i = n - 1; i >= 0; --i) {
    const Choice& c = dp[static_cast<size_t>(i) * num_inst + k];
    Slot& slot = t[days[i]];
    if (slot.act != c.act || slot.inst != c.option->inst ||
        slot.instructor != c.option->instructor) {
      changed = true;
    }
    slot.act = static_cast<int16_t>(c.act);
    slot.inst = c.option->inst;
    slot.venue = c.option->venue;
    slot.instructor = c.option->instructor;
    k = c.prev;
  }
  return changed;
}

}  // namespace kpr::scheduling::plan
