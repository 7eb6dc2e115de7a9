#include "services/scheduling/scheduling_grpc_service.h"

#include "libs/host/grpc_edge.h"

namespace kpr::scheduling {
namespace {

// Runs the desk method as the authenticated caller and moves its result into the response.
template <typename Response, typename Method>
grpc::Status Serve(const char* name, grpc::ServerContext* context, const rpc::JwtVerifier& verifier,
                   Response* response, Method method) {
  return host::ServeCall(name, context, verifier, [&](const Caller& caller) -> absl::Status {
    auto result = method(caller);
    if (!result.ok()) return result.status();
    *response = *std::move(result);
    return absl::OkStatus();
  });
}

}  // namespace

grpc::Status SchedulingGrpcService::PutInstitution(grpc::ServerContext* context, const v1::PutInstitutionRequest* request,
                                           v1::Institution* response) {
  return Serve("PutInstitution", context, verifier_, response,
               [&](const Caller& caller) { return desk_.PutInstitution(*request, caller); });
}

grpc::Status SchedulingGrpcService::ListInstitutions(grpc::ServerContext* context, const v1::ListInstitutionsRequest* request,
                                           v1::ListInstitutionsResponse* response) {
  return Serve("ListInstitutions", context, verifier_, response,
               [&](const Caller& caller) { return desk_.ListInstitutions(*request, caller); });
}

grpc::Status SchedulingGrpcService::PutInstructor(grpc::ServerContext* context, const v1::PutInstructorRequest* request,
                                           v1::Instructor* response) {
  return Serve("PutInstructor", context, verifier_, response,
               [&](const Caller& caller) { return desk_.PutInstructor(*request, caller); });
}

grpc::Status SchedulingGrpcService::ListInstructors(grpc::ServerContext* context, const v1::ListInstructorsRequest* request,
                                           v1::ListInstructorsResponse* response) {
  return Serve("ListInstructors", context, verifier_, response,
               [&](const Caller& caller) { return desk_.ListInstructors(*request, caller); });
}

grpc::Status SchedulingGrpcService::PutCalendar(grpc::ServerContext* context, const v1::PutCalendarRequest* request,
                                           v1::MunicipalityCalendar* response) {
  return Serve("PutCalendar", context, verifier_, response,
               [&](const Caller& caller) { return desk_.PutCalendar(*request, caller); });
}

grpc::Status SchedulingGrpcService::GetCalendar(grpc::ServerContext* context, const v1::GetCalendarRequest* request,
                                           v1::MunicipalityCalendar* response) {
  return Serve("GetCalendar", context, verifier_, response,
               [&](const Caller& caller) { return desk_.GetCalendar(*request, caller); });
}

grpc::Status SchedulingGrpcService::PutProgram(grpc::ServerContext* context, const v1::PutProgramRequest* request,
                                           v1::ProgramTemplate* response) {
  return Serve("PutProgram", context, verifier_, response,
               [&](const Caller& caller) { return desk_.PutProgram(*request, caller); });
}

grpc::Status SchedulingGrpcService::ListPrograms(grpc::ServerContext* context, const v1::ListProgramsRequest* request,
                                           v1::ListProgramsResponse* response) {
  return Serve("ListPrograms", context, verifier_, response,
               [&](const Caller& caller) { return desk_.ListPrograms(*request, caller); });
}

grpc::Status SchedulingGrpcService::PlanCohort(grpc::ServerContext* context, const v1::PlanCohortRequest* request,
                                           v1::PlanCohortResponse* response) {
  return Serve("PlanCohort", context, verifier_, response,
               [&](const Caller& caller) { return desk_.PlanCohort(*request, caller); });
}

grpc::Status SchedulingGrpcService::CreateCohort(grpc::ServerContext* context, const v1::CreateCohortRequest* request,
                                           v1::CreateCohortResponse* response) {
  return Serve("CreateCohort", context, verifier_, response,
               [&](const Caller& caller) { return desk_.CreateCohort(*request, caller); });
}

grpc::Status SchedulingGrpcService::GetCohort(grpc::ServerContext* context, const v1::GetCohortRequest* request,
                                           v1::Cohort* response) {
  return Serve("GetCohort", context, verifier_, response,
               [&](const Caller& caller) { return desk_.GetCohort(*request, caller); });
}

grpc::Status SchedulingGrpcService::ListCohorts(grpc::ServerContext* context, const v1::ListCohortsRequest* request,
                                           v1::ListCohortsResponse* response) {
  return Serve("ListCohorts", context, verifier_, response,
               [&](const Caller& caller) { return desk_.ListCohorts(*request, caller); });
}

grpc::Status SchedulingGrpcService::CancelCohort(grpc::ServerContext* context, const v1::CancelCohortRequest* request,
                                           v1::Cohort* response) {
  return Serve("CancelCohort", context, verifier_, response,
               [&](const Caller& caller) { return desk_.CancelCohort(*request, caller); });
}

grpc::Status SchedulingGrpcService::ListSessions(grpc::ServerContext* context, const v1::ListSessionsRequest* request,
                                           v1::ListSessionsResponse* response) {
  return Serve("ListSessions", context, verifier_, response,
               [&](const Caller& caller) { return desk_.ListSessions(*request, caller); });
}

grpc::Status SchedulingGrpcService::RescheduleSession(grpc::ServerContext* context, const v1::RescheduleSessionRequest* request,
                                           v1::Session* response) {
  return Serve("RescheduleSession", context, verifier_, response,
               [&](const Caller& caller) { return desk_.RescheduleSession(*request, caller); });
}

grpc::Status SchedulingGrpcService::CancelSession(grpc::ServerContext* context, const v1::CancelSessionRequest* request,
                                           v1::Session* response) {
  return Serve("CancelSession", context, verifier_, response,
               [&](const Caller& caller) { return desk_.CancelSession(*request, caller); });
}

grpc::Status SchedulingGrpcService::CloseVenue(grpc::ServerContext* context, const v1::CloseVenueRequest* request,
                                           v1::RepairResponse* response) {
  return Serve("CloseVenue", context, verifier_, response,
               [&](const Caller& caller) { return desk_.CloseVenue(*request, caller); });
}

grpc::Status SchedulingGrpcService::AddInstructorAbsence(grpc::ServerContext* context, const v1::AddInstructorAbsenceRequest* request,
                                           v1::RepairResponse* response) {
  return Serve("AddInstructorAbsence", context, verifier_, response,
               [&](const Caller& caller) { return desk_.AddInstructorAbsence(*request, caller); });
}

grpc::Status SchedulingGrpcService::Enroll(grpc::ServerContext* context, const v1::EnrollRequest* request,
                                           v1::EnrollResponse* response) {
  return Serve("Enroll", context, verifier_, response,
               [&](const Caller& caller) { return desk_.Enroll(*request, caller); });
}

grpc::Status SchedulingGrpcService::Unenroll(grpc::ServerContext* context, const v1::UnenrollRequest* request,
                                           v1::UnenrollResponse* response) {
  return Serve("Unenroll", context, verifier_, response,
               [&](const Caller& caller) { return desk_.Unenroll(*request, caller); });
}

grpc::Status SchedulingGrpcService::GetWaitlist(grpc::ServerContext* context, const v1::GetWaitlistRequest* request,
                                           v1::GetWaitlistResponse* response) {
  return Serve("GetWaitlist", context, verifier_, response,
               [&](const Caller& caller) { return desk_.GetWaitlist(*request, caller); });
}

grpc::Status SchedulingGrpcService::ListParticipants(grpc::ServerContext* context, const v1::ListParticipantsRequest* request,
                                           v1::ListParticipantsResponse* response) {
  return Serve("ListParticipants", context, verifier_, response,
               [&](const Caller& caller) { return desk_.ListParticipants(*request, caller); });
}

grpc::Status SchedulingGrpcService::ExportCalendar(grpc::ServerContext* context, const v1::ExportCalendarRequest* request,
                                           v1::ExportCalendarResponse* response) {
  return Serve("ExportCalendar", context, verifier_, response,
               [&](const Caller& caller) { return desk_.ExportCalendar(*request, caller); });
}

}  // namespace kpr::scheduling
