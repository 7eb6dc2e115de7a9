// Search's greedy construction: the candidate weekly patterns, each course week filled after
// one, and the first activities of the sessions.

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "services/scheduling/plan_assign.h"
#include "services/scheduling/plan_search.h"

namespace kpr::scheduling::plan {

std::vector<Pattern> Search::CandidatePatterns(int count) const {
  // What a (weekday, start) would cost a rank over the whole course: in each week, the mean
  // over the activities of the load cost where one fits and a rotation's worth where it does
  // not, or a habit penalty when none fits. Each weekday offers its three cheapest starts.
  constexpr size_t kStartsPerDay = 3;
  DayStarts best;
  for (int dow = 0; dow < kDaysPerWeek; ++dow) {
    struct Start {
      int si;
      double cost;
      int weeks;  // in which some remaining activity fits
    };
    std::vector<Start> all;
    const int n = static_cast<int>(p_.starts(dow).size());
    const int r = static_cast<int>(p_.remaining().size());
    for (int si = 0; si < n; ++si) {
      Start s{si, 0, 0};
      for (int w = 0; w < p_.num_weeks(); ++w) {
        const int d = w * kDaysPerWeek + dow;
        double sum = 0;
        int fits = 0;
        if (p_.day_open(d)) {
          for (int a : p_.remaining()) {
            double c = std::numeric_limits<double>::infinity();
            for (const Option& o : p_.Cell(d, si, a)) {
              c = std::min(c, w_.institution_load * p_.load(o.inst, w));
            }
            if (c == std::numeric_limits<double>::infinity()) continue;
            sum += c;
            ++fits;
          }
        }
        if (fits > 0) {
          // An activity that does not fit has to go elsewhere that week, which tends to cost
          // a rotation or a worse host.
          s.cost += (sum + (r - fits) * w_.rotation) / r;
          ++s.weeks;
        } else {
          s.cost += w_.habit;
        }
      }
      if (s.weeks > 0) all.push_back(s);
    }
    std::stable_sort(all.begin(), all.end(), [](const Start& a, const Start& b) {
      return a.weeks != b.weeks ? a.weeks > b.weeks : a.cost < b.cost - kEpsilon;
    });
    for (size_t i = 0; i < all.size() && i < kStartsPerDay; ++i) {
      best[dow].emplace_back(all[i].si, all[i].cost);
    }
  }
  std::vector<int> days;
  for (int dow = 0; dow < kDaysPerWeek; ++dow) {
    if (!best[dow].empty()) days.push_back(dow);
  }
  const int k = std::min<int>(max_per_week_, static_cast<int>(days.size()));
  std::vector<Pattern> patterns = PatternsOfSize(best, days, k, /*capped=*/false, count);
  // One session a week fewer can win when every extra session costs a rotation (one
  // institution hosts everything) or a habit: a few such patterns, capped at that many.
  if (k - 1 >= std::max(1, min_per_week_)) {
    for (Pattern& q : PatternsOfSize(best, days, k - 1, /*capped=*/true, count / 4)) {
      patterns.push_back(std::move(q));
    }
  }
  if (patterns.empty()) patterns.push_back(Pattern{});
  return patterns;
}

std::vector<Pattern> Search::PatternsOfSize(const DayStarts& best, const std::vector<int>& days,
                                            int size, bool capped, int count) const {
  struct Candidate {
    double cost;
    int gap;
    Pattern pattern;
  };
  std::vector<Candidate> candidates;
  // Every size-subset of the usable weekdays (at most C(7, 3) = 35 for three a week) with every
  // choice among their best starts.
  const int n = static_cast<int>(days.size());
  for (int mask = 0; mask < (1 << n); ++mask) {
    if (__builtin_popcount(mask) != size) continue;
    std::vector<int> dows;
    for (int i = 0; i < n; ++i) {
      if (mask & (1 << i)) dows.push_back(days[i]);
    }
    int gap = kDaysPerWeek;
    for (size_t i = 1; i < dows.size(); ++i) gap = std::min(gap, dows[i] - dows[i - 1]);
    int variants = 1;
    for (int dow : dows) variants *= static_cast<int>(best[dow].size());
    for (int v = 0; v < variants; ++v) {
      Candidate c{0, gap, Pattern{{}, capped}};
      for (int i = 0, rest = v; i < size; ++i) {
        const std::vector<std::pair<int, double>>& starts = best[dows[i]];
        const std::pair<int, double>& s = starts[rest % starts.size()];
        rest /= static_cast<int>(starts.size());
        c.cost += s.second;
        c.pattern.ranks.emplace_back(dows[i], s.first);
      }
      candidates.push_back(std::move(c));
    }
  }
  // Cheapest first; then sessions spread over the week (a day to rest between them); then
  // earlier weekdays and starts.
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) {
                     if (a.cost < b.cost - kEpsilon) return true;
                     if (b.cost < a.cost - kEpsilon) return false;
                     return std::tie(b.gap, a.pattern.ranks) < std::tie(a.gap, b.pattern.ranks);
                   });
  // The estimate is rough (it ignores rotation), so half the picks go to the best variant of
  // distinct weekday sets, the rest by estimate.
  std::vector<Pattern> patterns;
  std::vector<bool> taken(candidates.size(), false);
  auto same_days = [](const Pattern& a, const Pattern& b) {
    if (a.ranks.size() != b.ranks.size()) return false;
    for (size_t i = 0; i < a.ranks.size(); ++i) {
      if (a.ranks[i].first != b.ranks[i].first) return false;
    }
    return true;
  };
  for (size_t i = 0; i < candidates.size() && static_cast<int>(patterns.size()) < count / 2; ++i) {
    bool seen = false;
    for (const Pattern& q : patterns) seen = seen || same_days(q, candidates[i].pattern);
    if (seen) continue;
    taken[i] = true;
    patterns.push_back(candidates[i].pattern);
  }
  for (size_t i = 0; i < candidates.size() && static_cast<int>(patterns.size()) < count; ++i) {
    if (!taken[i]) patterns.push_back(candidates[i].pattern);
  }
  return patterns;
}

bool Search::FillWeek(const Pattern& pattern, int w, Timetable& t) const {
  const int first = p_.first_activity();
  const int last = p_.last_activity();
  const bool need_first = first >= 0 && w == 0;
  const bool need_last = last >= 0 && w == p_.num_weeks() - 1;
  struct Choice {
    int dow;
    int si;
    int8_t role;
  };
  double best_cost = std::numeric_limits<double>::infinity();
  int best_options = -1;
  std::vector<Choice> best;
  std::vector<Choice> choice;
  // A capped pattern holds the week to its ranks (plus the fixed sessions it must take).
  const int cap = pattern.capped ? static_cast<int>(pattern.ranks.size()) + (need_first ? 1 : 0) +
                                       (need_last ? 1 : 0)
                                 : max_per_week_;
  for (int mask = 0; mask < (1 << kDaysPerWeek); ++mask) {
    const int count = __builtin_popcount(mask);
    if (count < min_per_week_ || count > std::min(cap, max_per_week_)) continue;
    if (count == 0 && (need_first || need_last)) continue;
    // One session can be both first and last only if the two activities are the same.
    if (count == 1 && need_first && need_last && first != last) continue;
    double cost = w_.fewer_sessions * (max_per_week_ - count);
    int options = 0;
    choice.clear();
    bool ok = true;
    int rank = 0;
    for (int dow = 0; dow < kDaysPerWeek && ok; ++dow) {
      if (!(mask & (1 << dow))) continue;
      const int d = w * kDaysPerWeek + dow;
      if (!p_.day_open(d)) {
        ok = false;
        break;
      }
      int8_t role = 0;
      if (rank == 0 && need_first) role |= kRoleFirst;
      if (rank == count - 1 && need_last) role |= kRoleLast;
      auto fits = [&](int si) {
        if (role & kRoleFirst)
          return p_.HasCell(d, si, first) && (!(role & kRoleLast) || first == last);
        if (role & kRoleLast) return p_.HasCell(d, si, last);
        return MiddleCount(d, si) > 0;
      };
      int si = -1;
      if (rank < static_cast<int>(pattern.ranks.size()) && pattern.ranks[rank].first == dow &&
          fits(pattern.ranks[rank].second)) {
        si = pattern.ranks[rank].second;
      } else {
        cost += w_.habit;
        int most = -1;
        const int n = static_cast<int>(p_.starts(dow).size());
        for (int s = 0; s < n; ++s) {
          if (fits(s) && MiddleCount(d, s) > most) {
            most = MiddleCount(d, s);
            si = s;
          }
        }
      }
      if (si < 0) {
        ok = false;
        break;
      }
      options += MiddleCount(d, si);
      choice.push_back(Choice{dow, si, role});
      ++rank;
    }
    if (!ok) continue;
    if (cost < best_cost - kEpsilon || (cost < best_cost + kEpsilon && options > best_options)) {
      best_cost = cost;
      best_options = options;
      best = choice;
    }
  }
  if (best_options < 0) return false;
  for (const Choice& c : best) {
    Slot& s = t[w * kDaysPerWeek + c.dow];
    s = Slot{};
    s.si = static_cast<int16_t>(c.si);
    s.role = c.role;
  }
  return true;
}

void Search::AssignActivities(Timetable& t) {
  Commit(t);
  std::vector<int> middle;
  for (int d = 0; d < p_.num_days(); ++d) {
    if (t[d].used() && t[d].role == 0) middle.push_back(d);
  }
  const int m = static_cast<int>(middle.size());
  // The activities that fit at least one of these slots take turns.
  std::vector<int> remaining;
  for (int a : p_.remaining()) {
    bool fits = false;
    for (int d : middle) fits = fits || p_.HasCell(d, t[d].si, a);
    if (fits) remaining.push_back(a);
  }
  const int r = std::max<int>(1, remaining.size());
  // To start with, every activity gets base or base + 1 sessions (a varied course; the search
  // then changes the mix wherever the objective prefers it): base "must" copies of each activity (a
  // bonus makes the assignment use them first) and one optional copy. Costs are the load at
  // the cheapest host; a small tie-break keeps the activities in turn (a, b, c, a, b, c ...)
  // where loads are equal.
  constexpr double kInfeasible = 1e7;
  constexpr double kMustBonus = 1e4;
  constexpr double kOutOfTurn = 1e-3;
  const int base = m / r;
  const int copies = base + (m % r != 0 ? 1 : 0);
  const int cols = r * copies;
  std::vector<int> assigned(m, -1);
  if (m > 0 && !remaining.empty()) {
    std::vector<double> cost(static_cast<size_t>(m) * cols);
    for (int i = 0; i < m; ++i) {
      const int d = middle[i];
      const int w = d / kDaysPerWeek;
      for (int k = 0; k < r; ++k) {
        double c = kInfeasible;
        for (const Option& o : p_.Cell(d, t[d].si, remaining[k])) {
          c = std::min(c, w_.institution_load * p_.load(o.inst, w));
        }
        if (c < kInfeasible && i % r != k) c += kOutOfTurn;
        for (int j = 0; j < copies; ++j) {
          cost[static_cast<size_t>(i) * cols + k * copies + j] = c - (j < base ? kMustBonus : 0);
        }
      }
    }
    const std::vector<int> cols_of = MinCostAssignment(m, cols, cost);
    for (int i = 0; i < m; ++i) {
      const int k = cols_of[i] / copies;
      if (cost[static_cast<size_t>(i) * cols + cols_of[i]] + kMustBonus >= kInfeasible) {
        // Too few activities fit these slots for an even share: pick any that fits.
        for (int a : p_.remaining()) {
          if (p_.HasCell(middle[i], t[middle[i]].si, a)) {
            assigned[i] = a;
            break;
          }
        }
      } else {
        assigned[i] = remaining[k];
      }
    }
  }
  for (int d = 0, i = 0; d < p_.num_days(); ++d) {
    Slot& s = t[d];
    if (!s.used()) continue;
    int act;
    if (s.role & kRoleFirst) {
      act = p_.first_activity();
    } else if (s.role & kRoleLast) {
      act = p_.last_activity();
    } else {
      act = assigned[i++];
    }
    PlaceBest(t, d, s.si, act);
    ++teach_count_[static_cast<size_t>(act) * p_.num_instructors() + s.instructor];
    ++teach_total_[act];
  }
  // The even share was the starting point; load and rotation decide, ties keep it.
  activity_.Sequence(t);
}

bool Search::Construct(const Pattern& pattern, Timetable* t, std::vector<int>* failed_weeks) {
  t->assign(p_.num_days(), Slot{});
  bool ok = true;
  for (int w = 0; w < p_.num_weeks(); ++w) {
    if (!FillWeek(pattern, w, *t)) {
      failed_weeks->push_back(w);
      ok = false;
    }
  }
  if (!ok) return false;
  AssignActivities(*t);
  return true;
}

}  // namespace kpr::scheduling::plan
