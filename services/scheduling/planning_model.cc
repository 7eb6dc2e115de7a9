#include "services/scheduling/planning_model.h"

#include <algorithm>

#include "libs/calendar/iso_week.h"

namespace kpr::scheduling {
namespace {

// ISO year * 100 + ISO week: one key per week, cheaper than a label string.
int IsoWeekKey(absl::CivilDay day) {
  return calendar::IsoWeekYear(day) * 100 + calendar::IsoWeek(day);
}

template <typename T>
const T* FindById(const std::vector<T>& items, absl::string_view id) {
  for (const T& item : items) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

void EraseIndex(std::vector<size_t>& v, size_t i) {
  v.erase(std::remove(v.begin(), v.end(), i), v.end());
}

}  // namespace

int WeekdayIndex(absl::CivilDay day) {
  // absl::Weekday runs Monday (0) .. Sunday (6), which is our index.
  return static_cast<int>(absl::GetWeekday(day));
}

bool WithinWeekly(const WeeklySpans& hours, absl::CivilDay day, MinuteSpan span) {
  for (MinuteSpan open : hours[WeekdayIndex(day)]) {
    if (open.Contains(span)) return true;
  }
  return false;
}

bool InAnyPeriod(const std::vector<ClosedPeriod>& periods, absl::CivilDay day) {
  for (const ClosedPeriod& p : periods) {
    if (p.first <= day && day <= p.last) return true;
  }
  return false;
}

const ActivityModel* ProgramModel::FindActivity(absl::string_view activity_id) const {
  return FindById(activities, activity_id);
}

const InstitutionModel* PlanningWorld::FindInstitution(absl::string_view id) const {
  return FindById(institutions, id);
}

const VenueModel* PlanningWorld::FindVenue(absl::string_view id) const {
  return FindById(venues, id);
}

const InstructorModel* PlanningWorld::FindInstructor(absl::string_view id) const {
  return FindById(instructors, id);
}

void Occupancy::Add(const Booking& b) {
  const size_t i = entries_.size();
  entries_.push_back(Entry{b, false});
  if (!b.venue_id.empty()) by_venue_[b.venue_id][b.day].push_back(i);
  if (!b.instructor_id.empty()) by_instructor_[b.instructor_id][b.day].push_back(i);
  by_cohort_[b.cohort_id].push_back(i);
  ++load_[b.institution_id][IsoWeekKey(b.day)];
  ++size_;
}

void Occupancy::RemoveCohort(absl::string_view cohort_id) {
  auto it = by_cohort_.find(cohort_id);
  if (it == by_cohort_.end()) return;
  for (size_t i : it->second) {
    Entry& e = entries_[i];
    e.removed = true;
    const Booking& b = e.booking;
    if (auto v = by_venue_.find(b.venue_id); v != by_venue_.end()) EraseIndex(v->second[b.day], i);
    if (auto p = by_instructor_.find(b.instructor_id); p != by_instructor_.end()) {
      EraseIndex(p->second[b.day], i);
    }
    --load_[b.institution_id][IsoWeekKey(b.day)];
    --size_;
  }
  by_cohort_.erase(it);
}

const Booking* Occupancy::Conflict(const absl::flat_hash_map<std::string, DayIndex>& index,
                                   absl::string_view id, absl::CivilDay day,
                                   MinuteSpan time) const {
  auto it = index.find(id);
  if (it == index.end()) return nullptr;
  auto d = it->second.find(day);
  if (d == it->second.end()) return nullptr;
  for (size_t i : d->second) {
    const Entry& e = entries_[i];
    if (!e.removed && e.booking.time.Overlaps(time)) return &e.booking;
  }
  return nullptr;
}

void Occupancy::Busy(const absl::flat_hash_map<std::string, DayIndex>& index, absl::string_view id,
                     absl::CivilDay day, std::vector<MinuteSpan>* out) const {
  auto it = index.find(id);
  if (it == index.end()) return;
  auto d = it->second.find(day);
  if (d == it->second.end()) return;
  for (size_t i : d->second) {
    if (!entries_[i].removed) out->push_back(entries_[i].booking.time);
  }
}

const Booking* Occupancy::VenueConflict(absl::string_view venue_id, absl::CivilDay day,
                                        MinuteSpan time) const {
  return Conflict(by_venue_, venue_id, day, time);
}

const Booking* Occupancy::InstructorConflict(absl::string_view instructor_id, absl::CivilDay day,
                                             MinuteSpan time) const {
  return Conflict(by_instructor_, instructor_id, day, time);
}

void Occupancy::VenueBusy(absl::string_view venue_id, absl::CivilDay day,
                          std::vector<MinuteSpan>* out) const {
  Busy(by_venue_, venue_id, day, out);
}

void Occupancy::InstructorBusy(absl::string_view instructor_id, absl::CivilDay day,
                               std::vector<MinuteSpan>* out) const {
  Busy(by_instructor_, instructor_id, day, out);
}

int Occupancy::InstitutionLoad(absl::string_view institution_id, absl::CivilDay day) const {
  auto it = load_.find(institution_id);
  if (it == load_.end()) return 0;
  auto w = it->second.find(IsoWeekKey(day));
  return w == it->second.end() ? 0 : w->second;
}

}  // namespace kpr::scheduling
