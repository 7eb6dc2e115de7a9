#include "libs/validation/field_violations.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace kpr::validation {

void ViolationCollector::Add(std::string field, std::string description) {
  kpr::common::v1::FieldViolation v;
  v.set_field(std::move(field));
  v.set_description(std::move(description));
  violations_.push_back(std::move(v));
}

absl::Status ViolationsToStatus(const FieldViolations& violations, absl::string_view prefix) {
  if (violations.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      prefix, absl::StrJoin(violations, "; ",
                            [](std::string* out, const kpr::common::v1::FieldViolation& v) {
                              absl::StrAppend(out, v.field(), ": ", v.description());
                            })));
}

}  // namespace kpr::validation
