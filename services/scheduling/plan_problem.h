#ifndef KPR_SERVICES_SCHEDULING_PLAN_PROBLEM_H_
#define KPR_SERVICES_SCHEDULING_PLAN_PROBLEM_H_

// The planner's internal, interned view of one planning task: course days, start slots and, per
// (day, start, activity), every way to hold a session there without breaking a hard constraint
// that concerns a single session. Built once per PlanCohort call so that the search works on
// small integers only (no strings, no hash lookups in its inner loops).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling::plan {

inline constexpr int kDaysPerWeek = 7;
inline constexpr int kMinutesPerDay = 24 * 60;
inline constexpr int kGridSlots = kMinutesPerDay / kStartGridMinutes;

// One way to hold a session at a slot: a host institution, a free venue of it with enough seats
// and a free, available instructor of it (local indices).
struct Option {
  int16_t inst;
  int16_t venue;
  int16_t instructor;
};

struct ActivityInfo {
  const ActivityModel* model = nullptr;
  int duration = 0;
  std::vector<int> hosts;  // local institution indices (institutions the world knows)
};

struct InstitutionInfo {
  std::string id;
  std::vector<int> venues;       // local venue indices with enough seats, smallest first
  std::vector<int> instructors;  // local instructor indices
  std::vector<const VenueModel*> all_venues;  // every venue of it, for explanations
};

struct ProblemInput {
  const PlanningWorld* world = nullptr;
  const Occupancy* others = nullptr;
  const ProgramModel* program = nullptr;
  int capacity = 0;
  // Monday of each course week, in order (paused weeks already left out).
  std::vector<absl::CivilDay> week_mondays;
  absl::CivilDay not_before = absl::CivilDay(1970, 1, 1);
};

class Problem {
 public:
  explicit Problem(ProblemInput in);

  const PlanningWorld& world() const { return *in_.world; }
  const Occupancy& others() const { return *in_.others; }
  const ProgramModel& program() const { return *in_.program; }
  int capacity() const { return in_.capacity; }
  absl::CivilDay not_before() const { return in_.not_before; }

  int num_weeks() const { return static_cast<int>(in_.week_mondays.size()); }
  int num_days() const { return num_weeks() * kDaysPerWeek; }
  absl::CivilDay week_monday(int w) const { return in_.week_mondays[w]; }
  absl::CivilDay Date(int d) const { return in_.week_mondays[d / kDaysPerWeek] + d % kDaysPerWeek; }
  // Open for the cohort: not before not_before, not closed by the calendar, inside the program's
  // weekdays.
  bool day_open(int d) const { return day_open_[d]; }

  // Start minutes of weekday `dow` at which some activity fits the program's window.
  const std::vector<int>& starts(int dow) const { return starts_[dow]; }
  int StartMinute(int d, int si) const { return starts_[d % kDaysPerWeek][si]; }

  absl::Span<const Option> Cell(int d, int si, int act) const {
    const size_t c = CellIndex(d, si, act);
    return absl::MakeConstSpan(options_.data() + cell_begin_[c],
                               cell_begin_[c + 1] - cell_begin_[c]);
  }
  // Dense index of slot (d, si) over all course days, and the number of slots.
  int SlotIndex(int d, int si) const { return slot_base_[d] + si; }
  int num_slots() const { return slot_base_[num_days()]; }

  bool HasCell(int d, int si, int act) const {
    const size_t c = CellIndex(d, si, act);
    return cell_begin_[c + 1] != cell_begin_[c];
  }

  const std::vector<ActivityInfo>& activities() const { return activities_; }
  int num_activities() const { return static_cast<int>(activities_.size()); }
  // Index of the program's fixed first / last activity, or -1.
  int first_activity() const { return first_act_; }
  int last_activity() const { return last_act_; }
  // The activities the other sessions use.
  const std::vector<int>& remaining() const { return remaining_; }
  bool IsRemaining(int act) const { return is_remaining_[act]; }

  const std::vector<InstitutionInfo>& institutions() const { return institutions_; }
  const VenueModel& venue(int v) const { return *venues_[v]; }
  const InstructorModel& instructor(int p) const { return *instructors_[p]; }
  int num_instructors() const { return static_cast<int>(instructors_.size()); }
  // Sessions booked in Occupancy at the institution in course week w.
  int load(int inst, int w) const { return load_[inst * num_weeks() + w]; }

  // True if `span` lies inside the program's allowed hours on weekday `dow`.
  bool InWindow(int dow, MinuteSpan span) const;

 private:
  size_t CellIndex(int d, int si, int act) const {
    return (static_cast<size_t>(slot_base_[d]) + si) * activities_.size() + act;
  }
  void BuildCells();

  ProblemInput in_;
  std::vector<ActivityInfo> activities_;
  std::vector<InstitutionInfo> institutions_;
  std::vector<const VenueModel*> venues_;
  std::vector<const InstructorModel*> instructors_;
  int first_act_ = -1;
  int last_act_ = -1;
  std::vector<int> remaining_;
  std::vector<bool> is_remaining_;
  std::vector<bool> day_open_;
  std::vector<int> starts_[kDaysPerWeek];
  std::vector<int> slot_base_;  // first slot of day d (slots of earlier days before it)
  std::vector<uint32_t> cell_begin_;
  std::vector<Option> options_;
  std::vector<int> load_;
};

// A session of a timetable under construction or search (Problem indices).
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

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_PROBLEM_H_
