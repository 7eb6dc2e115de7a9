#include "services/scheduling/participant_names.h"

#include "absl/strings/str_cat.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/channel.h"

namespace kpr::scheduling {

ParticipantNames::ParticipantNames(const std::string& referral_addr, std::string jwt_secret)
    : channel_(rpc::ServiceChannel(referral_addr)),
      stub_(referral::v1::ReferralService::NewStub(channel_)),
      secret_(std::move(jwt_secret)) {}

absl::StatusOr<std::string> ParticipantNames::FirstName(const std::string& municipality,
                                                        const std::string& referral_id,
                                                        const identity::Caller& caller) {
  identity::Claims claims;
  // The audit trail in the referral service names who the read was for.
  claims.subject = absl::StrCat("kpr-scheduling/for:", caller.claims.subject);
  claims.role = identity::Role::kService;
  claims.municipalities = {municipality};
  claims.expires_at = absl::Now() + absl::Minutes(5);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
  rpc::SetBearerToken(context, rpc::SignJwt(claims, secret_));
  rpc::SetTraceparent(context, caller.traceparent);
  referral::v1::GetContactRequest req;
  req.set_id(referral_id);
  referral::v1::Contact contact;
  grpc::Status st = stub_->GetContact(&context, req, &contact);
  if (!st.ok()) return rpc::FromGrpcStatus(st);
  return contact.given_name();
}

}  // namespace kpr::scheduling
