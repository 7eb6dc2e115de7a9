#ifndef KPR_SERVICES_SCHEDULING_PLANNING_MODEL_H_
#define KPR_SERVICES_SCHEDULING_PLANNING_MODEL_H_

// The world as the cohort planner sees it: one municipality's institutions, venues, instructors,
// calendar, program templates and the sessions already booked. Plain structs, no I/O; built
// from the catalog protos (catalog_mapping.h) and the booked sessions in Redis.

#include <array>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/scheduling/closure_calendar.h"

namespace kpr::scheduling {

// Minutes after midnight, [start, end).
struct MinuteSpan {
  int start = 0;
  int end = 0;
  bool Overlaps(MinuteSpan o) const { return start < o.end && o.start < end; }
  bool Contains(MinuteSpan o) const { return start <= o.start && o.end <= end; }
  friend bool operator==(MinuteSpan a, MinuteSpan b) {
    return a.start == b.start && a.end == b.end;
  }
};

// Hours per weekday; index 0 = Monday .. 6 = Sunday (ISO weekday - 1). An empty day is closed.
using WeeklySpans = std::array<std::vector<MinuteSpan>, 7>;

// 0 = Monday .. 6 = Sunday.
int WeekdayIndex(absl::CivilDay day);

// True if `span` lies inside one of the day's spans.
bool WithinWeekly(const WeeklySpans& hours, absl::CivilDay day, MinuteSpan span);

// True if `day` lies in one of the periods.
bool InAnyPeriod(const std::vector<ClosedPeriod>& periods, absl::CivilDay day);

// Sessions start on this grid (minutes after midnight divisible by it).
inline constexpr int kStartGridMinutes = 30;

struct InstitutionModel {
  std::string id;
  std::string name;
};

struct VenueModel {
  std::string id;
  std::string institution_id;
  std::string name;
  int capacity = 0;
  WeeklySpans opening;
  std::vector<ClosedPeriod> closures;
};

struct InstructorModel {
  std::string id;
  std::string institution_id;
  WeeklySpans availability;
  std::vector<ClosedPeriod> absences;
};

struct ActivityModel {
  std::string id;
  std::string name;
  int duration_minutes = 0;
  std::vector<std::string> institution_ids;
};

struct ProgramModel {
  std::string id;
  std::string municipality;
  std::string name;
  int weeks = 0;
  int min_sessions_per_week = 0;
  int max_sessions_per_week = 0;
  std::vector<ActivityModel> activities;
  std::string first_activity_id;  // empty: no fixed first session
  std::string last_activity_id;   // empty: no fixed last session
  WeeklySpans allowed_hours;      // the program's time window
  int min_cohort_size = 0;
  int max_cohort_size = 0;

  const ActivityModel* FindActivity(absl::string_view activity_id) const;
};

// One municipality. `calendar` holds the municipality's closed periods; public holidays are
// built into ClosureCalendar.
struct PlanningWorld {
  std::string municipality;
  std::vector<InstitutionModel> institutions;
  std::vector<VenueModel> venues;
  std::vector<InstructorModel> instructors;
  ClosureCalendar calendar;

  const InstitutionModel* FindInstitution(absl::string_view id) const;
  const VenueModel* FindVenue(absl::string_view id) const;
  const InstructorModel* FindInstructor(absl::string_view id) const;
};

// A session someone has booked: holds its venue and its instructor for `time` on `day`.
struct Booking {
  std::string session_id;
  std::string cohort_id;
  absl::CivilDay day;
  MinuteSpan time;
  std::string institution_id;
  std::string venue_id;
  std::string instructor_id;
};

// Booked sessions indexed for the planner's conflict checks (by venue and day, by instructor and
// day) and its load term (sessions per institution and ISO week). Lookups take string views and
// do not allocate: the planner asks thousands of times per cohort.
class Occupancy {
 public:
  void Add(const Booking& b);
  // Removes every booking of the cohort (to re-plan it against everybody else).
  void RemoveCohort(absl::string_view cohort_id);

  // The booking that holds the venue (or instructor) at an overlapping time, or nullptr.
  const Booking* VenueConflict(absl::string_view venue_id, absl::CivilDay day,
                               MinuteSpan time) const;
  const Booking* InstructorConflict(absl::string_view instructor_id, absl::CivilDay day,
                                    MinuteSpan time) const;
  // Appends the times the venue (or instructor) is booked on `day` to `out`, in the order
  // booked; the planner reads a day once instead of asking per candidate slot.
  void VenueBusy(absl::string_view venue_id, absl::CivilDay day,
                 std::vector<MinuteSpan>* out) const;
  void InstructorBusy(absl::string_view instructor_id, absl::CivilDay day,
                      std::vector<MinuteSpan>* out) const;
  // Sessions booked at the institution in the ISO week containing `day`.
  int InstitutionLoad(absl::string_view institution_id, absl::CivilDay day) const;

  size_t size() const { return size_; }

 private:
  struct Entry {
    Booking booking;
    bool removed = false;
  };
  // Indices into entries_ per day.
  using DayIndex = absl::flat_hash_map<absl::CivilDay, std::vector<size_t>>;

  const Booking* Conflict(const absl::flat_hash_map<std::string, DayIndex>& index,
                          absl::string_view id, absl::CivilDay day, MinuteSpan time) const;
  void Busy(const absl::flat_hash_map<std::string, DayIndex>& index, absl::string_view id,
            absl::CivilDay day, std::vector<MinuteSpan>* out) const;

  std::vector<Entry> entries_;
  absl::flat_hash_map<std::string, DayIndex> by_venue_;
  absl::flat_hash_map<std::string, DayIndex> by_instructor_;
  absl::flat_hash_map<std::string, std::vector<size_t>> by_cohort_;
  // Institution -> ISO week key (year * 100 + week) -> sessions.
  absl::flat_hash_map<std::string, absl::flat_hash_map<int, int>> load_;
  size_t size_ = 0;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_PLANNING_MODEL_H_
