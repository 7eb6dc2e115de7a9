#include "services/scheduling/plan_explain.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/calendar/iso_week.h"
#include "services/scheduling/plan_format.h"

namespace kpr::scheduling::plan {
namespace {

constexpr char kBefore[] = "before";
constexpr char kWindow[] = "window";
constexpr char kAbsent[] = "absent";
constexpr char kHours[] = "hours";
constexpr char kNone[] = "none";

}  // namespace

std::string InstitutionName(const PlanningWorld& world, absl::string_view institution_id) {
  const InstitutionModel* m = world.FindInstitution(institution_id);
  return m != nullptr && !m->name.empty() ? m->name : std::string(institution_id);
}

std::optional<DayCause> WhyNotHosted(const Problem& p, int inst, int duration, int d) {
  const PlanningWorld& world = p.world();
  const absl::CivilDay date = p.Date(d);
  const int dow = d % kDaysPerWeek;
  if (date < p.not_before()) return DayCause{HardConstraint::kTimeWindow, false, kBefore};
  if (std::optional<std::string> why = world.calendar.WhyClosed(date)) {
    return DayCause{HardConstraint::kClosed, false, *why};
  }
  std::vector<int> starts;
  for (int m = 0; m + duration <= kMinutesPerDay; m += kStartGridMinutes) {
    if (duration > 0 && p.InWindow(dow, {m, m + duration})) starts.push_back(m);
  }
  if (starts.empty()) return DayCause{HardConstraint::kTimeWindow, false, kWindow};

  const InstitutionInfo& info = p.institutions()[inst];
  if (info.all_venues.empty()) return DayCause{HardConstraint::kNoHost, true, kNone};
  if (info.venues.empty()) return DayCause{HardConstraint::kCapacity, true, ""};
  std::vector<const VenueModel*> open;
  std::string closure;
  for (int v : info.venues) {
    const VenueModel& venue = p.venue(v);
    const ClosedPeriod* period = nullptr;
    for (const ClosedPeriod& c : venue.closures) {
      if (c.first <= date && date <= c.last) period = &c;
    }
    if (period == nullptr) {
      open.push_back(&venue);
    } else if (closure.empty()) {
      closure = period->reason.empty() ? venue.name : period->reason;
    }
  }
  if (open.empty()) return DayCause{HardConstraint::kClosed, true, closure};

  // Narrow the candidate starts constraint by constraint; the first that empties them is the
  // cause a coordinator would have to change.
  auto keep = [&](auto pred) {
    starts.erase(std::remove_if(starts.begin(), starts.end(), [&](int m) { return !pred(m); }),
                 starts.end());
    return !starts.empty();
  };
  auto span = [&](int m) { return MinuteSpan{m, m + duration}; };
  if (!keep([&](int m) {
        return std::any_of(open.begin(), open.end(), [&](const VenueModel* v) {
          return WithinWeekly(v->opening, date, span(m));
        });
      })) {
    return DayCause{HardConstraint::kOpeningHours, true, ""};
  }
  if (!keep([&](int m) {
        return std::any_of(open.begin(), open.end(), [&](const VenueModel* v) {
          return WithinWeekly(v->opening, date, span(m)) &&
                 p.others().VenueConflict(v->id, date, span(m)) == nullptr;
        });
      })) {
    return DayCause{HardConstraint::kVenueBooked, true, ""};
  }
  if (info.instructors.empty()) {
    return DayCause{HardConstraint::kInstructorUnavailable, true, kNone};
  }
  std::vector<const InstructorModel*> present;
  for (int i : info.instructors) {
    if (!InAnyPeriod(p.instructor(i).absences, date)) present.push_back(&p.instructor(i));
  }
  if (present.empty()) return DayCause{HardConstraint::kInstructorUnavailable, true, kAbsent};
  if (!keep([&](int m) {
        return std::any_of(present.begin(), present.end(), [&](const InstructorModel* i) {
          return WithinWeekly(i->availability, date, span(m));
        });
      })) {
    return DayCause{HardConstraint::kInstructorUnavailable, true, kHours};
  }
  if (!keep([&](int m) {
        return std::any_of(present.begin(), present.end(), [&](const InstructorModel* i) {
          return WithinWeekly(i->availability, date, span(m)) &&
                 p.others().InstructorConflict(i->id, date, span(m)) == nullptr;
        });
      })) {
    return DayCause{HardConstraint::kInstructorBooked, true, ""};
  }
  return std::nullopt;
}

void Explainer::AddCause(HardConstraint c, const std::string& institution_id,
                         const std::string& prefix, std::string text, bool weekly, int w) {
  for (Group& g : groups_) {
    if (g.constraint == c && g.institution_id == institution_id && g.prefix == prefix &&
        g.text == text && g.weekly == weekly) {
      if (std::find(g.weeks.begin(), g.weeks.end(), w) == g.weeks.end()) g.weeks.push_back(w);
      return;
    }
  }
  groups_.push_back(Group{c, institution_id, prefix, std::move(text), weekly, {w}});
}

int Explainer::InstitutionWeek(int w, int inst, int duration, HardConstraint* as,
                               const std::string& prefix, bool day_level) {
  const PlanningWorld& world = p_.world();
  const InstitutionInfo& info = p_.institutions()[inst];
  const std::string name = InstitutionName(world, info.id);
  struct Run {
    DayCause cause;
    std::vector<int> dows;
  };
  std::vector<Run> runs;
  for (int dow = 0; dow < kDaysPerWeek; ++dow) {
    if (p_.starts(dow).empty()) continue;  // not a program day: nobody expects a session
    std::optional<DayCause> cause = WhyNotHosted(p_, inst, duration, w * kDaysPerWeek + dow);
    if (!cause) continue;
    auto it = std::find_if(runs.begin(), runs.end(), [&](const Run& r) {
      return std::tie(r.cause.constraint, r.cause.institution_level, r.cause.detail) ==
             std::tie(cause->constraint, cause->institution_level, cause->detail);
    });
    if (it == runs.end()) {
      runs.push_back(Run{*cause, {dow}});
    } else {
      it->dows.push_back(dow);
    }
  }
  int added = 0;
  const WeeklySpans& window = p_.program().allowed_hours;
  for (const Run& run : runs) {
    const DayCause& c = run.cause;
    const bool before = !c.institution_level && c.detail == kBefore;
    if (!c.institution_level && !day_level && !before) continue;
    const std::string days = WeekdaysText(run.dows);
    std::string hours = CommonHoursText(window, run.dows);
    if (!hours.empty()) hours = " " + hours;
    std::string text;
    bool weekly = true;
    switch (c.constraint) {
      case HardConstraint::kVenueBooked:
        text = absl::StrCat(name, " is fully booked ", days, hours);
        break;
      case HardConstraint::kInstructorBooked:
        text = absl::StrCat(name, "'s instructors are fully booked ", days, hours);
        break;
      case HardConstraint::kInstructorUnavailable:
        if (c.detail == kNone) {
          text = absl::StrCat(name, " has no instructor");
          weekly = false;
        } else if (c.detail == kAbsent) {
          text = absl::StrCat(name, "'s instructors are absent ", days);
        } else {
          text = absl::StrCat(name, "'s instructors are not available ", days, hours);
        }
        break;
      case HardConstraint::kOpeningHours:
        text = absl::StrCat(name, "'s venues are not open ", days, hours);
        break;
      case HardConstraint::kCapacity: {
        int largest = 0;
        for (const VenueModel* v : info.all_venues) largest = std::max(largest, v->capacity);
        text = absl::StrCat(name, " has no venue with ", p_.capacity(),
                            " seats (largest: ", largest, ")");
        weekly = false;
        break;
      }
      case HardConstraint::kNoHost:
        text = absl::StrCat(name, " has no venue");
        weekly = false;
        break;
      case HardConstraint::kClosed:
        if (c.institution_level) {
          text = absl::StrCat(name, " is closed (", c.detail, ") ", days);
        } else {
          text =
              absl::StrCat(days, run.dows.size() > 1 ? " are" : " is", " closed (", c.detail, ")");
        }
        break;
      case HardConstraint::kTimeWindow:
        if (before) {
          text = absl::StrCat("sessions cannot start before ", DayText(p_.not_before()), " (", days,
                              ")");
        } else {
          text = absl::StrCat("a ", duration, "-minute session does not fit the program's hours ",
                              days, hours);
        }
        break;
      default:
        text = absl::StrCat(name, ": ", HardConstraintName(c.constraint), " ", days);
        break;
    }
    AddCause(as != nullptr ? *as : c.constraint, c.institution_level ? info.id : "", prefix,
             std::move(text), weekly, w);
    ++added;
  }
  return added;
}

bool Explainer::Week(int w, const std::vector<int>& acts) {
  // Each host once, with the shortest of its activities (the easiest to fit).
  std::vector<std::pair<int, int>> hosts;  // (institution, duration)
  int added = 0;
  for (int a : acts) {
    const ActivityInfo& info = p_.activities()[a];
    // Hosts the municipality does not have (catalog mistakes) are causes in every week.
    const ActivityModel& model = *info.model;
    const std::string name = absl::StrCat("'", model.name.empty() ? model.id : model.name, "'");
    if (model.institution_ids.empty()) {
      AddCause(HardConstraint::kNoHost, "", "", absl::StrCat(name, " has no host institution"),
               false, w);
      ++added;
    }
    for (const std::string& id : model.institution_ids) {
      if (p_.world().FindInstitution(id) != nullptr) continue;
      AddCause(
          HardConstraint::kNoHost, id, "",
          absl::StrCat(name, " names institution '", id, "', which the municipality does not have"),
          false, w);
      ++added;
    }
    for (int i : info.hosts) {
      auto it = std::find_if(hosts.begin(), hosts.end(), [&](auto& h) { return h.first == i; });
      if (it == hosts.end()) {
        hosts.emplace_back(i, info.duration);
      } else {
        it->second = std::min(it->second, info.duration);
      }
    }
  }
  for (auto [inst, duration] : hosts) {
    added += InstitutionWeek(w, inst, duration, nullptr, "", false);
  }
  if (added == 0) {
    // Nothing at the institutions: the days themselves (calendar, program hours) are the cause.
    for (auto [inst, duration] : hosts) {
      added += InstitutionWeek(w, inst, duration, nullptr, "", true);
    }
  }
  return added > 0;
}

bool Explainer::FixedSession(int w, int act, HardConstraint role) {
  const ActivityInfo& info = p_.activities()[act];
  const std::string prefix = absl::StrCat(
      "the ", role == HardConstraint::kFirstSession ? "first" : "last", " session (",
      info.model->name.empty() ? info.model->id : info.model->name, ") cannot be held: ");
  int added = 0;
  if (info.hosts.empty()) {
    AddCause(role, "", prefix, "no institution of the municipality hosts it", false, w);
    return true;
  }
  for (int i : info.hosts) added += InstitutionWeek(w, i, info.duration, &role, prefix, true);
  return added > 0;
}

std::string Explainer::WeeksText(const std::vector<int>& weeks) const {
  // Three or more consecutive ISO weeks read as a range.
  std::vector<std::string> parts;
  for (size_t i = 0; i < weeks.size();) {
    size_t j = i;
    while (j + 1 < weeks.size() &&
           p_.week_monday(weeks[j + 1]) == p_.week_monday(weeks[j]) + kDaysPerWeek) {
      ++j;
    }
    if (j >= i + 2) {
      parts.push_back(absl::StrCat(calendar::IsoWeekLabel(p_.week_monday(weeks[i])), " to ",
                                   calendar::IsoWeekLabel(p_.week_monday(weeks[j]))));
    } else {
      for (size_t k = i; k <= j; ++k)
        parts.push_back(calendar::IsoWeekLabel(p_.week_monday(weeks[k])));
    }
    i = j + 1;
  }
  return JoinAnd(parts);
}

std::vector<Obstacle> Explainer::Take() {
  std::vector<Obstacle> out;
  for (Group& g : groups_) {
    std::sort(g.weeks.begin(), g.weeks.end());
    Obstacle o{g.constraint, g.institution_id, {}, g.prefix + g.text};
    if (g.weekly) {
      for (int w : g.weeks) o.weeks.push_back(calendar::IsoWeekLabel(p_.week_monday(w)));
      o.message += " in " + WeeksText(g.weeks);
    }
    out.push_back(std::move(o));
  }
  for (Obstacle& o : extra_) out.push_back(std::move(o));
  groups_.clear();
  extra_.clear();
  return out;
}

}  // namespace kpr::scheduling::plan
