#ifndef KPR_SERVICES_SCHEDULING_CATALOG_VALIDATOR_H_
#define KPR_SERVICES_SCHEDULING_CATALOG_VALIDATOR_H_

// Validation of the catalog the Put* RPCs store (institutions with venues, instructors, the
// municipality calendar, program templates). Every bad field is named by its path in the
// request, e.g. "institution.venues[1].capacity", "program.activities[0].institution_ids[2]",
// "program.allowed_hours[0].end_minute". Pure: no I/O.
//
// Rules: municipality is 4 digits; ids are 1..64 of [A-Za-z0-9_-]; names are required (at most
// 200 bytes, no control characters); weekday 1..7 and 0 <= start < end <= 1440 with no two
// overlapping spans on one weekday; days are real "YYYY-MM-DD" days, first_day <= last_day, and
// every date range has a reason; venue capacity > 0; institution kind set; weeks 1..52;
// 1 <= min <= max <= 7 sessions a week and max <= the number of weekdays with allowed hours (one
// session a day); at least one activity, each with a duration > 0 that fits (on the 30-minute
// start grid) into some allowed window and at least one known host institution; first/last
// activity ids name an activity; max_cohort_size > 0, 0 <= min_cohort_size <= max_cohort_size;
// no duplicate ids (venues, activities, hosts of one activity).

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/scheduling/v1/scheduling.pb.h"
#include "libs/validation/field_violations.h"

namespace kpr::scheduling {

using FieldViolations = validation::FieldViolations;

// The catalog's violations as one INVALID_ARGUMENT, "invalid catalog entry: field: ...; ...".
inline absl::Status ViolationsToStatus(const FieldViolations& violations) {
  return validation::ViolationsToStatus(violations, "invalid catalog entry: ");
}

// `venue_owners` (optional): venue_id -> institution_id of the venues already stored in the
// municipality; a venue id that another institution uses is flagged (venue ids are unique in
// the municipality).
FieldViolations ValidateInstitution(
    const v1::Institution& institution,
    const absl::flat_hash_map<std::string, std::string>* venue_owners = nullptr);

// `known_institution_ids` (optional): the municipality's institutions; the instructor's
// institution_id must be one of them.
FieldViolations ValidateInstructor(
    const v1::Instructor& instructor,
    const absl::flat_hash_set<std::string>* known_institution_ids = nullptr);

FieldViolations ValidateCalendar(const v1::MunicipalityCalendar& calendar);

// `known_institution_ids`: the municipality's institutions; every activity host must be one.
FieldViolations ValidateProgram(const v1::ProgramTemplate& program,
                                const absl::flat_hash_set<std::string>& known_institution_ids);

// One date range at `path` (e.g. "closure" of CloseVenueRequest, "absence" of
// AddInstructorAbsenceRequest): both days real, first_day <= last_day, a reason.
FieldViolations ValidateDateRange(const v1::DateRange& range, absl::string_view path);

// Ids as the catalog accepts them: 1..64 of [A-Za-z0-9_-].
bool IsValidId(absl::string_view id);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_CATALOG_VALIDATOR_H_
