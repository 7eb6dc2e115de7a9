#ifndef KPR_SERVICES_SCHEDULING_PLAN_EXPLAIN_H_
#define KPR_SERVICES_SCHEDULING_PLAN_EXPLAIN_H_

// Turns "no timetable" into obstacles a coordinator can act on: per host institution and day,
// the first hard constraint that rules the day out (calendar, venue closure, opening hours,
// bookings, instructors), grouped into sentences such as "Sundhedshuset is fully booked
// Tuesday-Thursday 09:00-13:00 in 2026-W10". Only runs when planning fails, so it may be slow.

#include <optional>
#include <string>
#include <vector>

#include "services/scheduling/plan_problem.h"
#include "services/scheduling/planner_types.h"

namespace kpr::scheduling::plan {

struct DayCause {
  HardConstraint constraint;
  // False when the day itself is out (calendar, not_before, program hours), whoever hosts.
  bool institution_level = true;
  // Refines the constraint: a closure's reason, "absent", "hours", "none", "before", "window".
  std::string detail;
};

// Why institution `inst` (a Problem index) cannot hold a session of `duration` minutes on course
// day d; nullopt when it can.
std::optional<DayCause> WhyNotHosted(const Problem& p, int inst, int duration, int d);

// Collects obstacles, merging the same cause at the same institution over weeks.
class Explainer {
 public:
  explicit Explainer(const Problem& p) : p_(p) {}

  // Why the hosts of `acts` cannot hold sessions in course week w, day by day (and hosts the
  // municipality does not have). Returns false if it found no cause.
  bool Week(int w, const std::vector<int>& acts);
  // Why the fixed first (or last) activity cannot be held in course week w; obstacles carry
  // `role` (first_session / last_session) as their constraint.
  bool FixedSession(int w, int act, HardConstraint role);

  void Add(Obstacle o) { extra_.push_back(std::move(o)); }
  bool empty() const { return groups_.empty() && extra_.empty(); }
  std::vector<Obstacle> Take();

 private:
  struct Group {
    HardConstraint constraint;
    std::string institution_id;
    std::string prefix;  // e.g. "the first session (Velkomst) cannot be held: "
    std::string text;
    bool weekly = true;  // false: not about particular weeks (e.g. capacity)
    std::vector<int> weeks;
  };
  // Adds the causes for institution `inst` in week w; returns how many it added.
  int InstitutionWeek(int w, int inst, int duration, HardConstraint* as, const std::string& prefix,
                      bool day_level);
  void AddCause(HardConstraint c, const std::string& institution_id, const std::string& prefix,
                std::string text, bool weekly, int w);
  std::string WeeksText(const std::vector<int>& weeks) const;

  const Problem& p_;
  std::vector<Group> groups_;
  std::vector<Obstacle> extra_;
};

// "Musikskolen" (or the id when the world does not know the institution).
std::string InstitutionName(const PlanningWorld& world, absl::string_view institution_id);

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_EXPLAIN_H_
