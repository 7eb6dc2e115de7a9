#ifndef KPR_SERVICES_SCHEDULING_CATALOG_DESK_H_
#define KPR_SERVICES_SCHEDULING_CATALOG_DESK_H_

// The catalog desk: what a municipality offers to plan with. Admins and coordinators put
// institutions (with their venues), instructors, the municipality's calendar and program
// templates, each checked by catalog_validator.h and stored by expected version (ABORTED when
// it changed meanwhile: the caller reads again). Venue closures and instructor absences move
// sessions, so they are the timetable desk's.

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "kpr/scheduling/v1/scheduling_service.pb.h"
#include "services/scheduling/desk_context.h"

namespace kpr::scheduling {

class CatalogDesk {
 public:
  explicit CatalogDesk(const DeskContext& context) : ctx_(context) {}

  absl::StatusOr<v1::Institution> PutInstitution(const v1::PutInstitutionRequest& req,
                                                 const Caller& caller);
  absl::StatusOr<v1::ListInstitutionsResponse> ListInstitutions(
      const v1::ListInstitutionsRequest& req, const Caller& caller);
  absl::StatusOr<v1::Instructor> PutInstructor(const v1::PutInstructorRequest& req,
                                               const Caller& caller);
  absl::StatusOr<v1::ListInstructorsResponse> ListInstructors(const v1::ListInstructorsRequest& req,
                                                              const Caller& caller);
  absl::StatusOr<v1::MunicipalityCalendar> PutCalendar(const v1::PutCalendarRequest& req,
                                                       const Caller& caller);
  absl::StatusOr<v1::MunicipalityCalendar> GetCalendar(const v1::GetCalendarRequest& req,
                                                       const Caller& caller);
  absl::StatusOr<v1::ProgramTemplate> PutProgram(const v1::PutProgramRequest& req,
                                                 const Caller& caller);
  absl::StatusOr<v1::ListProgramsResponse> ListPrograms(const v1::ListProgramsRequest& req,
                                                        const Caller& caller);

 private:
  // The ids of the municipality's institutions, which instructors and programs must name.
  absl::StatusOr<absl::flat_hash_set<std::string>> InstitutionIds(const std::string& municipality);

  const DeskContext& ctx_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_CATALOG_DESK_H_
