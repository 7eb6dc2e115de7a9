#include "services/notify/notify_grpc_service.h"

#include "libs/host/grpc_edge.h"

namespace kpr::notify {

grpc::Status NotifyGrpcService::ListDeliveries(grpc::ServerContext* context,
                                               const v1::ListDeliveriesRequest* request,
                                               v1::ListDeliveriesResponse* response) {
  return host::ServeInto("ListDeliveries", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.deliveries.ListDeliveries(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::GetPreferences(grpc::ServerContext* context,
                                               const v1::GetPreferencesRequest* request,
                                               v1::Preferences* response) {
  return host::ServeInto("GetPreferences", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.GetPreferences(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::SetPreferences(grpc::ServerContext* context,
                                               const v1::SetPreferencesRequest* request,
                                               v1::Preferences* response) {
  return host::ServeInto("SetPreferences", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.SetPreferences(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::UpsertTemplate(grpc::ServerContext* context,
                                               const v1::UpsertTemplateRequest* request,
                                               v1::Template* response) {
  return host::ServeInto("UpsertTemplate", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.UpsertTemplate(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::ListTemplates(grpc::ServerContext* context,
                                              const v1::ListTemplatesRequest* request,
                                              v1::ListTemplatesResponse* response) {
  return host::ServeInto("ListTemplates", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.ListTemplates(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::PreviewMessage(grpc::ServerContext* context,
                                               const v1::PreviewMessageRequest* request,
                                               v1::PreviewMessageResponse* response) {
  return host::ServeInto("PreviewMessage", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.PreviewMessage(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::SendMessage(grpc::ServerContext* context,
                                            const v1::SendMessageRequest* request,
                                            v1::SendMessageResponse* response) {
  return host::ServeInto("SendMessage", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.deliveries.SendMessage(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::SetReminderOffsets(grpc::ServerContext* context,
                                                   const v1::SetReminderOffsetsRequest* request,
                                                   v1::ReminderOffsets* response) {
  return host::ServeInto("SetReminderOffsets", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.SetReminderOffsets(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::GetReminderOffsets(grpc::ServerContext* context,
                                                   const v1::GetReminderOffsetsRequest* request,
                                                   v1::ReminderOffsets* response) {
  return host::ServeInto("GetReminderOffsets", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.GetReminderOffsets(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::SetCoordinatorContact(
    grpc::ServerContext* context, const v1::SetCoordinatorContactRequest* request,
    v1::CoordinatorContact* response) {
  return host::ServeInto("SetCoordinatorContact", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.SetCoordinatorContact(*request, caller);
                         });
}

grpc::Status NotifyGrpcService::GetCoordinatorContact(
    grpc::ServerContext* context, const v1::GetCoordinatorContactRequest* request,
    v1::CoordinatorContact* response) {
  return host::ServeInto("GetCoordinatorContact", context, verifier_, response,
                         [&](const identity::Caller& caller) {
                           return desks_.settings.GetCoordinatorContact(*request, caller);
                         });
}

}  // namespace kpr::notify
