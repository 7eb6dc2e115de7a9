#include "services/referral/referral_grpc_service.h"

#include "libs/host/grpc_edge.h"

namespace kpr::referral {

ReferralGrpcService::ReferralGrpcService(ReferralDesks& desks, const rpc::JwtVerifier& verifier)
    : desks_(desks), verifier_(verifier) {}

grpc::Status ReferralGrpcService::SubmitReferral(grpc::ServerContext* context,
                                                 const v1::SubmitReferralRequest* request,
                                                 v1::SubmitReferralResponse* response) {
  return host::ServeCall("SubmitReferral", context, verifier_,
                         [&](const Caller& caller) -> absl::Status {
                           auto result = desks_.intake.Submit(request->submission(), caller);
                           if (!result.ok()) return result.status();
                           *response->mutable_referral() = std::move(result->first);
                           response->set_created(result->second);
                           return absl::OkStatus();
                         });
}

grpc::Status ReferralGrpcService::GetReferral(grpc::ServerContext* context,
                                              const v1::GetReferralRequest* request,
                                              v1::Referral* response) {
  return host::ServeInto("GetReferral", context, verifier_, response, [&](const Caller& caller) {
    return desks_.review.Get(request->id(), caller);
  });
}

grpc::Status ReferralGrpcService::ListReferrals(grpc::ServerContext* context,
                                                const v1::ListReferralsRequest* request,
                                                v1::ListReferralsResponse* response) {
  return host::ServeInto("ListReferrals", context, verifier_, response, [&](const Caller& caller) {
    return desks_.review.List(*request, caller);
  });
}

grpc::Status ReferralGrpcService::UpdateReferralStatus(
    grpc::ServerContext* context, const v1::UpdateReferralStatusRequest* request,
    v1::Referral* response) {
  return host::ServeInto(
      "UpdateReferralStatus", context, verifier_, response,
      [&](const Caller& caller) { return desks_.review.UpdateStatus(*request, caller); });
}

grpc::Status ReferralGrpcService::GetContact(grpc::ServerContext* context,
                                             const v1::GetContactRequest* request,
                                             v1::Contact* response) {
  return host::ServeInto("GetContact", context, verifier_, response, [&](const Caller& caller) {
    return desks_.review.GetContact(request->id(), caller);
  });
}

grpc::Status ReferralGrpcService::GetContactPoints(grpc::ServerContext* context,
                                                   const v1::GetContactPointsRequest* request,
                                                   v1::GetContactPointsResponse* response) {
  return host::ServeInto(
      "GetContactPoints", context, verifier_, response,
      [&](const Caller& caller) { return desks_.outreach.GetContactPoints(*request, caller); });
}

grpc::Status ReferralGrpcService::GetFunnel(grpc::ServerContext* context,
                                            const v1::GetFunnelRequest* request,
                                            v1::Funnel* response) {
  return host::ServeInto("GetFunnel", context, verifier_, response, [&](const Caller& caller) {
    return desks_.funnel.GetFunnel(*request, caller);
  });
}

}  // namespace kpr::referral
