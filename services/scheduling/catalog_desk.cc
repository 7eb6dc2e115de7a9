#include "services/scheduling/catalog_desk.h"

#include "absl/container/flat_hash_map.h"
#include "services/scheduling/catalog_validator.h"

namespace kpr::scheduling {

absl::StatusOr<absl::flat_hash_set<std::string>> CatalogDesk::InstitutionIds(const std::string& m) {
  auto institutions = ctx_.store.ListInstitutions(m);
  if (!institutions.ok()) return institutions.status();
  absl::flat_hash_set<std::string> known;
  for (const auto& i : *institutions) known.insert(i.institution_id());
  return known;
}

absl::StatusOr<v1::Institution> CatalogDesk::PutInstitution(const v1::PutInstitutionRequest& req,
                                                            const Caller& caller) {
  const std::string& m = req.institution().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutInstitution, m); !s.ok()) return s;
  auto existing = ctx_.store.ListInstitutions(m);
  if (!existing.ok()) return existing.status();
  absl::flat_hash_map<std::string, std::string> venue_owners;
  for (const auto& inst : *existing) {
    for (const auto& v : inst.venues()) venue_owners[v.venue_id()] = inst.institution_id();
  }
  if (auto s = ViolationsToStatus(ValidateInstitution(req.institution(), &venue_owners)); !s.ok())
    return s;
  return ctx_.store.PutInstitution(req.institution(), req.expected_version());
}

absl::StatusOr<v1::ListInstitutionsResponse> CatalogDesk::ListInstitutions(
    const v1::ListInstitutionsRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListInstitutions, req.municipality());
      !s.ok()) {
    return s;
  }
  auto list = ctx_.store.ListInstitutions(req.municipality());
  if (!list.ok()) return list.status();
  v1::ListInstitutionsResponse out;
  for (auto& i : *list) *out.add_institutions() = std::move(i);
  return out;
}

absl::StatusOr<v1::Instructor> CatalogDesk::PutInstructor(const v1::PutInstructorRequest& req,
                                                          const Caller& caller) {
  const std::string& m = req.instructor().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutInstructor, m); !s.ok()) return s;
  auto known = InstitutionIds(m);
  if (!known.ok()) return known.status();
  if (auto s = ViolationsToStatus(ValidateInstructor(req.instructor(), &*known)); !s.ok()) return s;
  return ctx_.store.PutInstructor(req.instructor(), req.expected_version());
}

absl::StatusOr<v1::ListInstructorsResponse> CatalogDesk::ListInstructors(
    const v1::ListInstructorsRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListInstructors, req.municipality());
      !s.ok()) {
    return s;
  }
  auto list = ctx_.store.ListInstructors(req.municipality(), req.institution_id());
  if (!list.ok()) return list.status();
  v1::ListInstructorsResponse out;
  for (auto& i : *list) *out.add_instructors() = std::move(i);
  return out;
}

absl::StatusOr<v1::MunicipalityCalendar> CatalogDesk::PutCalendar(const v1::PutCalendarRequest& req,
                                                                  const Caller& caller) {
  const std::string& m = req.calendar().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutCalendar, m); !s.ok()) return s;
  if (auto s = ViolationsToStatus(ValidateCalendar(req.calendar())); !s.ok()) return s;
  return ctx_.store.PutCalendar(req.calendar(), req.expected_version());
}

absl::StatusOr<v1::MunicipalityCalendar> CatalogDesk::GetCalendar(const v1::GetCalendarRequest& req,
                                                                  const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kGetCalendar, req.municipality());
      !s.ok())
    return s;
  return ctx_.store.GetCalendar(req.municipality());
}

absl::StatusOr<v1::ProgramTemplate> CatalogDesk::PutProgram(const v1::PutProgramRequest& req,
                                                            const Caller& caller) {
  const std::string& m = req.program().municipality();
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kPutProgram, m); !s.ok()) return s;
  auto known = InstitutionIds(m);
  if (!known.ok()) return known.status();
  if (auto s = ViolationsToStatus(ValidateProgram(req.program(), *known)); !s.ok()) return s;
  return ctx_.store.PutProgram(req.program(), req.expected_version());
}

absl::StatusOr<v1::ListProgramsResponse> CatalogDesk::ListPrograms(
    const v1::ListProgramsRequest& req, const Caller& caller) {
  if (auto s = AuthorizeCall(caller.claims, SchedulingRpc::kListPrograms, req.municipality());
      !s.ok())
    return s;
  auto list = ctx_.store.ListPrograms(req.municipality());
  if (!list.ok()) return list.status();
  v1::ListProgramsResponse out;
  for (auto& p : *list) *out.add_programs() = std::move(p);
  return out;
}

}  // namespace kpr::scheduling
