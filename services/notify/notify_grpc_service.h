#ifndef KPR_SERVICES_NOTIFY_NOTIFY_GRPC_SERVICE_H_
#define KPR_SERVICES_NOTIFY_NOTIFY_GRPC_SERVICE_H_
// gRPC edge of the notify service: authenticates the bearer token, hands the call to the desk of
// its use case and maps absl::Status to gRPC codes (libs/host/grpc_edge.h). No logic of its own.
#include "kpr/notify/v1/notify_service.grpc.pb.h"
#include "libs/rpc/jwt.h"
#include "services/notify/notify_desks.h"

namespace kpr::notify {

class NotifyGrpcService final : public v1::NotifyService::Service {
 public:
  // `desks` and `verifier` must outlive the service.
  NotifyGrpcService(NotifyDesks& desks, const rpc::JwtVerifier& verifier)
      : desks_(desks), verifier_(verifier) {}
  grpc::Status ListDeliveries(grpc::ServerContext* context,
                              const v1::ListDeliveriesRequest* request,
                              v1::ListDeliveriesResponse* response) override;
  grpc::Status GetPreferences(grpc::ServerContext* context,
                              const v1::GetPreferencesRequest* request,
                              v1::Preferences* response) override;
  grpc::Status SetPreferences(grpc::ServerContext* context,
                              const v1::SetPreferencesRequest* request,
                              v1::Preferences* response) override;
  grpc::Status UpsertTemplate(grpc::ServerContext* context,
                              const v1::UpsertTemplateRequest* request,
                              v1::Template* response) override;
  grpc::Status ListTemplates(grpc::ServerContext* context, const v1::ListTemplatesRequest* request,
                             v1::ListTemplatesResponse* response) override;
  grpc::Status PreviewMessage(grpc::ServerContext* context,
                              const v1::PreviewMessageRequest* request,
                              v1::PreviewMessageResponse* response) override;
  grpc::Status SendMessage(grpc::ServerContext* context, const v1::SendMessageRequest* request,
                           v1::SendMessageResponse* response) override;
  grpc::Status SetReminderOffsets(grpc::ServerContext* context,
                                  const v1::SetReminderOffsetsRequest* request,
                                  v1::ReminderOffsets* response) override;
  grpc::Status GetReminderOffsets(grpc::ServerContext* context,
                                  const v1::GetReminderOffsetsRequest* request,
                                  v1::ReminderOffsets* response) override;
  grpc::Status SetCoordinatorContact(grpc::ServerContext* context,
                                     const v1::SetCoordinatorContactRequest* request,
                                     v1::CoordinatorContact* response) override;
  grpc::Status GetCoordinatorContact(grpc::ServerContext* context,
                                     const v1::GetCoordinatorContactRequest* request,
                                     v1::CoordinatorContact* response) override;

 private:
  NotifyDesks& desks_;
  const rpc::JwtVerifier& verifier_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_NOTIFY_GRPC_SERVICE_H_
