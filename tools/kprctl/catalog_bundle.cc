#include "tools/kprctl/catalog_bundle.h"

#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace kpr::kprctl {
namespace {

namespace sv1 = ::kpr::scheduling::v1;

// Checks one entry's municipality and id, and that the id is new in its municipality.
absl::Status CheckEntry(const std::string& list, int index, const std::string& municipality,
                        const std::string& id_field, const std::string& id,
                        std::set<std::pair<std::string, std::string>>& seen) {
  std::string where = absl::StrCat(list, "[", index, "]");
  if (municipality.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": municipality is empty"));
  }
  if (!id_field.empty() && id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", id_field, " is empty"));
  }
  if (!seen.emplace(municipality, id).second) {
    return absl::InvalidArgumentError(
        id_field.empty()
            ? absl::StrCat(where, ": a second calendar for municipality ", municipality)
            : absl::StrCat(where, ": ", id_field, " ", municipality, "/", id, " appears twice"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<sv1::CatalogBundle> ParseCatalogBundle(const std::string& json) {
  sv1::CatalogBundle bundle;
  google::protobuf::util::JsonParseOptions opts;
  opts.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(json, &bundle, opts);
  if (!st.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a kpr.scheduling.v1.CatalogBundle in JSON: ",
                     std::string(st.message().data(), st.message().size())));
  }
  if (bundle.institutions().empty() && bundle.instructors().empty() && bundle.calendars().empty() &&
      bundle.programs().empty()) {
    return absl::InvalidArgumentError(
        "the bundle is empty (expected institutions, instructors, calendars or programs)");
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (int i = 0; i < bundle.institutions_size(); ++i) {
    const auto& e = bundle.institutions(i);
    if (auto s = CheckEntry("institutions", i, e.municipality(), "institutionId",
                            e.institution_id(), seen);
        !s.ok()) {
      return s;
    }
  }
  seen.clear();
  for (int i = 0; i < bundle.instructors_size(); ++i) {
    const auto& e = bundle.instructors(i);
    if (auto s =
            CheckEntry("instructors", i, e.municipality(), "instructorId", e.instructor_id(), seen);
        !s.ok()) {
      return s;
    }
  }
  seen.clear();
  for (int i = 0; i < bundle.calendars_size(); ++i) {
    const auto& e = bundle.calendars(i);
    if (auto s = CheckEntry("calendars", i, e.municipality(), "", "", seen); !s.ok()) return s;
  }
  seen.clear();
  for (int i = 0; i < bundle.programs_size(); ++i) {
    const auto& e = bundle.programs(i);
    if (auto s = CheckEntry("programs", i, e.municipality(), "programId", e.program_id(), seen);
        !s.ok()) {
      return s;
    }
  }
  return bundle;
}

std::string DescribeEntry(const sv1::Institution& e) {
  return absl::StrCat("institution ", e.municipality(), "/", e.institution_id(), " \"", e.name(),
                      "\", ", e.venues_size(), e.venues_size() == 1 ? " venue" : " venues");
}

std::string DescribeEntry(const sv1::Instructor& e) {
  return absl::StrCat("instructor  ", e.municipality(), "/", e.instructor_id(), " \"",
                      e.display_name(), "\" at ", e.institution_id());
}

std::string DescribeEntry(const sv1::MunicipalityCalendar& e) {
  return absl::StrCat("calendar    ", e.municipality(), ", ", e.closed_periods_size(),
                      e.closed_periods_size() == 1 ? " closed period" : " closed periods");
}

std::string DescribeEntry(const sv1::ProgramTemplate& e) {
  return absl::StrCat("program     ", e.municipality(), "/", e.program_id(), " \"", e.name(),
                      "\", ", e.weeks(), " weeks, ", e.activities_size(),
                      e.activities_size() == 1 ? " activity" : " activities");
}

}  // namespace kpr::kprctl
