#ifndef KPR_SERVICES_SCHEDULING_PLAN_SEARCH_H_
#define KPR_SERVICES_SCHEDULING_PLAN_SEARCH_H_

// Greedy construction and local search over a Problem. A timetable holds at most one session
// per course day; every session sits on an option of its (day, start, activity) cell, so the
// single-session hard constraints hold by construction and the moves only have to keep the
// weekly rhythm and the first/last placement.
//
// Search's bookkeeping and evaluation are in plan_search.cc, the construction in
// plan_search_construct.cc, the local search in plan_search_improve.cc.

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "services/scheduling/plan_activity_search.h"
#include "services/scheduling/plan_problem.h"
#include "services/scheduling/planner_types.h"

namespace kpr::scheduling::plan {

// A weekly pattern: (weekday, start index) per rank, weekdays increasing. A capped pattern also
// limits the weeks to that many sessions (plus a fixed first or last one).
struct Pattern {
  std::vector<std::pair<int, int>> ranks;
  bool capped = false;
};

class Search {
 public:
  Search(const Problem& problem, const ScoreWeights& weights);

  // The most promising weekly patterns: `count` with as many sessions a week as allowed, then
  // count / 4 capped at one fewer.
  std::vector<Pattern> CandidatePatterns(int count) const;

  // Fills every course week following `pattern` and gives the sessions their activities.
  // Returns false when some week cannot hold its minimum (its index goes to failed_weeks).
  bool Construct(const Pattern& pattern, Timetable* t, std::vector<int>* failed_weeks);

  // Improves who hosts the sessions (activities, institutions, instructors), times fixed; the
  // quick version (swaps, no chains or cycles) when `deep` is false.
  void Polish(Timetable* t, bool deep) { activity_.Run(*t, deep); }

  // Local search: applies improving moves until none is left (or a pass limit).
  void Improve(Timetable* t);

  // The objective of planner_types.h for `t` (same terms as Score()).
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
  // The remaining activity other than `current` that fits (d, si) best; -1 if none.
  int BestOtherActivity(const Timetable& t, int d, int si, int current) const;
  // Recomputes the bookkeeping of an accepted timetable.
  void Commit(const Timetable& t);
  bool RolesOk(const Timetable& t) const;
  int WeekCount(const Timetable& t, int w) const;
  bool Accept(Timetable& t, double* cur);

  // Per weekday: (start index, estimated cost) of its best starts, best first.
  using DayStarts = std::vector<std::pair<int, double>>[kDaysPerWeek];
  std::vector<Pattern> PatternsOfSize(const DayStarts& best, const std::vector<int>& days, int size,
                                      bool capped, int count) const;
  bool FillWeek(const Pattern& pattern, int w, Timetable& t) const;
  void AssignActivities(Timetable& t);

  bool ActivityMoves(Timetable& t, double* cur);
  bool RetimeMoves(Timetable& t, double* cur);
  bool PatternMoves(Timetable& t, double* cur);
  bool InstructorMoves(Timetable& t, double* cur);
  bool AddRemoveMoves(Timetable& t, double* cur);

  // A move must gain at least this much: guards against accepting float noise forever. Also
  // the tolerance of the construction's cost comparisons.
  static constexpr double kEpsilon = 1e-9;

  const Problem& p_;
  const ScoreWeights w_;
  ActivitySearch activity_;
  int min_per_week_;
  int max_per_week_;  // sessions a week can hold: at most one a day
  int fewer_max_;     // the program's maximum, which fewer_sessions counts from
  // Remaining activities with an option at (day, start): how many.
  std::vector<uint8_t> middle_count_;  // per Problem::SlotIndex
  // Per Problem::SlotIndex: weekday * kGridSlots + start / kStartGridMinutes (the habit key).
  std::vector<uint16_t> habit_key_;
  // Bookkeeping of the last accepted timetable: sessions per (activity, instructor) and per
  // activity.
  std::vector<uint16_t> teach_count_;
  std::vector<uint16_t> teach_total_;

  // Scratch for Evaluate (generation stamps avoid clearing).
  uint32_t gen_ = 0;
  std::vector<uint32_t> habit_stamp_;
  std::vector<uint16_t> habit_count_;
  std::vector<uint32_t> teach_stamp_;
  std::vector<int> distinct_teachers_;  // per activity
  Timetable saved_;
  Timetable polished_;
};

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_SEARCH_H_
