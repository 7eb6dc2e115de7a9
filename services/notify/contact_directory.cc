#include "services/notify/contact_directory.h"

#include <algorithm>

#include "libs/identity/claims.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/channel.h"
#include "libs/rpc/jwt.h"

namespace kpr::notify {
namespace {
constexpr size_t kMaxPerCall = 500;  // GetContactPoints' limit
}  // namespace

ReferralContactDirectory::ReferralContactDirectory(const std::string& target,
                                                   std::string jwt_secret, absl::Duration timeout)
    : channel_(rpc::ServiceChannel(target)),
      stub_(referral::v1::ReferralService::NewStub(channel_)),
      secret_(std::move(jwt_secret)),
      timeout_(timeout) {}

absl::StatusOr<std::vector<referral::v1::ContactPoints>> ReferralContactDirectory::Lookup(
    const std::string& m, const std::vector<std::string>& referral_ids) {
  std::vector<referral::v1::ContactPoints> found;
  identity::Claims claims;
  claims.subject = "kpr-notify";
  claims.role = identity::Role::kService;
  claims.municipalities = {m};
  claims.expires_at = absl::Now() + absl::Minutes(5);
  const std::string token = rpc::SignJwt(claims, secret_);
  for (size_t begin = 0; begin < referral_ids.size(); begin += kMaxPerCall) {
    size_t end = std::min(referral_ids.size(), begin + kMaxPerCall);
    referral::v1::GetContactPointsRequest request;
    request.set_municipality(m);
    for (size_t i = begin; i < end; ++i) request.add_referral_ids(referral_ids[i]);
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    rpc::SetBearerToken(context, token);
    referral::v1::GetContactPointsResponse response;
    grpc::Status st = stub_->GetContactPoints(&context, request, &response);
    if (!st.ok()) return rpc::FromGrpcStatus(st);
    for (auto& c : *response.mutable_contact_points()) found.push_back(std::move(c));
  }
  return found;
}

}  // namespace kpr::notify
