#include "services/notify/reminder_offsets.h"

#include <algorithm>
#include <functional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/identity/municipality.h"

namespace kpr::notify {
namespace {

constexpr size_t kMaxProgramIdLength = 64;

bool IsProgramId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxProgramIdLength) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == '_' || c == '-'; });
}

}  // namespace

std::vector<absl::Duration> DefaultReminderOffsets() { return {absl::Hours(24), absl::Hours(2)}; }

validation::FieldViolations ReminderOffsetsViolations(const v1::ReminderOffsets& r,
                                                      absl::string_view prefix) {
  validation::ViolationCollector out;
  if (!identity::IsMunicipalityCode(r.municipality())) {
    out.Add(absl::StrCat(prefix, "municipality"), "must be a four-digit municipality code");
  }
  if (!r.program_id().empty() && !IsProgramId(r.program_id())) {
    out.Add(absl::StrCat(prefix, "program_id"),
            "must be empty (the municipality's default) or 1-64 characters of A-Z, a-z, 0-9, "
            "'_' and '-'");
  }
  if (r.offsets_size() > kMaxReminderOffsets) {
    out.Add(absl::StrCat(prefix, "offsets"),
            absl::StrCat("at most ", kMaxReminderOffsets, " reminders per session"));
  }
  std::vector<int64_t> seen;
  for (int i = 0; i < r.offsets_size(); ++i) {
    const google::protobuf::Duration& d = r.offsets(i);
    const std::string field = absl::StrCat(prefix, "offsets[", i, "]");
    if (d.nanos() != 0 || d.seconds() % 60 != 0) {
      out.Add(field, "must be whole minutes");
    } else if (d.seconds() <= 0 || absl::Seconds(d.seconds()) > kMaxReminderOffset) {
      out.Add(field, "must be above zero and at most 14 days");
    } else if (std::find(seen.begin(), seen.end(), d.seconds()) != seen.end()) {
      out.Add(field, "is given twice");
    } else {
      seen.push_back(d.seconds());
    }
  }
  return out.Take();
}

absl::StatusOr<std::vector<absl::Duration>> CheckReminderOffsets(const v1::ReminderOffsets& r,
                                                                 absl::string_view prefix) {
  absl::Status status = validation::ViolationsToStatus(ReminderOffsetsViolations(r, prefix));
  if (!status.ok()) return status;
  std::vector<absl::Duration> offsets;
  for (const auto& d : r.offsets()) offsets.push_back(absl::Seconds(d.seconds()));
  std::sort(offsets.begin(), offsets.end(), std::greater<>());
  return offsets;
}

}  // namespace kpr::notify
