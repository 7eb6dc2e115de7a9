#include "bench/plan_world_generator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/closure_calendar.h"

namespace kpr::bench {
namespace {

using scheduling::ActivityModel;
using scheduling::Booking;
using scheduling::ClosedPeriod;
using scheduling::InstitutionModel;
using scheduling::InstructorModel;
using scheduling::MinuteSpan;
using scheduling::PlanningWorld;
using scheduling::ProgramModel;
using scheduling::VenueModel;
using scheduling::WeeklySpans;

constexpr int H(int hour, int minute = 0) { return hour * 60 + minute; }

enum class Kind { kHealthHouse, kMusic, kArt, kLibrary, kMuseum, kViking, kTheatre, kNature };
constexpr Kind kOtherKinds[] = {Kind::kMusic,  Kind::kArt,     Kind::kLibrary, Kind::kMuseum,
                                Kind::kViking, Kind::kTheatre, Kind::kNature};

const char* KindSlug(Kind k) {
  switch (k) {
    case Kind::kHealthHouse:
      return "health";
    case Kind::kMusic:
      return "music";
    case Kind::kArt:
      return "art";
    case Kind::kLibrary:
      return "library";
    case Kind::kMuseum:
      return "museum";
    case Kind::kViking:
      return "viking";
    case Kind::kTheatre:
      return "theatre";
    case Kind::kNature:
      return "nature";
  }
  return "other";
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kHealthHouse:
      return "Sundhedshuset";
    case Kind::kMusic:
      return "Musikskolen";
    case Kind::kArt:
      return "Billedskolen";
    case Kind::kLibrary:
      return "Biblioteket";
    case Kind::kMuseum:
      return "Museet";
    case Kind::kViking:
      return "Vikingelandsbyen";
    case Kind::kTheatre:
      return "Teatret";
    case Kind::kNature:
      return "Naturcentret";
  }
  return "Institution";
}

// The usual hours of an institution of this kind, Monday..Sunday.
WeeklySpans BaseOpening(Kind k) {
  WeeklySpans w;
  auto weekdays = [&w](MinuteSpan s) {
    for (int d = 0; d < 5; ++d) w[d] = {s};
  };
  switch (k) {
    case Kind::kHealthHouse:
      weekdays({H(8), H(15, 30)});
      w[4] = {{H(8), H(13)}};
      break;
    case Kind::kMusic:
      weekdays({H(9), H(21)});
      break;
    case Kind::kArt:
      weekdays({H(8, 30), H(16)});
      break;
    case Kind::kLibrary:
      weekdays({H(10), H(19)});
      w[5] = {{H(10), H(14)}};
      break;
    case Kind::kMuseum:
      for (int d = 1; d < 7; ++d) w[d] = {{H(10), H(17)}};  // closed on Mondays
      break;
    case Kind::kViking:
      weekdays({H(9), H(15)});
      break;
    case Kind::kTheatre:
      weekdays({H(10), H(22)});
      break;
    case Kind::kNature:
      for (int d = 0; d < 7; ++d) w[d] = {{H(7), H(18)}};
      break;
  }
  return w;
}

// Per venue: some weekdays closed, opening later, or with a lunch break.
WeeklySpans VenueOpening(Rng& rng, Kind k) {
  WeeklySpans w = BaseOpening(k);
  if (k == Kind::kHealthHouse) return w;
  for (int d = 0; d < 5; ++d) {
    if (w[d].empty()) continue;
    if (rng.Chance(0.08)) {
      w[d].clear();
    } else if (rng.Chance(0.15)) {
      w[d][0].start = std::min(w[d][0].start + 30 * rng.Uniform(1, 3), H(11));
    } else if (rng.Chance(0.10)) {
      const MinuteSpan day = w[d][0];
      w[d] = {{day.start, H(12)}, {H(12, 30), day.end}};
    }
  }
  return w;
}

WeeklySpans Availability(Rng& rng, bool full_time) {
  WeeklySpans w;
  if (full_time) {
    for (int d = 0; d < 5; ++d) w[d] = {{H(8), H(16)}};
    if (rng.Chance(0.3)) w[4] = {{H(8), H(13)}};
    return w;
  }
  // Part-time: two or three weekdays, each with its own hours.
  static constexpr MinuteSpan kParts[] = {
      {H(8), H(13)}, {H(9), H(15)}, {H(10), H(14)}, {H(9), H(12)}, {H(8), H(16)}};
  const int days = rng.Uniform(2, 3);
  for (int placed = 0; placed < days;) {
    const int d = rng.Uniform(0, 4);
    if (!w[d].empty()) continue;
    w[d] = {kParts[rng.Uniform(0, 4)]};
    ++placed;
  }
  return w;
}

std::vector<ClosedPeriod> RandomPeriods(Rng& rng, absl::CivilDay first, absl::CivilDay last,
                                        double p_short, double p_week, const char* reason) {
  std::vector<ClosedPeriod> out;
  const int span = static_cast<int>(last - first);
  if (rng.Chance(p_short)) {
    const absl::CivilDay d = first + rng.Uniform(0, span);
    out.push_back({d, d + rng.Uniform(0, 4), reason});
  }
  if (rng.Chance(p_week)) {
    const absl::CivilDay d = first + rng.Uniform(0, span);
    out.push_back({d, d + 6, reason});
  }
  return out;
}

struct Shape {
  int min_others = 4, max_others = 7;
  int min_venues = 1, max_venues = 3;
  int min_instructors = 2, max_instructors = 4;
  int min_capacity_health = 15;  // the health house hosts every first and last session
  absl::CivilDay horizon_first, horizon_last;
  double p_absence = 0.5, p_absence_week = 0.2, p_venue_closure = 0.15;
};

// Institutions, venues and instructors of one municipality; returns each institution's kind.
std::vector<Kind> AddInstitutions(Rng& rng, const Shape& shape, PlanningWorld* world) {
  std::vector<Kind> kinds = {Kind::kHealthHouse};
  std::vector<Kind> pool(std::begin(kOtherKinds), std::end(kOtherKinds));
  const int others = rng.Uniform(shape.min_others, shape.max_others);
  for (int i = 0; i < others && !pool.empty(); ++i) {
    const int pick = rng.Uniform(0, static_cast<int>(pool.size()) - 1);
    kinds.push_back(pool[pick]);
    pool.erase(pool.begin() + pick);
  }
  const std::string& m = world->municipality;
  for (Kind k : kinds) {
    const std::string inst_id = absl::StrCat(m, "-", KindSlug(k));
    world->institutions.push_back({inst_id, absl::StrCat(KindName(k), " ", m)});
    const int venues = rng.Uniform(shape.min_venues, shape.max_venues);
    for (int v = 0; v < venues; ++v) {
      VenueModel venue;
      venue.id = absl::StrCat(inst_id, "-v", v + 1);
      venue.institution_id = inst_id;
      venue.name = absl::StrCat(KindName(k), " sal ", v + 1);
      venue.capacity = rng.Uniform(10, 25);
      if (k == Kind::kHealthHouse && v == 0) {
        venue.capacity = std::max(venue.capacity, shape.min_capacity_health);
      }
      venue.opening = VenueOpening(rng, k);
      venue.closures = RandomPeriods(rng, shape.horizon_first, shape.horizon_last,
                                     shape.p_venue_closure, 0.0, "Renovering");
      world->venues.push_back(std::move(venue));
    }
    const int instructors = rng.Uniform(shape.min_instructors, shape.max_instructors);
    for (int i = 0; i < instructors; ++i) {
      InstructorModel ins;
      ins.id = absl::StrCat(inst_id, "-i", i + 1);
      ins.institution_id = inst_id;
      // The first instructor of each institution works full time.
      ins.availability = Availability(rng, i == 0 || rng.Chance(0.55));
      ins.absences = RandomPeriods(rng, shape.horizon_first, shape.horizon_last, shape.p_absence,
                                   shape.p_absence_week, "Fravær");
      world->instructors.push_back(std::move(ins));
    }
  }
  return kinds;
}

void AddCalendar(Rng& rng, int year, PlanningWorld* world) {
  // Autumn holiday: week 42, sometimes with the weekends around it.
  const absl::CivilDay monday42 = calendar::MondayOfIsoWeek(year, 42);
  const bool weekends = rng.Chance(0.5);
  (void)world->calendar.AddClosedPeriod({weekends ? monday42 - 2 : monday42,
                                         weekends ? monday42 + 6 : monday42 + 4, "Efterårsferie"});
  // Christmas: from 19, 21 or 23 December to 1 or 3 January.
  static constexpr int kFrom[] = {19, 21, 23};
  (void)world->calendar.AddClosedPeriod({absl::CivilDay(year, 12, kFrom[rng.Uniform(0, 2)]),
                                         absl::CivilDay(year + 1, 1, rng.Chance(0.5) ? 1 : 3),
                                         "Juleferie"});
}

// Activities hosted by institutions of these kinds (only those present in the municipality).
struct ActivityDef {
  const char* slug;
  const char* name;
  int minutes;
  std::vector<Kind> hosts;
};

// True if one of the institution's venues seats `capacity` and is open for `minutes` inside
// the program's window on some weekday (a coordinator lists only hosts that can hold it).
bool CanHost(const PlanningWorld& world, const std::string& institution_id, int minutes,
             const WeeklySpans& window, int capacity) {
  for (const VenueModel& v : world.venues) {
    if (v.institution_id != institution_id || v.capacity < capacity) continue;
    for (int d = 0; d < 7; ++d) {
      for (const MinuteSpan& w : window[d]) {
        for (const MinuteSpan& o : v.opening[d]) {
          const int grid = scheduling::kStartGridMinutes;
          const int start = (std::max(w.start, o.start) + grid - 1) / grid * grid;
          if (start + minutes <= std::min(w.end, o.end)) return true;
        }
      }
    }
  }
  return false;
}

void AddActivity(const ActivityDef& def, const PlanningWorld& world,
                 const std::vector<Kind>& present, ProgramModel* p) {
  ActivityModel a;
  a.id = def.slug;
  a.name = def.name;
  a.duration_minutes = def.minutes;
  for (Kind k : def.hosts) {
    const std::string id = absl::StrCat(world.municipality, "-", KindSlug(k));
    if (std::find(present.begin(), present.end(), k) != present.end() &&
        CanHost(world, id, def.minutes, p->allowed_hours, p->max_cohort_size)) {
      a.institution_ids.push_back(id);
    }
  }
  if (!a.institution_ids.empty()) p->activities.push_back(std::move(a));
}

WeeklySpans Weekdays(MinuteSpan s) {
  WeeklySpans w;
  for (int d = 0; d < 5; ++d) w[d] = {s};
  return w;
}

// Only activities with a host that can hold them for `max_cohort_size` are listed.
std::unique_ptr<ProgramModel> TenWeekProgram(const PlanningWorld& world,
                                             const std::vector<Kind>& kinds, int weeks,
                                             int min_per_week, int max_per_week,
                                             int max_cohort_size) {
  const std::string& m = world.municipality;
  auto p = std::make_unique<ProgramModel>();
  p->id = "culture-10";
  p->municipality = m;
  p->name = "Kultur på recept, 10 uger";
  p->weeks = weeks;
  p->min_sessions_per_week = min_per_week;
  p->max_sessions_per_week = max_per_week;
  p->allowed_hours = Weekdays({H(9), H(13)});
  p->min_cohort_size = 8;
  p->max_cohort_size = max_cohort_size;
  const std::vector<ActivityDef> defs = {
      {"intro", "Introduktion og en tryg gruppe", 180, {Kind::kHealthHouse}},
      {"closing", "Afslutning: hvad gjorde du for din mentale sundhed", 150, {Kind::kHealthHouse}},
      {"singing", "Fællessang", 120, {Kind::kMusic}},
      {"music", "Musik sammen", 150, {Kind::kMusic, Kind::kTheatre}},
      {"visual-art", "Billedkunst", 150, {Kind::kArt}},
      {"writing", "Kreativ skrivning", 120, {Kind::kLibrary}},
      {"reading", "Fælleslæsning", 120, {Kind::kLibrary, Kind::kMuseum}},
      {"museum", "Museumsværksted", 150, {Kind::kMuseum}},
      {"viking", "Vikingehåndværk", 180, {Kind::kViking}},
      {"theatre", "Teater og performance", 180, {Kind::kTheatre}},
      {"nature", "Mindfulness i naturen", 120, {Kind::kNature, Kind::kViking}},
  };
  for (const ActivityDef& d : defs) AddActivity(d, world, kinds, p.get());
  p->first_activity_id = "intro";
  p->last_activity_id = "closing";
  return p;
}

std::unique_ptr<ProgramModel> SixWeekProgram(const PlanningWorld& world,
                                             const std::vector<Kind>& kinds) {
  const std::string& m = world.municipality;
  auto p = std::make_unique<ProgramModel>();
  p->id = "sund-6";
  p->municipality = m;
  p->name = "Sund med kultur, 6 uger";
  p->weeks = 6;
  p->min_sessions_per_week = 1;
  p->max_sessions_per_week = 2;
  p->allowed_hours = Weekdays({H(8, 30), H(12, 30)});
  p->min_cohort_size = 6;
  p->max_cohort_size = 12;
  const std::vector<ActivityDef> defs = {
      {"abc", "ABC for mental sundhed og en tryg gruppe", 150, {Kind::kHealthHouse}},
      {"farewell", "Hvad gjorde jeg for min mentale sundhed", 120, {Kind::kHealthHouse}},
      {"viking", "Vikingelandsbyen", 180, {Kind::kViking}},
      {"music", "Musikskolen", 120, {Kind::kMusic}},
      {"themes", "Temaer med kunst og bøger", 180, {Kind::kArt, Kind::kLibrary}},
      {"visit",
       "Kulturbesøg",
       120,
       {Kind::kMusic, Kind::kArt, Kind::kLibrary, Kind::kMuseum, Kind::kViking, Kind::kTheatre,
        Kind::kNature}},
  };
  for (const ActivityDef& d : defs) AddActivity(d, world, kinds, p.get());
  p->first_activity_id = "abc";
  p->last_activity_id = "farewell";
  return p;
}

}  // namespace

uint64_t Rng::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int Rng::Uniform(int lo, int hi) {
  return lo + static_cast<int>(Next() % static_cast<uint64_t>(hi - lo + 1));
}

bool Rng::Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

std::vector<std::unique_ptr<MunicipalityCase>> GenerateSemester(uint64_t seed, int municipalities) {
  constexpr int kYear = 2026;
  std::vector<std::unique_ptr<MunicipalityCase>> out;
  for (int mi = 0; mi < municipalities; ++mi) {
    Rng rng(seed * 1000003 + mi);
    auto c = std::make_unique<MunicipalityCase>();
    c->world.municipality = absl::StrFormat("9%03d", mi + 1);  // invented 4-digit codes
    Shape shape;
    shape.horizon_first = absl::CivilDay(kYear, 8, 10);
    shape.horizon_last = absl::CivilDay(kYear + 1, 1, 20);
    const std::vector<Kind> kinds = AddInstitutions(rng, shape, &c->world);
    AddCalendar(rng, kYear, &c->world);
    c->ten_week = TenWeekProgram(c->world, kinds, 10, 3, 3, 15);
    c->six_week = SixWeekProgram(c->world, kinds);
    // Staggered so that up to four cohorts run at once; every cohort pauses for the autumn
    // holiday, and a third of the municipalities have a cohort that pauses over Christmas too.
    const int s0 = 33 + mi % 3;
    const int offsets[] = {0, 2, 4, mi % 3 == 2 ? 8 : 7};
    for (int k = 0; k < 4; ++k) {
      c->cohorts.push_back({absl::StrCat(c->world.municipality, "-c", k + 1), c->ten_week.get(),
                            kYear, s0 + offsets[k], c->ten_week->max_cohort_size,
                            absl::CivilDay(kYear, 8, 1)});
    }
    c->extra_cohorts.push_back({absl::StrCat(c->world.municipality, "-s1"), c->six_week.get(),
                                kYear, 45 + mi % 4, c->six_week->max_cohort_size,
                                absl::CivilDay(kYear, 8, 1)});
    out.push_back(std::move(c));
  }
  return out;
}

namespace {

SmallInstance SmallInstanceAttempt(uint64_t seed, int n, int attempt) {
  constexpr int kYear = 2026;
  Rng rng(seed * 7919 + 1000 + n + 1000003ULL * attempt);
  SmallInstance inst;
  inst.name = absl::StrFormat("small-%02d", n + 1);
  inst.world.municipality = absl::StrFormat("8%03d", n + 1);
  const int start_week = rng.Uniform(38, 43);
  const absl::CivilDay monday = calendar::MondayOfIsoWeek(kYear, start_week);
  Shape shape;
  shape.min_others = 1;
  shape.max_others = 2;
  shape.min_venues = 1;
  shape.max_venues = 2;
  shape.min_instructors = 1;
  shape.max_instructors = 2;
  shape.min_capacity_health = 12;
  shape.horizon_first = monday;
  shape.horizon_last = monday + 7 * 6;
  shape.p_absence = 0.3;
  shape.p_absence_week = 0.05;
  shape.p_venue_closure = 0.15;
  const std::vector<Kind> kinds = AddInstitutions(rng, shape, &inst.world);
  AddCalendar(rng, kYear, &inst.world);
  inst.program = TenWeekProgram(inst.world, kinds, rng.Uniform(3, 4), 2, 3, 12);
  inst.program->id = "culture-small";
  inst.cohort = {absl::StrCat(inst.name, "-c1"), inst.program.get(), kYear, start_week, 12,
                 absl::CivilDay(kYear, 8, 1)};

  // Other cohorts' sessions: morning bookings on random venues with an instructor of the same
  // institution, never overlapping each other.
  const int bookings = rng.Uniform(6, 14);
  for (int b = 0, tries = 0; b < bookings && tries < 200; ++tries) {
    const VenueModel& v =
        inst.world.venues[rng.Uniform(0, static_cast<int>(inst.world.venues.size()) - 1)];
    std::vector<const InstructorModel*> staff;
    for (const InstructorModel& i : inst.world.instructors) {
      if (i.institution_id == v.institution_id) staff.push_back(&i);
    }
    const InstructorModel* ins = staff[rng.Uniform(0, static_cast<int>(staff.size()) - 1)];
    const absl::CivilDay day = monday + 7 * rng.Uniform(0, 4) + rng.Uniform(0, 4);
    const int start = H(8) + 30 * rng.Uniform(0, 8);
    const MinuteSpan time{start, start + 30 * rng.Uniform(3, 6)};
    bool clash = false;
    for (const Booking& e : inst.existing) {
      clash |= e.day == day && e.time.Overlaps(time) &&
               (e.venue_id == v.id || e.instructor_id == ins->id);
    }
    if (clash) continue;
    inst.existing.push_back({absl::StrCat("other-", b), absl::StrCat("other-cohort-", b % 3), day,
                             time, v.institution_id, v.id, ins->id});
    ++b;
  }
  return inst;
}

}  // namespace

SmallInstance GenerateSmallInstance(uint64_t seed, int n) {
  // A program with nothing between the fixed first and last session is degenerate: draw again.
  for (int attempt = 0;; ++attempt) {
    SmallInstance inst = SmallInstanceAttempt(seed, n, attempt);
    if (inst.program->activities.size() > 2) return inst;
  }
}

}  // namespace kpr::bench
