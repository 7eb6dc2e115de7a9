// Search's local search: the moves Improve() applies until none helps.

#include <algorithm>
#include <vector>

#include "services/scheduling/plan_search.h"

namespace kpr::scheduling::plan {
namespace {

// Each pass tries every move once; real instances settle in a handful of passes.
constexpr int kMaxPasses = 50;

}  // namespace

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
