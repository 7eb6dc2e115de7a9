#include "services/scheduling/plan_search.h"

#include <algorithm>
#include <limits>

namespace kpr::scheduling::plan {
namespace {

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

}  // namespace kpr::scheduling::plan
