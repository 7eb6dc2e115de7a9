#ifndef KPR_SERVICES_SCHEDULING_PLANNER_TEST_WORLD_H_
#define KPR_SERVICES_SCHEDULING_PLANNER_TEST_WORLD_H_

// Small invented worlds and programs for the planner's tests (and anyone else's): institutions
// with venues and instructors, programs, bookings from plans, and an independent double-booking
// check. Header-only so any test target can use it with kpr_scheduling_planner.
//
// Ids are predictable: institution "musik" gets venues "musik-v1", "musik-v2", ... and
// instructors "musik-i1", ...; a program's activity hosted at "musik" is "act-musik".

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/scheduling/cohort_planner.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling::testing {

// Minutes after midnight.
constexpr int Hm(int hour, int minute = 0) { return hour * 60 + minute; }

// `from`-`to` on the given weekdays (0 = Monday).
inline WeeklySpans Hours(std::initializer_list<int> dows, int from, int to) {
  WeeklySpans s;
  for (int d : dows) s[d].push_back(MinuteSpan{from, to});
  return s;
}

// `from`-`to` Monday to Friday.
inline WeeklySpans Weekdays(int from, int to) { return Hours({0, 1, 2, 3, 4}, from, to); }

struct InstitutionSpec {
  std::string id;
  std::string name;
  int venues = 1;
  int capacity = 20;
  int instructors = 1;
  WeeklySpans opening = Weekdays(Hm(8), Hm(16));
  WeeklySpans availability = Weekdays(Hm(8), Hm(16));
};

class WorldBuilder {
 public:
  explicit WorldBuilder(std::string municipality = "0999") {
    world_.municipality = std::move(municipality);
  }

  WorldBuilder& Institution(const InstitutionSpec& spec) {
    world_.institutions.push_back(InstitutionModel{spec.id, spec.name});
    for (int v = 1; v <= spec.venues; ++v) {
      VenueModel venue;
      venue.id = absl::StrCat(spec.id, "-v", v);
      venue.institution_id = spec.id;
      venue.name = absl::StrCat(spec.name, " sal ", v);
      venue.capacity = spec.capacity;
      venue.opening = spec.opening;
      world_.venues.push_back(std::move(venue));
    }
    for (int i = 1; i <= spec.instructors; ++i) {
      InstructorModel p;
      p.id = absl::StrCat(spec.id, "-i", i);
      p.institution_id = spec.id;
      p.availability = spec.availability;
      world_.instructors.push_back(std::move(p));
    }
    return *this;
  }
  WorldBuilder& Institution(std::string id, std::string name) {
    InstitutionSpec spec;
    spec.id = std::move(id);
    spec.name = std::move(name);
    return Institution(spec);
  }
  WorldBuilder& Closed(absl::CivilDay first, absl::CivilDay last, std::string reason) {
    (void)world_.calendar.AddClosedPeriod(ClosedPeriod{first, last, std::move(reason)});
    return *this;
  }
  PlanningWorld Build() const { return world_; }

 private:
  PlanningWorld world_;
};

inline VenueModel* MutableVenue(PlanningWorld& w, absl::string_view id) {
  for (VenueModel& v : w.venues) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

inline InstructorModel* MutableInstructor(PlanningWorld& w, absl::string_view id) {
  for (InstructorModel& p : w.instructors) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// One activity per host institution ("act-<id>", `duration` minutes), `weeks` weeks of
// min..max sessions, Monday-Friday 09:00-13:00, cohorts of up to 15.
inline ProgramModel Program(std::string id, const std::vector<std::string>& hosts, int weeks,
                            int min_per_week, int max_per_week, int duration = 120) {
  ProgramModel p;
  p.id = id;
  p.municipality = "0999";
  p.name = absl::StrCat("Program ", id);
  p.weeks = weeks;
  p.min_sessions_per_week = min_per_week;
  p.max_sessions_per_week = max_per_week;
  for (const std::string& h : hosts) {
    ActivityModel a;
    a.id = absl::StrCat("act-", h);
    a.name = absl::StrCat("Aktivitet ", h);
    a.duration_minutes = duration;
    a.institution_ids = {h};
    p.activities.push_back(std::move(a));
  }
  p.allowed_hours = Weekdays(Hm(9), Hm(13));
  p.min_cohort_size = 5;
  p.max_cohort_size = 15;
  return p;
}

// Adds fixed first ("intro") and last ("outro") activities hosted by `host`.
inline ProgramModel WithFixedEnds(ProgramModel p, const std::string& host, int duration = 120) {
  for (const char* id : {"intro", "outro"}) {
    ActivityModel a;
    a.id = id;
    a.name = id == std::string("intro") ? "Velkomst" : "Afslutning";
    a.duration_minutes = duration;
    a.institution_ids = {host};
    p.activities.push_back(std::move(a));
  }
  p.first_activity_id = "intro";
  p.last_activity_id = "outro";
  return p;
}

inline Booking MakeBooking(const std::string& cohort_id, const PlannedSession& s) {
  return Booking{absl::StrCat(cohort_id, ":", s.index),
                 cohort_id,
                 s.day,
                 s.time,
                 s.institution_id,
                 s.venue_id,
                 s.instructor_id};
}

// A booking that holds `venue_id` and `instructor_id` (either may be empty).
inline Booking Hold(const std::string& institution_id, const std::string& venue_id,
                    const std::string& instructor_id, absl::CivilDay day, int from, int to,
                    const std::string& cohort_id = "other") {
  static int n = 0;
  return Booking{absl::StrCat("hold-", ++n),
                 cohort_id,
                 day,
                 MinuteSpan{from, to},
                 institution_id,
                 venue_id,
                 instructor_id};
}

inline void BookPlan(Occupancy& occupancy, std::vector<Booking>* all, const std::string& cohort_id,
                     const std::vector<PlannedSession>& sessions) {
  for (const PlannedSession& s : sessions) {
    Booking b = MakeBooking(cohort_id, s);
    occupancy.Add(b);
    if (all != nullptr) all->push_back(std::move(b));
  }
}

// Every pair of bookings that holds one venue or one instructor at overlapping times, as text;
// empty when there is none. Quadratic per day and resource: for tests only.
inline std::vector<std::string> DoubleBookings(const std::vector<Booking>& all) {
  std::vector<std::string> out;
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) {
      const Booking& a = all[i];
      const Booking& b = all[j];
      if (a.day != b.day || !(a.time.start < b.time.end && b.time.start < a.time.end)) continue;
      if (!a.venue_id.empty() && a.venue_id == b.venue_id) {
        out.push_back(
            absl::StrCat("venue ", a.venue_id, ": ", a.session_id, " and ", b.session_id));
      }
      if (!a.instructor_id.empty() && a.instructor_id == b.instructor_id) {
        out.push_back(absl::StrCat("instructor ", a.instructor_id, ": ", a.session_id, " and ",
                                   b.session_id));
      }
    }
  }
  return out;
}

}  // namespace kpr::scheduling::testing

#endif  // KPR_SERVICES_SCHEDULING_PLANNER_TEST_WORLD_H_
