#ifndef KPR_SERVICES_NOTIFY_CONTACT_DIRECTORY_H_
#define KPR_SERVICES_NOTIFY_CONTACT_DIRECTORY_H_
// Where notify learns a recipient's phone, e-mail, first name and language: from kpr-referral
// at send time, over its narrow GetContactPoints RPC for the service role, which audits every
// read. Notify never stores what it gets in clear: the delivery keeps the masked contact point
// and the sealed message only.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"

namespace kpr::notify {

class ContactDirectory {
 public:
  virtual ~ContactDirectory() = default;
  // The contact points of each referral, for `m`, in any order; a referral the service does not
  // know is left out. UNAVAILABLE (a retry) when kpr-referral cannot be reached.
  virtual absl::StatusOr<std::vector<referral::v1::ContactPoints>> Lookup(
      const std::string& m, const std::vector<std::string>& referral_ids) = 0;
};

// GetContactPoints on kpr-referral, as "kpr-notify" with a short-lived service token for the one
// municipality asked about; up to 500 referrals a call (the RPC's limit), more in several.
class ReferralContactDirectory : public ContactDirectory {
 public:
  // `target`: KPR_REFERRAL_ADDR ("host:port" or a gRPC target URI). `jwt_secret`: the shared
  // HS256 secret.
  ReferralContactDirectory(const std::string& target, std::string jwt_secret,
                           absl::Duration timeout = absl::Seconds(5));
  absl::StatusOr<std::vector<referral::v1::ContactPoints>> Lookup(
      const std::string& m, const std::vector<std::string>& referral_ids) override;

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<referral::v1::ReferralService::Stub> stub_;
  const std::string secret_;
  const absl::Duration timeout_;
};

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_CONTACT_DIRECTORY_H_
