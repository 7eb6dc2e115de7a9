#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_GRPC_SERVICE_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_GRPC_SERVICE_H_

// gRPC edge of the outcomes service: authenticates the bearer token, hands the call to the desk
// of its use case and maps absl::Status to gRPC codes (libs/host/grpc_edge.h). No logic of its
// own.

#include "kpr/outcomes/v1/outcomes_service.grpc.pb.h"
#include "libs/rpc/jwt.h"
#include "services/outcomes/outcomes_desks.h"

namespace kpr::outcomes {

class OutcomesGrpcService final : public v1::OutcomesService::Service {
 public:
  // `desks` and `verifier` must outlive the service.
  OutcomesGrpcService(OutcomesDesks& desks, const rpc::JwtVerifier& verifier)
      : desks_(desks), verifier_(verifier) {}

  grpc::Status RecordAttendance(grpc::ServerContext* context,
                                const v1::RecordAttendanceRequest* request,
                                v1::SessionAttendance* response) override;
  grpc::Status GetAttendance(grpc::ServerContext* context, const v1::GetAttendanceRequest* request,
                             v1::GetAttendanceResponse* response) override;
  grpc::Status SubmitQuestionnaire(grpc::ServerContext* context,
                                   const v1::SubmitQuestionnaireRequest* request,
                                   v1::Questionnaire* response) override;
  grpc::Status GetQuestionnaires(grpc::ServerContext* context,
                                 const v1::GetQuestionnairesRequest* request,
                                 v1::GetQuestionnairesResponse* response) override;
  grpc::Status ListQuestionnaireSchedule(grpc::ServerContext* context,
                                         const v1::ListQuestionnaireScheduleRequest* request,
                                         v1::ListQuestionnaireScheduleResponse* response) override;
  grpc::Status GetCohortReport(grpc::ServerContext* context,
                               const v1::GetCohortReportRequest* request,
                               v1::OutcomeReport* response) override;
  grpc::Status GetProgramReport(grpc::ServerContext* context,
                                const v1::GetProgramReportRequest* request,
                                v1::OutcomeReport* response) override;
  grpc::Status ExportReport(grpc::ServerContext* context, const v1::ExportReportRequest* request,
                            v1::ExportReportResponse* response) override;

 private:
  OutcomesDesks& desks_;
  const rpc::JwtVerifier& verifier_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_GRPC_SERVICE_H_
