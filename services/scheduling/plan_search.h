#ifndef KPR_SERVICES_SCHEDULING_PLAN_SEARCH_H_
#define KPR_SERVICES_SCHEDULING_PLAN_SEARCH_H_

// Greedy construction and local search over a Problem. A timetable holds at most one session
// per course day; every session sits on an option of its (day, start, activity) cell, so the
// single-session hard constraints hold by construction and the moves only have to keep the
// weekly rhythm and the first/last placement.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/plan_problem.h"

namespace kpr::scheduling::plan {

inline constexpr int8_t kRoleFirst = 1;
inline constexpr int8_t kRoleLast = 2;

struct Slot {
  int16_t si = -1;  // start index on the day; -1: no session that day
  int16_t act = -1;
  int16_t inst = -1;
  int16_t venue = -1;
  int16_t instructor = -1;
  int8_t role = 0;  // kRoleFirst / kRoleLast bits
  bool used() const { return si >= 0; }
};

// One slot per course day (Problem::num_days()).
using Timetable = std::vector<Slot>;

// A weekly pattern: (weekday, start index) per rank, weekdays increasing.
using Pattern = std::vector<std::pair<int, int>>;

class Search {
 public:
  Search(const Problem& problem, const ScoreWeights& weights);

  // The most promising weekly patterns, best first (at most `count`).
  std::vector<Pattern> CandidatePatterns(int count) const;

  // Fills every course week following `pattern` and gives the sessions their activities.
  // Returns false when some week cannot hold its minimum (its index goes to failed_weeks).
  bool Construct(const Pattern& pattern, Timetable* t, std::vector<int>* failed_weeks);

  // Local search: applies improving moves until none is left (or a pass limit).
  void Improve(Timetable* t);

  // The objective of cohort_planner.h for `t` (same terms as Score()).
  double Evaluate(const Timetable& t);

  // Remaining activities with an option at (d, si).
  int MiddleCount(int d, int si) const { return middle_count_[p_.SlotIndex(d, si)]; }

 private:
  // The best option at (d, si) for act given the neighbours of day d in t and the instructor
  // counts of the last accepted timetable; nullptr if none. A heuristic choice: the exact score
  // decides whether a move is kept.
  const Option* BestOption(const Timetable& t, int d, int si, int act, double* cost) const;
  // Puts act at (d, si) on its best option (t[d].role is kept); false if the cell is empty.
  bool PlaceBest(Timetable& t, int d, int si, int act);
  // The remaining activity other than `current` that fits (d, si) best without pushing the
  // activity counts `counts` (with `current` taken out) past `limit`; -1 if none.
  int BestOtherActivity(const Timetable& t, int d, int si, int current,
                        const std::vector<int>& counts, int limit) const;
  // Re-places every session on its best option given its (possibly new) neighbours.
  void PolishOptions(Timetable& t);
  // Recomputes the bookkeeping of an accepted timetable.
  void Commit(const Timetable& t);
  bool RolesOk(const Timetable& t) const;
  int WeekCount(const Timetable& t, int w) const;
  // max - min of `counts` over the remaining activities after moving one session from
  // removed_act to added_act (either may be -1).
  int Imbalance(const std::vector<int>& counts, int removed_act, int added_act) const;
  int BalanceLimit() const { return std::max(1, imbalance_); }
  bool Accept(Timetable& t, double* cur);

  bool FillWeek(const Pattern& pattern, int w, Timetable& t) const;
  void AssignActivities(Timetable& t);

  bool OptionMoves(Timetable& t, double* cur);
  bool RetimeMoves(Timetable& t, double* cur);
  bool PatternMoves(Timetable& t, double* cur);
  bool SwapMoves(Timetable& t, double* cur);
  bool ChangeActivityMoves(Timetable& t, double* cur);
  bool InstructorMoves(Timetable& t, double* cur);
  bool AddRemoveMoves(Timetable& t, double* cur);

  const Problem& p_;
  const ScoreWeights w_;
  int min_per_week_;
  int max_per_week_;
  // Remaining activities with an option at (day, start): how many.
  std::vector<uint8_t> middle_count_;  // per Problem::SlotIndex
  // Per Problem::SlotIndex: weekday * kGridSlots + start / kStartGridMinutes (the habit key).
  std::vector<uint16_t> habit_key_;
  // Bookkeeping of the last accepted timetable: sessions per (activity, instructor) and per
  // activity; non-fixed sessions per activity and their imbalance.
  std::vector<uint8_t> teach_count_;
  std::vector<uint8_t> teach_total_;
  std::vector<int> act_count_;
  int imbalance_ = 0;

  // Scratch for Evaluate (generation stamps avoid clearing).
  uint32_t gen_ = 0;
  std::vector<uint32_t> habit_stamp_;
  std::vector<uint8_t> habit_count_;
  std::vector<uint32_t> teach_stamp_;
  std::vector<int> distinct_teachers_;  // per activity
  std::vector<int> counts_scratch_;
  Timetable saved_;
  Timetable polished_;
};

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_SEARCH_H_
