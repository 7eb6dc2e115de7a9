#include "services/scheduling/catalog_validator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "libs/calendar/civil_day.h"
#include "libs/identity/municipality.h"
#include "services/scheduling/catalog_mapping.h"
#include "services/scheduling/planning_model.h"

namespace kpr::scheduling {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxNameLength = 200;
constexpr size_t kMaxAddressLength = 300;
constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMaxWeeks = 52;

using Collector = validation::ViolationCollector;

std::string Indexed(absl::string_view path, int i) { return absl::StrCat(path, "[", i, "]"); }

bool HasControlChars(absl::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

void CheckId(Collector& out, const std::string& path, absl::string_view id) {
  if (id.empty()) {
    out.Add(path, "is required");
  } else if (!IsValidId(id)) {
    out.Add(path, "must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
  }
}

void CheckMunicipality(Collector& out, const std::string& path, absl::string_view m) {
  if (!identity::IsMunicipalityCode(m)) out.Add(path, "must be a four-digit municipality code");
}

// Free text shown to people: names, reasons, addresses.
void CheckText(Collector& out, const std::string& path, absl::string_view text, bool required,
               size_t max_length) {
  absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty()) {
    if (required) out.Add(path, "is required");
  } else if (text.size() > max_length) {
    out.Add(path, absl::StrCat("is longer than ", max_length, " bytes"));
  } else if (HasControlChars(text)) {
    out.Add(path, "contains control characters");
  }
}

// Each entry's fields, and no two valid entries of one weekday overlapping. `path` is the
// repeated field, e.g. "program.allowed_hours".
void CheckWeeklyHours(Collector& out, const std::string& path,
                      const google::protobuf::RepeatedPtrField<v1::WeeklyHours>& hours) {
  std::vector<int> valid;  // indices of fully valid entries
  for (int i = 0; i < hours.size(); ++i) {
    const v1::WeeklyHours& h = hours[i];
    const std::string entry = Indexed(path, i);
    bool ok = true;
    if (h.weekday() < 1 || h.weekday() > 7) {
      out.Add(absl::StrCat(entry, ".weekday"), "must be 1 (Monday) .. 7 (Sunday)");
      ok = false;
    }
    const bool start_ok = h.start_minute() >= 0 && h.start_minute() < kMinutesPerDay;
    if (!start_ok) {
      out.Add(absl::StrCat(entry, ".start_minute"), "must be 0 .. 1439 (minutes after midnight)");
      ok = false;
    }
    if (h.end_minute() <= 0 || h.end_minute() > kMinutesPerDay ||
        (start_ok && h.end_minute() <= h.start_minute())) {
      out.Add(absl::StrCat(entry, ".end_minute"), "must be after start_minute and at most 1440");
      ok = false;
    }
    if (!ok) continue;
    for (int j : valid) {
      const v1::WeeklyHours& o = hours[j];
      if (o.weekday() == h.weekday() && h.start_minute() < o.end_minute() &&
          o.start_minute() < h.end_minute()) {
        out.Add(entry, absl::StrCat("overlaps ", Indexed(path, j)));
        break;
      }
    }
    valid.push_back(i);
  }
}

void CheckDateRange(Collector& out, const std::string& path, const v1::DateRange& range) {
  absl::StatusOr<absl::CivilDay> first = calendar::ParseDay(range.first_day());
  absl::StatusOr<absl::CivilDay> last = calendar::ParseDay(range.last_day());
  if (!first.ok()) out.Add(absl::StrCat(path, ".first_day"), "must be a day YYYY-MM-DD");
  if (!last.ok()) out.Add(absl::StrCat(path, ".last_day"), "must be a day YYYY-MM-DD");
  if (first.ok() && last.ok() && *first > *last) {
    out.Add(absl::StrCat(path, ".last_day"), "is before first_day");
  }
  CheckText(out, absl::StrCat(path, ".reason"), range.reason(), /*required=*/true, kMaxNameLength);
}

void CheckDateRanges(Collector& out, const std::string& path,
                     const google::protobuf::RepeatedPtrField<v1::DateRange>& ranges) {
  for (int i = 0; i < ranges.size(); ++i) CheckDateRange(out, Indexed(path, i), ranges[i]);
}

// The valid entries as merged weekly spans (invalid ones are reported elsewhere).
WeeklySpans ValidSpans(const google::protobuf::RepeatedPtrField<v1::WeeklyHours>& hours) {
  google::protobuf::RepeatedPtrField<v1::WeeklyHours> valid;
  for (const v1::WeeklyHours& h : hours) {
    if (h.weekday() >= 1 && h.weekday() <= 7 && h.start_minute() >= 0 &&
        h.start_minute() < h.end_minute() && h.end_minute() <= kMinutesPerDay) {
      *valid.Add() = h;
    }
  }
  absl::StatusOr<WeeklySpans> spans = ToWeeklySpans(valid);
  return spans.ok() ? *std::move(spans) : WeeklySpans();
}

// A session of `duration` can start on the grid inside one of the spans.
bool FitsSomeWindow(const WeeklySpans& spans, int duration) {
  for (const std::vector<MinuteSpan>& day : spans) {
    for (MinuteSpan s : day) {
      const int start = (s.start + kStartGridMinutes - 1) / kStartGridMinutes * kStartGridMinutes;
      if (start + duration <= s.end) return true;
    }
  }
  return false;
}

}  // namespace

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

FieldViolations ValidateInstitution(
    const v1::Institution& institution,
    const absl::flat_hash_map<std::string, std::string>* venue_owners) {
  Collector out;
  CheckMunicipality(out, "institution.municipality", institution.municipality());
  CheckId(out, "institution.institution_id", institution.institution_id());
  CheckText(out, "institution.name", institution.name(), /*required=*/true, kMaxNameLength);
  if (institution.kind() == v1::INSTITUTION_KIND_UNSPECIFIED ||
      !v1::InstitutionKind_IsValid(institution.kind())) {
    out.Add("institution.kind", "is required (MUSIC_SCHOOL, LIBRARY, ...)");
  }
  absl::flat_hash_map<std::string, int> seen;  // venue_id -> first index
  for (int i = 0; i < institution.venues_size(); ++i) {
    const v1::Venue& v = institution.venues(i);
    const std::string path = Indexed("institution.venues", i);
    const std::string id_path = absl::StrCat(path, ".venue_id");
    CheckId(out, id_path, v.venue_id());
    if (!v.venue_id().empty()) {
      auto [it, inserted] = seen.emplace(v.venue_id(), i);
      if (!inserted) {
        out.Add(id_path, absl::StrCat("duplicates institution.venues[", it->second, "].venue_id"));
      } else if (venue_owners != nullptr) {
        auto owner = venue_owners->find(v.venue_id());
        if (owner != venue_owners->end() && owner->second != institution.institution_id()) {
          out.Add(id_path, absl::StrCat("is already a venue of institution ", owner->second,
                                        " (venue ids are unique in the municipality)"));
        }
      }
    }
    CheckText(out, absl::StrCat(path, ".name"), v.name(), /*required=*/true, kMaxNameLength);
    if (v.capacity() <= 0) out.Add(absl::StrCat(path, ".capacity"), "must be positive");
    CheckText(out, absl::StrCat(path, ".address"), v.address(), /*required=*/false,
              kMaxAddressLength);
    CheckWeeklyHours(out, absl::StrCat(path, ".opening_hours"), v.opening_hours());
    CheckDateRanges(out, absl::StrCat(path, ".closures"), v.closures());
  }
  return out.Take();
}

FieldViolations ValidateInstructor(const v1::Instructor& instructor,
                                   const absl::flat_hash_set<std::string>* known_institution_ids) {
  Collector out;
  CheckMunicipality(out, "instructor.municipality", instructor.municipality());
  CheckId(out, "instructor.instructor_id", instructor.instructor_id());
  CheckId(out, "instructor.institution_id", instructor.institution_id());
  if (known_institution_ids != nullptr && IsValidId(instructor.institution_id()) &&
      !known_institution_ids->contains(instructor.institution_id())) {
    out.Add("instructor.institution_id", "is not an institution of the municipality");
  }
  CheckText(out, "instructor.display_name", instructor.display_name(), /*required=*/true,
            kMaxNameLength);
  CheckWeeklyHours(out, "instructor.availability", instructor.availability());
  CheckDateRanges(out, "instructor.absences", instructor.absences());
  return out.Take();
}

FieldViolations ValidateCalendar(const v1::MunicipalityCalendar& calendar) {
  Collector out;
  CheckMunicipality(out, "calendar.municipality", calendar.municipality());
  CheckDateRanges(out, "calendar.closed_periods", calendar.closed_periods());
  return out.Take();
}

FieldViolations ValidateProgram(const v1::ProgramTemplate& program,
                                const absl::flat_hash_set<std::string>& known_institution_ids) {
  Collector out;
  CheckMunicipality(out, "program.municipality", program.municipality());
  CheckId(out, "program.program_id", program.program_id());
  CheckText(out, "program.name", program.name(), /*required=*/true, kMaxNameLength);
  if (program.weeks() < 1 || program.weeks() > kMaxWeeks) {
    out.Add("program.weeks", absl::StrCat("must be 1 .. ", kMaxWeeks));
  }

  // Time window first: the weekly rhythm and the durations are checked against it.
  if (program.allowed_hours().empty()) {
    out.Add("program.allowed_hours", "is required (when sessions may take place)");
  }
  CheckWeeklyHours(out, "program.allowed_hours", program.allowed_hours());
  const WeeklySpans windows = ValidSpans(program.allowed_hours());
  const int weekdays = static_cast<int>(
      std::count_if(windows.begin(), windows.end(), [](const auto& d) { return !d.empty(); }));

  const int min_s = program.min_sessions_per_week();
  const int max_s = program.max_sessions_per_week();
  const bool min_ok = min_s >= 1 && min_s <= 7;
  const bool max_ok = max_s >= 1 && max_s <= 7;
  if (!min_ok) out.Add("program.min_sessions_per_week", "must be 1 .. 7");
  if (!max_ok) out.Add("program.max_sessions_per_week", "must be 1 .. 7");
  if (min_ok && max_ok && min_s > max_s) {
    out.Add("program.min_sessions_per_week", "must not exceed max_sessions_per_week");
  }
  if (max_ok && weekdays > 0 && max_s > weekdays) {
    out.Add("program.max_sessions_per_week",
            absl::StrCat("exceeds the ", weekdays,
                         " weekday(s) with allowed_hours (at most one session a day)"));
  }

  if (program.max_cohort_size() <= 0) {
    out.Add("program.max_cohort_size", "must be positive");
  }
  if (program.min_cohort_size() < 0) {
    out.Add("program.min_cohort_size", "must not be negative");
  } else if (program.max_cohort_size() > 0 &&
             program.min_cohort_size() > program.max_cohort_size()) {
    out.Add("program.min_cohort_size", "must not exceed max_cohort_size");
  }

  if (program.activities().empty()) {
    out.Add("program.activities", "at least one activity is required");
  }
  absl::flat_hash_map<std::string, int> activity_index;
  for (int i = 0; i < program.activities_size(); ++i) {
    const v1::Activity& a = program.activities(i);
    const std::string path = Indexed("program.activities", i);
    const std::string id_path = absl::StrCat(path, ".activity_id");
    CheckId(out, id_path, a.activity_id());
    if (!a.activity_id().empty()) {
      auto [it, inserted] = activity_index.emplace(a.activity_id(), i);
      if (!inserted) {
        out.Add(id_path,
                absl::StrCat("duplicates program.activities[", it->second, "].activity_id"));
      }
    }
    CheckText(out, absl::StrCat(path, ".name"), a.name(), /*required=*/true, kMaxNameLength);
    const std::string duration_path = absl::StrCat(path, ".duration_minutes");
    if (a.duration_minutes() <= 0) {
      out.Add(duration_path, "must be positive");
    } else if (weekdays > 0 && !FitsSomeWindow(windows, a.duration_minutes())) {
      out.Add(duration_path,
              "does not fit into any allowed_hours window (sessions start on the 30-minute "
              "grid)");
    }
    const std::string hosts_path = absl::StrCat(path, ".institution_ids");
    if (a.institution_ids().empty()) {
      out.Add(hosts_path, "at least one host institution is required");
    }
    absl::flat_hash_map<std::string, int> host_index;
    for (int k = 0; k < a.institution_ids_size(); ++k) {
      const std::string& host = a.institution_ids(k);
      const std::string host_path = Indexed(hosts_path, k);
      CheckId(out, host_path, host);
      if (!IsValidId(host)) continue;
      auto [it, inserted] = host_index.emplace(host, k);
      if (!inserted) {
        out.Add(host_path, absl::StrCat("duplicates ", Indexed(hosts_path, it->second)));
      } else if (!known_institution_ids.contains(host)) {
        out.Add(host_path, "is not an institution of the municipality");
      }
    }
  }

  const std::string& first = program.first_activity_id();
  const std::string& last = program.last_activity_id();
  if (!first.empty() && !activity_index.contains(first)) {
    out.Add("program.first_activity_id", "names no activity of the program");
  }
  if (!last.empty() && !activity_index.contains(last)) {
    out.Add("program.last_activity_id", "names no activity of the program");
  }
  if (!first.empty() && !last.empty() && first != last && program.weeks() >= 1 && max_ok &&
      program.weeks() * max_s < 2) {
    out.Add("program.last_activity_id",
            "the program has room for one session only, so it cannot have both a first and a "
            "last activity");
  }
  return out.Take();
}

FieldViolations ValidateDateRange(const v1::DateRange& range, absl::string_view path) {
  Collector out;
  CheckDateRange(out, std::string(path), range);
  return out.Take();
}

}  // namespace kpr::scheduling
