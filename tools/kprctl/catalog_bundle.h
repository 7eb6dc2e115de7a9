#ifndef KPR_TOOLS_KPRCTL_CATALOG_BUNDLE_H_
#define KPR_TOOLS_KPRCTL_CATALOG_BUNDLE_H_

// `kprctl catalog load`: a kpr.scheduling.v1.CatalogBundle read from JSON (the protobuf JSON
// mapping; lowerCamelCase or proto field names), checked for what the loader itself relies on,
// and a line describing each entry as it is loaded. Pure: no I/O.

#include <string>

#include "absl/status/statusor.h"
#include "kpr/scheduling/v1/scheduling.pb.h"

namespace kpr::kprctl {

// INVALID_ARGUMENT, naming the entry ("instructors[2]: instructorId is empty"), when the text is
// not a CatalogBundle (unknown fields included, so a misspelt field is not silently dropped),
// when the bundle is empty, when an entry lacks its municipality or id, or when an id appears
// twice in one municipality. Everything else (hours, references, sizes) the service validates.
absl::StatusOr<kpr::scheduling::v1::CatalogBundle> ParseCatalogBundle(const std::string& json);

// One line (no newline) per entry, for the "loaded" report:
//   institution 0165/musik "Ølby Musikskole", 2 venues
//   instructor  0165/ins-anna "Anna Holm" at musik
//   calendar    0165, 3 closed periods
//   program     0165/kultur-6 "Kultur på recept", 6 weeks, 4 activities
std::string DescribeEntry(const kpr::scheduling::v1::Institution& institution);
std::string DescribeEntry(const kpr::scheduling::v1::Instructor& instructor);
std::string DescribeEntry(const kpr::scheduling::v1::MunicipalityCalendar& calendar);
std::string DescribeEntry(const kpr::scheduling::v1::ProgramTemplate& program);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_CATALOG_BUNDLE_H_
