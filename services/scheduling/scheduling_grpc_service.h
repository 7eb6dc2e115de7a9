#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_

// gRPC edge of the scheduling service: authenticates the bearer token, hands the call to the
// desk of its use case (scheduling_desks.h) and maps absl::Status to gRPC codes
// (libs/host/grpc_edge.h). No logic of its own.

#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"
#include "libs/rpc/jwt.h"
#include "services/scheduling/scheduling_desks.h"

namespace kpr::scheduling {

class SchedulingGrpcService final : public v1::SchedulingService::Service {
 public:
  SchedulingGrpcService(SchedulingDesks& desks, const rpc::JwtVerifier& verifier)
      : desks_(desks), verifier_(verifier) {}

  grpc::Status PutInstitution(grpc::ServerContext* context,
                              const v1::PutInstitutionRequest* request,
                              v1::Institution* response) override;
  grpc::Status ListInstitutions(grpc::ServerContext* context,
                                const v1::ListInstitutionsRequest* request,
                                v1::ListInstitutionsResponse* response) override;
  grpc::Status PutInstructor(grpc::ServerContext* context, const v1::PutInstructorRequest* request,
                             v1::Instructor* response) override;
  grpc::Status ListInstructors(grpc::ServerContext* context,
                               const v1::ListInstructorsRequest* request,
                               v1::ListInstructorsResponse* response) override;
  grpc::Status PutCalendar(grpc::ServerContext* context, const v1::PutCalendarRequest* request,
                           v1::MunicipalityCalendar* response) override;
  grpc::Status GetCalendar(grpc::ServerContext* context, const v1::GetCalendarRequest* request,
                           v1::MunicipalityCalendar* response) override;
  grpc::Status PutProgram(grpc::ServerContext* context, const v1::PutProgramRequest* request,
                          v1::ProgramTemplate* response) override;
  grpc::Status ListPrograms(grpc::ServerContext* context, const v1::ListProgramsRequest* request,
                            v1::ListProgramsResponse* response) override;
  grpc::Status PlanCohort(grpc::ServerContext* context, const v1::PlanCohortRequest* request,
                          v1::PlanCohortResponse* response) override;
  grpc::Status CreateCohort(grpc::ServerContext* context, const v1::CreateCohortRequest* request,
                            v1::CreateCohortResponse* response) override;
  grpc::Status GetCohort(grpc::ServerContext* context, const v1::GetCohortRequest* request,
                         v1::Cohort* response) override;
  grpc::Status ListCohorts(grpc::ServerContext* context, const v1::ListCohortsRequest* request,
                           v1::ListCohortsResponse* response) override;
  grpc::Status CancelCohort(grpc::ServerContext* context, const v1::CancelCohortRequest* request,
                            v1::Cohort* response) override;
  grpc::Status ListSessions(grpc::ServerContext* context, const v1::ListSessionsRequest* request,
                            v1::ListSessionsResponse* response) override;
  grpc::Status RescheduleSession(grpc::ServerContext* context,
                                 const v1::RescheduleSessionRequest* request,
                                 v1::Session* response) override;
  grpc::Status CancelSession(grpc::ServerContext* context, const v1::CancelSessionRequest* request,
                             v1::Session* response) override;
  grpc::Status CloseVenue(grpc::ServerContext* context, const v1::CloseVenueRequest* request,
                          v1::RepairResponse* response) override;
  grpc::Status AddInstructorAbsence(grpc::ServerContext* context,
                                    const v1::AddInstructorAbsenceRequest* request,
                                    v1::RepairResponse* response) override;
  grpc::Status Enroll(grpc::ServerContext* context, const v1::EnrollRequest* request,
                      v1::EnrollResponse* response) override;
  grpc::Status Unenroll(grpc::ServerContext* context, const v1::UnenrollRequest* request,
                        v1::UnenrollResponse* response) override;
  grpc::Status GetWaitlist(grpc::ServerContext* context, const v1::GetWaitlistRequest* request,
                           v1::GetWaitlistResponse* response) override;
  grpc::Status ListParticipants(grpc::ServerContext* context,
                                const v1::ListParticipantsRequest* request,
                                v1::ListParticipantsResponse* response) override;
  grpc::Status ExportCalendar(grpc::ServerContext* context,
                              const v1::ExportCalendarRequest* request,
                              v1::ExportCalendarResponse* response) override;

 private:
  SchedulingDesks& desks_;
  const rpc::JwtVerifier& verifier_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_
