#ifndef KPR_SERVICES_REFERRAL_REFERRAL_GRPC_SERVICE_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_GRPC_SERVICE_H_

// gRPC edge of the referral service: authenticates the bearer token, hands the call to the
// desk of its use case and maps absl::Status to gRPC codes. No logic of its own.

#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/rpc/jwt.h"
#include "services/referral/referral_desks.h"

namespace kpr::referral {

class ReferralGrpcService final : public v1::ReferralService::Service {
 public:
  ReferralGrpcService(ReferralDesks& desks, const rpc::JwtVerifier& verifier);

  grpc::Status SubmitReferral(grpc::ServerContext* context,
                              const v1::SubmitReferralRequest* request,
                              v1::SubmitReferralResponse* response) override;
  grpc::Status GetReferral(grpc::ServerContext* context, const v1::GetReferralRequest* request,
                           v1::Referral* response) override;
  grpc::Status ListReferrals(grpc::ServerContext* context, const v1::ListReferralsRequest* request,
                             v1::ListReferralsResponse* response) override;
  grpc::Status UpdateReferralStatus(grpc::ServerContext* context,
                                    const v1::UpdateReferralStatusRequest* request,
                                    v1::Referral* response) override;
  grpc::Status GetContact(grpc::ServerContext* context, const v1::GetContactRequest* request,
                          v1::Contact* response) override;
  grpc::Status GetContactPoints(grpc::ServerContext* context,
                                const v1::GetContactPointsRequest* request,
                                v1::GetContactPointsResponse* response) override;
  grpc::Status GetFunnel(grpc::ServerContext* context, const v1::GetFunnelRequest* request,
                         v1::Funnel* response) override;

 private:
  ReferralDesks& desks_;
  const rpc::JwtVerifier& verifier_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_GRPC_SERVICE_H_
