#include "services/scheduling/plan_problem.h"

#include <algorithm>
#include <utility>

namespace kpr::scheduling::plan {

namespace {

// The free minutes of one resource on one day: "free for all of [start, end)" is a few word
// tests instead of a walk over opening spans and bookings.
class MinuteSet {
 public:
  void Clear() { std::fill(std::begin(bits_), std::end(bits_), 0); }
  void Add(MinuteSpan s) { Apply(s, true); }
  void Remove(MinuteSpan s) { Apply(s, false); }

  bool Contains(MinuteSpan s) const {
    if (s.start < 0 || s.end > kMinutesPerDay || s.start >= s.end) return false;
    for (int m = s.start; m < s.end;) {
      const int n = std::min(64 - m % 64, s.end - m);
      const uint64_t mask = Mask(m % 64, n);
      if ((bits_[m / 64] & mask) != mask) return false;
      m += n;
    }
    return true;
  }

 private:
  static constexpr int kWords = (kMinutesPerDay + 63) / 64;

  // n bits from bit `from` on (n >= 1, from + n <= 64).
  static uint64_t Mask(int from, int n) {
    return (n == 64 ? ~uint64_t{0} : ((uint64_t{1} << n) - 1)) << from;
  }

  void Apply(MinuteSpan s, bool set) {
    const int end = std::min(s.end, kMinutesPerDay);
    for (int m = std::max(s.start, 0); m < end;) {
      const int n = std::min(64 - m % 64, end - m);
      if (set) {
        bits_[m / 64] |= Mask(m % 64, n);
      } else {
        bits_[m / 64] &= ~Mask(m % 64, n);
      }
      m += n;
    }
  }

  uint64_t bits_[kWords] = {};
};

}  // namespace

Problem::Problem(ProblemInput in) : in_(std::move(in)) {
  const ProgramModel& program = *in_.program;
  const PlanningWorld& world = *in_.world;

  // Institutions in the order activities name them, so that the search is deterministic.
  auto local_institution = [&](const std::string& id) -> int {
    for (size_t i = 0; i < institutions_.size(); ++i) {
      if (institutions_[i].id == id) return static_cast<int>(i);
    }
    if (world.FindInstitution(id) == nullptr) return -1;
    InstitutionInfo info;
    info.id = id;
    for (const VenueModel& v : world.venues) {
      if (v.institution_id != id) continue;
      info.all_venues.push_back(&v);
      if (v.capacity < in_.capacity) continue;
      info.venues.push_back(static_cast<int>(venues_.size()));
      venues_.push_back(&v);
    }
    // Smallest adequate venue first: leaves the big rooms to the big cohorts.
    std::stable_sort(info.venues.begin(), info.venues.end(),
                     [&](int a, int b) { return venues_[a]->capacity < venues_[b]->capacity; });
    for (const InstructorModel& p : world.instructors) {
      if (p.institution_id != id) continue;
      info.instructors.push_back(static_cast<int>(instructors_.size()));
      instructors_.push_back(&p);
    }
    institutions_.push_back(std::move(info));
    return static_cast<int>(institutions_.size()) - 1;
  };

  for (const ActivityModel& a : program.activities) {
    ActivityInfo info;
    info.model = &a;
    info.duration = a.duration_minutes;
    for (const std::string& id : a.institution_ids) {
      const int i = local_institution(id);
      if (i >= 0 && std::find(info.hosts.begin(), info.hosts.end(), i) == info.hosts.end()) {
        info.hosts.push_back(i);
      }
    }
    activities_.push_back(std::move(info));
  }
  for (size_t a = 0; a < program.activities.size(); ++a) {
    const std::string& id = program.activities[a].id;
    if (first_act_ < 0 && !program.first_activity_id.empty() && id == program.first_activity_id) {
      first_act_ = static_cast<int>(a);
    }
    if (last_act_ < 0 && !program.last_activity_id.empty() && id == program.last_activity_id) {
      last_act_ = static_cast<int>(a);
    }
  }
  is_remaining_.assign(activities_.size(), false);
  for (int a = 0; a < num_activities(); ++a) {
    if (a != first_act_ && a != last_act_) remaining_.push_back(a);
  }
  // A program made only of its fixed activities repeats them.
  if (remaining_.empty()) {
    for (int a = 0; a < num_activities(); ++a) remaining_.push_back(a);
  }
  for (int a : remaining_) is_remaining_[a] = true;

  for (int dow = 0; dow < kDaysPerWeek; ++dow) {
    for (int g = 0; g < kGridSlots; ++g) {
      const int minute = g * kStartGridMinutes;
      bool fits = false;
      for (const ActivityInfo& a : activities_) {
        if (a.duration > 0 && InWindow(dow, {minute, minute + a.duration})) fits = true;
      }
      if (fits) starts_[dow].push_back(minute);
    }
  }

  day_open_.assign(num_days(), false);
  for (int d = 0; d < num_days(); ++d) {
    const absl::CivilDay date = Date(d);
    day_open_[d] = date >= in_.not_before && !starts_[d % kDaysPerWeek].empty() &&
                   !world.calendar.IsClosed(date);
  }

  load_.assign(institutions_.size() * num_weeks(), 0);
  for (size_t i = 0; i < institutions_.size(); ++i) {
    for (int w = 0; w < num_weeks(); ++w) {
      load_[i * num_weeks() + w] = in_.others->InstitutionLoad(institutions_[i].id, week_monday(w));
    }
  }
  BuildCells();
}

bool Problem::InWindow(int dow, MinuteSpan span) const {
  for (MinuteSpan open : in_.program->allowed_hours[dow]) {
    if (open.Contains(span)) return true;
  }
  return false;
}

void Problem::BuildCells() {
  slot_base_.assign(num_days() + 1, 0);
  for (int d = 0; d < num_days(); ++d) {
    slot_base_[d + 1] = slot_base_[d] + static_cast<int>(starts_[d % kDaysPerWeek].size());
  }
  const size_t num_cells = static_cast<size_t>(slot_base_[num_days()]) * activities_.size();
  cell_begin_.assign(num_cells + 1, 0);
  options_.clear();

  std::vector<MinuteSet> venue_free(venues_.size());
  std::vector<MinuteSet> instructor_free(instructors_.size());
  std::vector<MinuteSpan> busy;
  size_t cell = 0;
  for (int d = 0; d < num_days(); ++d) {
    const int dow = d % kDaysPerWeek;
    const int num_starts = static_cast<int>(starts_[dow].size());
    if (!day_open_[d]) {
      // No options: every cell of the day is empty.
      for (size_t c = 0; c < static_cast<size_t>(num_starts) * activities_.size(); ++c) {
        cell_begin_[++cell] = static_cast<uint32_t>(options_.size());
      }
      continue;
    }
    const absl::CivilDay date = Date(d);
    for (size_t v = 0; v < venues_.size(); ++v) {
      MinuteSet& free = venue_free[v];
      free.Clear();
      if (InAnyPeriod(venues_[v]->closures, date)) continue;
      for (MinuteSpan s : venues_[v]->opening[dow]) free.Add(s);
      busy.clear();
      in_.others->VenueBusy(venues_[v]->id, date, &busy);
      for (MinuteSpan s : busy) free.Remove(s);
    }
    for (size_t p = 0; p < instructors_.size(); ++p) {
      MinuteSet& free = instructor_free[p];
      free.Clear();
      if (InAnyPeriod(instructors_[p]->absences, date)) continue;
      for (MinuteSpan s : instructors_[p]->availability[dow]) free.Add(s);
      busy.clear();
      in_.others->InstructorBusy(instructors_[p]->id, date, &busy);
      for (MinuteSpan s : busy) free.Remove(s);
    }
    for (int si = 0; si < num_starts; ++si) {
      const int start = starts_[dow][si];
      for (const ActivityInfo& a : activities_) {
        const MinuteSpan span{start, start + a.duration};
        if (a.duration > 0 && InWindow(dow, span)) {
          for (int i : a.hosts) {
            const InstitutionInfo& inst = institutions_[i];
            int venue = -1;
            for (int v : inst.venues) {
              if (venue_free[v].Contains(span)) {
                venue = v;
                break;
              }
            }
            if (venue < 0) continue;
            for (int p : inst.instructors) {
              if (instructor_free[p].Contains(span)) {
                options_.push_back(Option{static_cast<int16_t>(i), static_cast<int16_t>(venue),
                                          static_cast<int16_t>(p)});
              }
            }
          }
        }
        cell_begin_[++cell] = static_cast<uint32_t>(options_.size());
      }
    }
  }
}

}  // namespace kpr::scheduling::plan
