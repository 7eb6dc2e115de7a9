#include "services/scheduling/plan_search.h"

#include <algorithm>
#include <limits>
#include <tuple>

#include "services/scheduling/plan_assign.h"

namespace kpr::scheduling::plan {
namespace {

// A move must gain at least this much: guards against accepting float noise forever.
constexpr double kEpsilon = 1e-9;
// Each pass tries every move once; real instances settle in a handful of passes.
constexpr int kMaxPasses = 50;
constexpr int kHabitKeys = kDaysPerWeek * kDaysPerWeek * kGridSlots;

}  // namespace

Search::Search(const Problem& problem, const ScoreWeights& weights)
    : p_(problem),
      w_(weights),
      activity_(problem, weights),
      min_per_week_(problem.program().min_sessions_per_week),
      max_per_week_(std::min(problem.program().max_sessions_per_week, kDaysPerWeek)),
      fewer_max_(problem.program().max_sessions_per_week) {
  middle_count_.assign(p_.num_slots(), 0);
  habit_key_.assign(p_.num_slots(), 0);
  for (int d = 0; d < p_.num_days(); ++d) {
    const int dow = d % kDaysPerWeek;
    const int n = static_cast<int>(p_.starts(dow).size());
    for (int si = 0; si < n; ++si) {
      habit_key_[p_.SlotIndex(d, si)] =
          static_cast<uint16_t>(dow * kGridSlots + p_.StartMinute(d, si) / kStartGridMinutes);
    }
    if (!p_.day_open(d)) continue;
    for (int si = 0; si < n; ++si) {
      int count = 0;
      for (int a : p_.remaining()) count += p_.HasCell(d, si, a) ? 1 : 0;
      middle_count_[p_.SlotIndex(d, si)] = static_cast<uint8_t>(std::min(count, 255));
    }
  }
  habit_stamp_.assign(kHabitKeys, 0);
  habit_count_.assign(kHabitKeys, 0);
  teach_stamp_.assign(static_cast<size_t>(p_.num_activities()) * p_.num_instructors(), 0);
  distinct_teachers_.assign(p_.num_activities(), 0);
  teach_count_.assign(static_cast<size_t>(p_.num_activities()) * p_.num_instructors(), 0);
  teach_total_.assign(p_.num_activities(), 0);
}

double Search::Evaluate(const Timetable& t) {
  if (++gen_ == 0) {
    // Wrapped: stale stamps could alias the new generation.
    std::fill(habit_stamp_.begin(), habit_stamp_.end(), 0);
    std::fill(teach_stamp_.begin(), teach_stamp_.end(), 0);
    gen_ = 1;
  }
  int rank_sessions[kDaysPerWeek] = {};
  int rank_largest[kDaysPerWeek] = {};
  std::fill(distinct_teachers_.begin(), distinct_teachers_.end(), 0);
  const int num_instructors = p_.num_instructors();
  int rotation = 0;
  int load = 0;
  int fewer = 0;
  int prev_inst = -1;
  for (int w = 0; w < p_.num_weeks(); ++w) {
    int rank = 0;
    for (int dow = 0; dow < kDaysPerWeek; ++dow) {
      const int d = w * kDaysPerWeek + dow;
      const Slot& s = t[d];
      if (!s.used()) continue;
      const int key = rank * kDaysPerWeek * kGridSlots + habit_key_[p_.SlotIndex(d, s.si)];
      if (habit_stamp_[key] != gen_) {
        habit_stamp_[key] = gen_;
        habit_count_[key] = 0;
      }
      const int same = ++habit_count_[key];
      ++rank_sessions[rank];
      rank_largest[rank] = std::max(rank_largest[rank], same);
      if (s.inst == prev_inst) ++rotation;
      prev_inst = s.inst;
      load += p_.load(s.inst, w);
      const size_t teach = static_cast<size_t>(s.act) * num_instructors + s.instructor;
      if (teach_stamp_[teach] != gen_) {
        teach_stamp_[teach] = gen_;
        ++distinct_teachers_[s.act];
      }
      ++rank;
    }
    fewer += std::max(0, fewer_max_ - rank);
  }
  int habit = 0;
  for (int r = 0; r < kDaysPerWeek; ++r) habit += rank_sessions[r] - rank_largest[r];
  int continuity = 0;
  for (int n : distinct_teachers_) continuity += std::max(0, n - 1);
  return w_.habit * habit + w_.rotation * rotation + w_.instructor_continuity * continuity +
         w_.institution_load * load + w_.fewer_sessions * fewer;
}

void Search::Commit(const Timetable& t) {
  std::fill(teach_count_.begin(), teach_count_.end(), 0);
  std::fill(teach_total_.begin(), teach_total_.end(), 0);
  const size_t num_instructors = p_.num_instructors();
  for (const Slot& s : t) {
    if (!s.used() || s.act < 0) continue;
    ++teach_count_[s.act * num_instructors + s.instructor];
    ++teach_total_[s.act];
  }
}

const Option* Search::BestOption(const Timetable& t, int d, int si, int act, double* cost) const {
  const absl::Span<const Option> cell = p_.Cell(d, si, act);
  if (cell.empty()) return nullptr;
  const int n = p_.num_days();
  int prev_inst = -1;
  int next_inst = -1;
  for (int e = d - 1; e >= 0; --e) {
    if (t[e].used()) {
      prev_inst = t[e].inst;
      break;
    }
  }
  for (int e = d + 1; e < n; ++e) {
    if (t[e].used()) {
      next_inst = t[e].inst;
      break;
    }
  }
  // Instructors teaching this activity in the other sessions (the session on day d, when it is
  // already counted, does not count).
  const uint16_t* teaching = &teach_count_[static_cast<size_t>(act) * p_.num_instructors()];
  const int self = (t[d].used() && t[d].act == act) ? t[d].instructor : -1;
  const int others_teaching = teach_total_[act] - (self >= 0 ? 1 : 0);
  const int w = d / kDaysPerWeek;
  const Option* best = nullptr;
  double best_cost = std::numeric_limits<double>::infinity();
  for (const Option& o : cell) {
    double c = w_.institution_load * p_.load(o.inst, w);
    if (o.inst == prev_inst) c += w_.rotation;
    if (o.inst == next_inst) c += w_.rotation;
    if (others_teaching > 0 && teaching[o.instructor] - (o.instructor == self ? 1 : 0) == 0) {
      c += w_.instructor_continuity;
    }
    if (c < best_cost - kEpsilon) {
      best_cost = c;
      best = &o;
    }
  }
  if (cost != nullptr) *cost = best_cost;
  return best;
}

bool Search::PlaceBest(Timetable& t, int d, int si, int act) {
  const Option* best = BestOption(t, d, si, act, nullptr);
  if (best == nullptr) return false;
  Slot& s = t[d];
  s.si = static_cast<int16_t>(si);
  s.act = static_cast<int16_t>(act);
  s.inst = best->inst;
  s.venue = best->venue;
  s.instructor = best->instructor;
  return true;
}

int Search::BestOtherActivity(const Timetable& t, int d, int si, int current) const {
  int best = -1;
  double best_cost = std::numeric_limits<double>::infinity();
  for (int b : p_.remaining()) {
    if (b == current || !p_.HasCell(d, si, b)) continue;
    double cost = 0;
    BestOption(t, d, si, b, &cost);
    if (cost < best_cost - kEpsilon) {
      best_cost = cost;
      best = b;
    }
  }
  return best;
}

bool Search::RolesOk(const Timetable& t) const {
  const int first = p_.first_activity();
  const int last = p_.last_activity();
  if (first < 0 && last < 0) return true;
  int lo = -1;
  int hi = -1;
  for (int d = 0; d < p_.num_days(); ++d) {
    if (!t[d].used()) continue;
    if (lo < 0) lo = d;
    hi = d;
  }
  if (lo < 0) return false;
  if (first >= 0 && (!(t[lo].role & kRoleFirst) || lo >= kDaysPerWeek)) return false;
  if (last >= 0 && (!(t[hi].role & kRoleLast) || hi < (p_.num_weeks() - 1) * kDaysPerWeek)) {
    return false;
  }
  return true;
}

int Search::WeekCount(const Timetable& t, int w) const {
  int n = 0;
  for (int dow = 0; dow < kDaysPerWeek; ++dow) n += t[w * kDaysPerWeek + dow].used() ? 1 : 0;
  return n;
}

bool Search::Accept(Timetable& t, double* cur) {
  const double score = Evaluate(t);
  if (score < *cur - kEpsilon) {
    *cur = score;
    Commit(t);
    return true;
  }
  return false;
}

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

bool Search::ActivityMoves(Timetable& t, double* cur) {
  // All activities at once (exact for load and rotation), then the local moves.
  saved_ = t;
  bool improved = false;
  if (activity_.Sequence(t)) {
    if (Accept(t, cur)) {
      improved = true;
    } else {
      t = saved_;
    }
  }
  if (activity_.Run(t, /*deep=*/true)) {
    *cur = Evaluate(t);
    Commit(t);
    improved = true;
  }
  return improved;
}

bool Search::RetimeMoves(Timetable& t, double* cur) {
  // One session to another day or time of its week, with its activity or, for a non-fixed
  // session, the activity that fits the new slot best (time and activity often move together:
  // the slot a habit wants may only suit another activity).
  bool improved = false;
  for (int d = 0; d < p_.num_days(); ++d) {
    if (!t[d].used()) continue;
    const int w = d / kDaysPerWeek;
    bool moved = false;
    for (int dow = 0; dow < kDaysPerWeek && !moved; ++dow) {
      const int d2 = w * kDaysPerWeek + dow;
      if ((d2 != d && t[d2].used()) || !p_.day_open(d2)) continue;
      const int n = static_cast<int>(p_.starts(dow).size());
      for (int si = 0; si < n && !moved; ++si) {
        const Slot old = t[d];
        if (d2 != d) {
          t[d2] = old;
          t[d] = Slot{};
        }
        int acts[2] = {-1, -1};
        if (!(d2 == d && si == old.si) && p_.HasCell(d2, si, old.act)) acts[0] = old.act;
        if (old.role == 0 && MiddleCount(d2, si) > 0) {
          acts[1] = BestOtherActivity(t, d2, si, old.act);
        }
        for (int act : acts) {
          if (act < 0) continue;
          PlaceBest(t, d2, si, act);
          if (RolesOk(t) && Accept(t, cur)) {
            improved = moved = true;
            break;
          }
          t[d2] = old;
        }
        if (moved) break;
        if (d2 != d) t[d2] = Slot{};
        t[d] = old;
      }
    }
  }
  return improved;
}

bool Search::PatternMoves(Timetable& t, double* cur) {
  // Moves the r-th session of every week at once: a single session leaving the crowd only
  // costs habit, so habits change only this way. A session whose activity does not fit the new
  // slot takes the best one that does.
  bool improved = false;
  for (int rank = 0; rank < max_per_week_; ++rank) {
    for (int dow = 0; dow < kDaysPerWeek; ++dow) {
      const int n = static_cast<int>(p_.starts(dow).size());
      for (int si = 0; si < n; ++si) {
        saved_ = t;
        int changed = 0;
        for (int w = 0; w < p_.num_weeks(); ++w) {
          int d = -1;
          for (int k = 0, seen = 0; k < kDaysPerWeek; ++k) {
            if (t[w * kDaysPerWeek + k].used() && seen++ == rank) {
              d = w * kDaysPerWeek + k;
              break;
            }
          }
          if (d < 0) continue;
          const int d2 = w * kDaysPerWeek + dow;
          if (d2 == d && t[d].si == si) continue;
          if ((d2 != d && t[d2].used()) || !p_.day_open(d2)) continue;
          const Slot old = t[d];
          int act = old.act;
          if (!p_.HasCell(d2, si, act)) {
            if (old.role != 0) continue;
            act = BestOtherActivity(t, d2, si, old.act);
            if (act < 0) continue;
          }
          if (d2 != d) {
            t[d2] = old;
            t[d] = Slot{};
          }
          PlaceBest(t, d2, si, act);
          ++changed;
        }
        if (changed == 0) continue;
        if (!RolesOk(t)) {
          t = saved_;
          continue;
        }
        // The moved sessions have new neighbours and possibly new activities: re-choose all
        // activities and hosts for the new times (exact for load and rotation).
        polished_ = t;
        activity_.Sequence(polished_);
        const double plain = Evaluate(t);
        const double polished = Evaluate(polished_);
        if (polished < plain - kEpsilon) t.swap(polished_);
        if (Accept(t, cur)) {
          improved = true;
        } else {
          t = saved_;
        }
      }
    }
  }
  return improved;
}

bool Search::InstructorMoves(Timetable& t, double* cur) {
  // Gives all sessions of an activity the same instructor where possible: one session at a
  // time would pay rotation or load on the way.
  bool improved = false;
  std::vector<int> teachers;
  for (int a = 0; a < p_.num_activities(); ++a) {
    teachers.clear();
    for (const Slot& s : t) {
      if (s.used() && s.act == a &&
          std::find(teachers.begin(), teachers.end(), s.instructor) == teachers.end()) {
        teachers.push_back(s.instructor);
      }
    }
    if (teachers.size() <= 1) continue;
    for (int teacher : teachers) {
      saved_ = t;
      int changed = 0;
      for (int d = 0; d < p_.num_days(); ++d) {
        Slot& s = t[d];
        if (!s.used() || s.act != a || s.instructor == teacher) continue;
        for (const Option& o : p_.Cell(d, s.si, a)) {
          if (o.instructor != teacher) continue;
          s.inst = o.inst;
          s.venue = o.venue;
          s.instructor = o.instructor;
          ++changed;
          break;
        }
      }
      if (changed > 0 && Accept(t, cur)) {
        improved = true;
        break;
      }
      t = saved_;
    }
  }
  return improved;
}

bool Search::AddRemoveMoves(Timetable& t, double* cur) {
  bool improved = false;
  for (int w = 0; w < p_.num_weeks(); ++w) {
    int count = WeekCount(t, w);
    for (int dow = 0; dow < kDaysPerWeek && count < max_per_week_; ++dow) {
      const int d = w * kDaysPerWeek + dow;
      if (t[d].used() || !p_.day_open(d)) continue;
      const int n = static_cast<int>(p_.starts(dow).size());
      bool added = false;
      for (int si = 0; si < n && !added; ++si) {
        for (int b : p_.remaining()) {
          if (!p_.HasCell(d, si, b)) continue;
          t[d] = Slot{};
          PlaceBest(t, d, si, b);
          if (RolesOk(t) && Accept(t, cur)) {
            improved = added = true;
            ++count;
            break;
          }
          t[d] = Slot{};
        }
      }
    }
    for (int dow = 0; dow < kDaysPerWeek && count > min_per_week_; ++dow) {
      const int d = w * kDaysPerWeek + dow;
      const Slot old = t[d];
      if (!old.used() || old.role != 0) continue;
      t[d] = Slot{};
      if (RolesOk(t) && Accept(t, cur)) {
        improved = true;
        --count;
      } else {
        t[d] = old;
      }
    }
  }
  return improved;
}

void Search::Improve(Timetable* tp) {
  Timetable& t = *tp;
  Commit(t);
  double cur = Evaluate(t);
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    bool improved = false;
    improved |= PatternMoves(t, &cur);
    improved |= RetimeMoves(t, &cur);
    improved |= ActivityMoves(t, &cur);
    improved |= InstructorMoves(t, &cur);
    improved |= AddRemoveMoves(t, &cur);
    if (!improved) break;
  }
}

}  // namespace kpr::scheduling::plan
