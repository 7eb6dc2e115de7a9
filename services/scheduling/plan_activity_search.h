#ifndef KPR_SERVICES_SCHEDULING_PLAN_ACTIVITY_SEARCH_H_
#define KPR_SERVICES_SCHEDULING_PLAN_ACTIVITY_SEARCH_H_

// Local search over who hosts the sessions, with their times fixed: activities, institutions,
// venues and instructors. With times fixed, habit and fewer_sessions cannot
// change and the other terms change locally, so every move is scored in O(1) from counters
// instead of re-scoring the timetable. That makes the large neighbourhoods affordable: every
// change, all swaps and chains (i takes a new activity, j takes i's) and 3-cycles of activities
// between nearby sessions.

#include <cstdint>
#include <vector>

#include "services/scheduling/plan_problem.h"
#include "services/scheduling/planner_types.h"

namespace kpr::scheduling::plan {

class ActivitySearch {
 public:
  ActivitySearch(const Problem& problem, const ScoreWeights& weights);

  // Improves t in place until no move helps; true if it changed anything. `deep` adds chains
  // and 3-cycles (slower; worth it on the timetables that are kept).
  bool Run(Timetable& t, bool deep);

  // Re-chooses every session's activity and host at once, optimally for load + rotation (a
  // shortest path over the sessions in order, the state being the institution); ties keep
  // what t has. Ignores instructor continuity, so the caller checks the full score. True if it
  // changed t.
  bool Sequence(Timetable& t);

 private:
  struct Session {
    int d;
    int si;
    int week;
    int8_t role;
    int act;
    int option;  // index into the cell of (d, si, act)
    int inst;    // of that option (cached: read by every neighbour's delta)
    int instructor;
  };

  absl::Span<const Option> CellOf(int i, int act) const {
    return cells_[static_cast<size_t>(i) * p_.num_activities() + act];
  }
  // Score change if session i took (act, option); the rest as it is.
  double Delta(int i, int act, int option) const;
  void Apply(int i, int act, int option);
  // The option of `act` at session i's slot with the lowest Delta, -1 if act does not fit.
  int BestOption(int i, int act, double* delta) const;
  // single_[i * A + act]: the best Delta of session i taking act alone (+inf if act does not
  // fit). A swap or cycle is at least the sum of its singles minus what the sessions can do to
  // each other (InteractionBound), which prunes almost all candidates without applying them.
  // Computed at the start of a pass and not after each accepted move: a stale bound can only
  // skip a move for one pass, and the last pass (nothing accepted) runs on exact bounds.
  void ComputeSingles();
  double Single(int i, int act) const {
    return single_[static_cast<size_t>(i) * p_.num_activities() + act];
  }
  double InteractionBound(int i, int j) const;

  bool OptionMoves();
  bool ChangeMoves();
  bool ChainMoves(bool swaps_only);
  bool CycleMoves();
  bool RegroupMoves();

  const Problem& p_;
  const ScoreWeights w_;
  std::vector<Session> s_;
  std::vector<absl::Span<const Option>> cells_;  // per (session, activity)
  std::vector<double> single_;
  // Per activity: the non-fixed sessions of another activity that could take it, by Single.
  std::vector<std::vector<int>> by_single_;
  std::vector<int> teach_count_;  // sessions per (activity, instructor)
  std::vector<int> distinct_;     // instructors per activity
};

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_ACTIVITY_SEARCH_H_
