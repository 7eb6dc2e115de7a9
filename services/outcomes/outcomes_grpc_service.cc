#include "services/outcomes/outcomes_grpc_service.h"

#include "libs/host/grpc_edge.h"

namespace kpr::outcomes {

grpc::Status OutcomesGrpcService::RecordAttendance(grpc::ServerContext* context,
                                                   const v1::RecordAttendanceRequest* request,
                                                   v1::SessionAttendance* response) {
  return host::ServeInto("RecordAttendance", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.attendance.RecordAttendance(*request, caller);
                         });
}

grpc::Status OutcomesGrpcService::GetAttendance(grpc::ServerContext* context,
                                                const v1::GetAttendanceRequest* request,
                                                v1::GetAttendanceResponse* response) {
  return host::ServeInto("GetAttendance", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.attendance.GetAttendance(*request, caller);
                         });
}

grpc::Status OutcomesGrpcService::SubmitQuestionnaire(grpc::ServerContext* context,
                                                      const v1::SubmitQuestionnaireRequest* request,
                                                      v1::Questionnaire* response) {
  return host::ServeInto("SubmitQuestionnaire", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.questionnaires.SubmitQuestionnaire(*request, caller);
                         });
}

grpc::Status OutcomesGrpcService::GetQuestionnaires(grpc::ServerContext* context,
                                                    const v1::GetQuestionnairesRequest* request,
                                                    v1::GetQuestionnairesResponse* response) {
  return host::ServeInto("GetQuestionnaires", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.questionnaires.GetQuestionnaires(*request, caller);
                         });
}

grpc::Status OutcomesGrpcService::ListQuestionnaireSchedule(
    grpc::ServerContext* context, const v1::ListQuestionnaireScheduleRequest* request,
    v1::ListQuestionnaireScheduleResponse* response) {
  return host::ServeInto("ListQuestionnaireSchedule", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.questionnaires.ListQuestionnaireSchedule(*request, caller);
                         });
}

grpc::Status OutcomesGrpcService::GetCohortReport(grpc::ServerContext* context,
                                                  const v1::GetCohortReportRequest* request,
                                                  v1::OutcomeReport* response) {
  return host::ServeInto("GetCohortReport", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.reports.GetCohortReport(*request, caller);
                         });
}

grpc::Status OutcomesGrpcService::GetProgramReport(grpc::ServerContext* context,
                                                   const v1::GetProgramReportRequest* request,
                                                   v1::OutcomeReport* response) {
  return host::ServeInto("GetProgramReport", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.reports.GetProgramReport(*request, caller);
                         });
}

grpc::Status OutcomesGrpcService::ExportReport(grpc::ServerContext* context,
                                               const v1::ExportReportRequest* request,
                                               v1::ExportReportResponse* response) {
  return host::ServeInto("ExportReport", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.reports.ExportReport(*request, caller);
                         });
}

}  // namespace kpr::outcomes
