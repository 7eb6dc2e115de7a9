#include "services/scheduling/ics_export.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "libs/calendar/civil_day.h"
#include "libs/calendar/ics.h"
#include "services/scheduling/catalog_mapping.h"

namespace kpr::scheduling {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

template <typename T>
const T* Find(const absl::flat_hash_map<std::string, T>& map, const std::string& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second;
}

// `name` when known and non-empty, else `fallback`.
absl::string_view NameOr(const std::string* name, absl::string_view fallback) {
  return name != nullptr && !name->empty() ? absl::string_view(*name) : fallback;
}

struct Event {
  const v1::Session* session;
  absl::CivilDay day;
};

absl::StatusOr<std::string> Export(absl::string_view calendar_name,
                                   std::vector<const v1::Session*> sessions,
                                   const IcsLookup& lookup, absl::Time dtstamp) {
  std::vector<Event> events;
  events.reserve(sessions.size());
  for (const v1::Session* s : sessions) {
    absl::StatusOr<absl::CivilDay> day = calendar::ParseDay(s->day());
    if (!day.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("session ", s->session_id(), ": ", day.status().message()));
    }
    if (s->start_minute() < 0 || s->start_minute() >= s->end_minute() ||
        s->end_minute() > kMinutesPerDay) {
      return absl::InvalidArgumentError(absl::StrCat("session ", s->session_id(), ": times ",
                                                     s->start_minute(), "-", s->end_minute(),
                                                     " are not within a day"));
    }
    events.push_back(Event{s, *day});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::make_tuple(a.day, a.session->start_minute(), a.session->session_id()) <
           std::make_tuple(b.day, b.session->start_minute(), b.session->session_id());
  });

  calendar::IcsCalendar ics;
  ics.prodid = "-//kpr//scheduling//EN";
  ics.name = std::string(calendar_name);
  ics.events.reserve(events.size());
  for (const Event& e : events) {
    const v1::Session& s = *e.session;
    const IcsLookup::CohortInfo* cohort = Find(lookup.cohorts, s.cohort_id());
    const std::string* activity = nullptr;
    if (cohort != nullptr) {
      if (const auto* names = Find(lookup.activity_names, cohort->program_id)) {
        activity = Find(*names, s.activity_id());
      }
    }
    const IcsLookup::VenueInfo* venue = Find(lookup.venues, s.venue_id());
    const absl::string_view institution =
        NameOr(Find(lookup.institution_names, s.institution_id()), s.institution_id());

    std::string location(NameOr(venue != nullptr ? &venue->name : nullptr, s.venue_id()));
    if (venue != nullptr && !venue->address.empty()) {
      absl::StrAppend(&location, ", ", venue->address);
    }
    const std::string description = absl::StrCat(
        "Institution: ", institution,
        "\nCohort: ", NameOr(cohort != nullptr ? &cohort->name : nullptr, s.cohort_id()));
    const absl::CivilMinute start = absl::CivilMinute(e.day) + s.start_minute();
    const absl::CivilMinute end = absl::CivilMinute(e.day) + s.end_minute();
    std::string uid = s.session_id().empty() ? absl::StrCat(s.cohort_id(), "-", s.index(), "@kpr")
                                             : absl::StrCat(s.session_id(), "@kpr");

    ics.events.push_back(calendar::IcsEvent{
        .uid = std::move(uid),
        .start = start,
        .end = end,
        .summary = std::string(NameOr(activity, s.activity_id())),
        .location = std::move(location),
        .description = description,
        .sequence = s.version(),
        .cancelled = s.status() == v1::SESSION_STATUS_CANCELLED,
    });
  }
  return calendar::WriteIcs(ics, dtstamp);
}

}  // namespace

void IcsLookup::AddInstitution(const v1::Institution& institution) {
  institution_names[institution.institution_id()] = institution.name();
  for (const v1::Venue& v : institution.venues()) {
    venues[v.venue_id()] = VenueInfo{v.name(), v.address()};
  }
}

void IcsLookup::AddProgram(const v1::ProgramTemplate& program) {
  auto& names = activity_names[program.program_id()];
  for (const v1::Activity& a : program.activities()) names[a.activity_id()] = a.name();
}

void IcsLookup::AddCohort(const v1::Cohort& cohort) {
  cohorts[cohort.cohort_id()] =
      CohortInfo{cohort.name().empty() ? cohort.cohort_id() : cohort.name(), cohort.program_id()};
}

absl::StatusOr<std::string> ExportIcs(absl::string_view calendar_name,
                                      const std::vector<v1::Session>& sessions,
                                      const IcsLookup& lookup, absl::Time dtstamp) {
  std::vector<const v1::Session*> ptrs;
  ptrs.reserve(sessions.size());
  for (const v1::Session& s : sessions) ptrs.push_back(&s);
  return Export(calendar_name, std::move(ptrs), lookup, dtstamp);
}

absl::StatusOr<std::string> ExportIcs(
    absl::string_view calendar_name,
    const google::protobuf::RepeatedPtrField<v1::Session>& sessions, const IcsLookup& lookup,
    absl::Time dtstamp) {
  std::vector<const v1::Session*> ptrs(sessions.pointer_begin(), sessions.pointer_end());
  return Export(calendar_name, std::move(ptrs), lookup, dtstamp);
}

}  // namespace kpr::scheduling
