#include "services/scheduling/scheduling_grpc_service.h"

#include "libs/host/grpc_edge.h"

namespace kpr::scheduling {

grpc::Status SchedulingGrpcService::PutInstitution(grpc::ServerContext* context,
                                                   const v1::PutInstitutionRequest* request,
                                                   v1::Institution* response) {
  return host::ServeInto("PutInstitution", context, verifier_, response, [&](const Caller& caller) {
    return desks_.catalog.PutInstitution(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::ListInstitutions(grpc::ServerContext* context,
                                                     const v1::ListInstitutionsRequest* request,
                                                     v1::ListInstitutionsResponse* response) {
  return host::ServeInto(
      "ListInstitutions", context, verifier_, response,
      [&](const Caller& caller) { return desks_.catalog.ListInstitutions(*request, caller); });
}

grpc::Status SchedulingGrpcService::PutInstructor(grpc::ServerContext* context,
                                                  const v1::PutInstructorRequest* request,
                                                  v1::Instructor* response) {
  return host::ServeInto("PutInstructor", context, verifier_, response, [&](const Caller& caller) {
    return desks_.catalog.PutInstructor(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::ListInstructors(grpc::ServerContext* context,
                                                    const v1::ListInstructorsRequest* request,
                                                    v1::ListInstructorsResponse* response) {
  return host::ServeInto(
      "ListInstructors", context, verifier_, response,
      [&](const Caller& caller) { return desks_.catalog.ListInstructors(*request, caller); });
}

grpc::Status SchedulingGrpcService::PutCalendar(grpc::ServerContext* context,
                                                const v1::PutCalendarRequest* request,
                                                v1::MunicipalityCalendar* response) {
  return host::ServeInto("PutCalendar", context, verifier_, response, [&](const Caller& caller) {
    return desks_.catalog.PutCalendar(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::GetCalendar(grpc::ServerContext* context,
                                                const v1::GetCalendarRequest* request,
                                                v1::MunicipalityCalendar* response) {
  return host::ServeInto("GetCalendar", context, verifier_, response, [&](const Caller& caller) {
    return desks_.catalog.GetCalendar(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::PutProgram(grpc::ServerContext* context,
                                               const v1::PutProgramRequest* request,
                                               v1::ProgramTemplate* response) {
  return host::ServeInto("PutProgram", context, verifier_, response, [&](const Caller& caller) {
    return desks_.catalog.PutProgram(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::ListPrograms(grpc::ServerContext* context,
                                                 const v1::ListProgramsRequest* request,
                                                 v1::ListProgramsResponse* response) {
  return host::ServeInto("ListPrograms", context, verifier_, response, [&](const Caller& caller) {
    return desks_.catalog.ListPrograms(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::PlanCohort(grpc::ServerContext* context,
                                               const v1::PlanCohortRequest* request,
                                               v1::PlanCohortResponse* response) {
  return host::ServeInto("PlanCohort", context, verifier_, response, [&](const Caller& caller) {
    return desks_.cohorts.PlanCohort(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::CreateCohort(grpc::ServerContext* context,
                                                 const v1::CreateCohortRequest* request,
                                                 v1::CreateCohortResponse* response) {
  return host::ServeInto("CreateCohort", context, verifier_, response, [&](const Caller& caller) {
    return desks_.cohorts.CreateCohort(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::GetCohort(grpc::ServerContext* context,
                                              const v1::GetCohortRequest* request,
                                              v1::Cohort* response) {
  return host::ServeInto("GetCohort", context, verifier_, response, [&](const Caller& caller) {
    return desks_.cohorts.GetCohort(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::ListCohorts(grpc::ServerContext* context,
                                                const v1::ListCohortsRequest* request,
                                                v1::ListCohortsResponse* response) {
  return host::ServeInto("ListCohorts", context, verifier_, response, [&](const Caller& caller) {
    return desks_.cohorts.ListCohorts(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::CancelCohort(grpc::ServerContext* context,
                                                 const v1::CancelCohortRequest* request,
                                                 v1::Cohort* response) {
  return host::ServeInto("CancelCohort", context, verifier_, response, [&](const Caller& caller) {
    return desks_.cohorts.CancelCohort(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::ListSessions(grpc::ServerContext* context,
                                                 const v1::ListSessionsRequest* request,
                                                 v1::ListSessionsResponse* response) {
  return host::ServeInto("ListSessions", context, verifier_, response, [&](const Caller& caller) {
    return desks_.timetable.ListSessions(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::RescheduleSession(grpc::ServerContext* context,
                                                      const v1::RescheduleSessionRequest* request,
                                                      v1::Session* response) {
  return host::ServeInto(
      "RescheduleSession", context, verifier_, response,
      [&](const Caller& caller) { return desks_.timetable.RescheduleSession(*request, caller); });
}

grpc::Status SchedulingGrpcService::CancelSession(grpc::ServerContext* context,
                                                  const v1::CancelSessionRequest* request,
                                                  v1::Session* response) {
  return host::ServeInto("CancelSession", context, verifier_, response, [&](const Caller& caller) {
    return desks_.timetable.CancelSession(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::CloseVenue(grpc::ServerContext* context,
                                               const v1::CloseVenueRequest* request,
                                               v1::RepairResponse* response) {
  return host::ServeInto("CloseVenue", context, verifier_, response, [&](const Caller& caller) {
    return desks_.timetable.CloseVenue(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::AddInstructorAbsence(
    grpc::ServerContext* context, const v1::AddInstructorAbsenceRequest* request,
    v1::RepairResponse* response) {
  return host::ServeInto("AddInstructorAbsence", context, verifier_, response,
                         [&](const Caller& caller) {
                           return desks_.timetable.AddInstructorAbsence(*request, caller);
                         });
}

grpc::Status SchedulingGrpcService::Enroll(grpc::ServerContext* context,
                                           const v1::EnrollRequest* request,
                                           v1::EnrollResponse* response) {
  return host::ServeInto("Enroll", context, verifier_, response, [&](const Caller& caller) {
    return desks_.enrolment.Enroll(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::Unenroll(grpc::ServerContext* context,
                                             const v1::UnenrollRequest* request,
                                             v1::UnenrollResponse* response) {
  return host::ServeInto("Unenroll", context, verifier_, response, [&](const Caller& caller) {
    return desks_.enrolment.Unenroll(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::GetWaitlist(grpc::ServerContext* context,
                                                const v1::GetWaitlistRequest* request,
                                                v1::GetWaitlistResponse* response) {
  return host::ServeInto("GetWaitlist", context, verifier_, response, [&](const Caller& caller) {
    return desks_.enrolment.GetWaitlist(*request, caller);
  });
}

grpc::Status SchedulingGrpcService::ListParticipants(grpc::ServerContext* context,
                                                     const v1::ListParticipantsRequest* request,
                                                     v1::ListParticipantsResponse* response) {
  return host::ServeInto(
      "ListParticipants", context, verifier_, response,
      [&](const Caller& caller) { return desks_.enrolment.ListParticipants(*request, caller); });
}

grpc::Status SchedulingGrpcService::ExportCalendar(grpc::ServerContext* context,
                                                   const v1::ExportCalendarRequest* request,
                                                   v1::ExportCalendarResponse* response) {
  return host::ServeInto("ExportCalendar", context, verifier_, response, [&](const Caller& caller) {
    return desks_.timetable.ExportCalendar(*request, caller);
  });
}

}  // namespace kpr::scheduling
