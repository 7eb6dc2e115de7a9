#include "services/referral/referral_grpc_service.h"

#include "libs/host/grpc_edge.h"

namespace kpr::referral {

ReferralGrpcService::ReferralGrpcService(ReferralDesk& desk, const rpc::JwtVerifier& verifier)
    : desk_(desk), verifier_(verifier) {}

template <typename Body>
grpc::Status ReferralGrpcService::Serve(const char* method, grpc::ServerContext* context, Body body) {
  return host::ServeCall(method, context, verifier_, body);
}

grpc::Status ReferralGrpcService::SubmitReferral(grpc::ServerContext* context,
                                                 const v1::SubmitReferralRequest* request,
                                                 v1::SubmitReferralResponse* response) {
  return Serve("SubmitReferral", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.Submit(request->submission(), caller);
    if (!result.ok()) return result.status();
    *response->mutable_referral() = std::move(result->first);
    response->set_created(result->second);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::GetReferral(grpc::ServerContext* context,
                                              const v1::GetReferralRequest* request,
                                              v1::Referral* response) {
  return Serve("GetReferral", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.Get(request->id(), caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::ListReferrals(grpc::ServerContext* context,
                                                const v1::ListReferralsRequest* request,
                                                v1::ListReferralsResponse* response) {
  return Serve("ListReferrals", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.List(*request, caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::UpdateReferralStatus(grpc::ServerContext* context,
                                                       const v1::UpdateReferralStatusRequest* request,
                                                       v1::Referral* response) {
  return Serve("UpdateReferralStatus", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.UpdateStatus(*request, caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::GetContact(grpc::ServerContext* context,
                                             const v1::GetContactRequest* request,
                                             v1::Contact* response) {
  return Serve("GetContact", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.GetContact(request->id(), caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

grpc::Status ReferralGrpcService::GetFunnel(grpc::ServerContext* context,
                                            const v1::GetFunnelRequest* request,
                                            v1::Funnel* response) {
  return Serve("GetFunnel", context, [&](const Caller& caller) -> absl::Status {
    auto result = desk_.GetFunnel(*request, caller);
    if (!result.ok()) return result.status();
    *response = std::move(*result);
    return absl::OkStatus();
  });
}

}  // namespace kpr::referral
