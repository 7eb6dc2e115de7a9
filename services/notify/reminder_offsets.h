#ifndef KPR_SERVICES_NOTIFY_REMINDER_OFFSETS_H_
#define KPR_SERVICES_NOTIFY_REMINDER_OFFSETS_H_

// How long before each session its reminders go: 24 h and 2 h unless a municipality sets its
// own, per program or as its default (SetReminderOffsets). Offsets are absolute durations: the
// 24 h reminder for a Sunday-morning session on a DST Sunday falls due at a different local hour
// on the Saturday. Pure.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"
#include "libs/validation/field_violations.h"

namespace kpr::notify {

inline constexpr int kMaxReminderOffsets = 5;
inline constexpr absl::Duration kMaxReminderOffset = absl::Hours(24 * 14);

// 24 h, 2 h.
std::vector<absl::Duration> DefaultReminderOffsets();

// Every problem, fields named under `prefix` ("reminder_offsets.offsets[1]"): municipality a
// four-digit code; program_id empty (the municipality's default) or 1-64 of [A-Za-z0-9_-];
// offsets in whole minutes, above zero, at most 14 days, at most 5, no two alike. An empty list
// is valid: no reminders for that program.
validation::FieldViolations ReminderOffsetsViolations(const v1::ReminderOffsets& offsets,
                                                      absl::string_view prefix = "");

// The offsets, longest first; INVALID_ARGUMENT listing every violation otherwise.
absl::StatusOr<std::vector<absl::Duration>> CheckReminderOffsets(const v1::ReminderOffsets& offsets,
                                                                 absl::string_view prefix = "");

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_REMINDER_OFFSETS_H_
