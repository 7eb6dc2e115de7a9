#ifndef KPR_LIBS_VALIDATION_FIELD_VIOLATIONS_H_
#define KPR_LIBS_VALIDATION_FIELD_VIOLATIONS_H_

// Field violations: what a validator collects about a request or a record, and the one way they
// become a status. Every violation names its field ("citizen.cpr", "programs[2].weeks"), so the
// caller learns what to fix; descriptions never echo the (possibly personal) value.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kpr/common/v1/event.pb.h"

namespace kpr::validation {

using FieldViolations = std::vector<kpr::common::v1::FieldViolation>;

class ViolationCollector {
 public:
  void Add(std::string field, std::string description);
  bool empty() const { return violations_.empty(); }
  FieldViolations Take() { return std::move(violations_); }

 private:
  FieldViolations violations_;
};

// OK if there are none; else INVALID_ARGUMENT "<prefix>field: description; field: ...".
absl::Status ViolationsToStatus(const FieldViolations& violations, absl::string_view prefix = "");

}  // namespace kpr::validation

#endif  // KPR_LIBS_VALIDATION_FIELD_VIOLATIONS_H_
