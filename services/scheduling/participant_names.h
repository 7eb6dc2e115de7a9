#ifndef KPR_SERVICES_SCHEDULING_PARTICIPANT_NAMES_H_
#define KPR_SERVICES_SCHEDULING_PARTICIPANT_NAMES_H_

// Participants' first names for instructors, asked from the referral service (which owns contact
// details and audits every read) with the scheduling service's own identity: a short-lived
// service token signed with the shared HS256 secret, for the municipality concerned.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/identity/caller.h"

namespace kpr::scheduling {

class ParticipantNames {
 public:
  ParticipantNames(const std::string& referral_addr, std::string jwt_secret);
  // The given name only; the rest of the contact is dropped here.
  absl::StatusOr<std::string> FirstName(const std::string& municipality,
                                        const std::string& referral_id,
                                        const identity::Caller& caller);

 private:
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<referral::v1::ReferralService::Stub> stub_;
  const std::string secret_;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_PARTICIPANT_NAMES_H_
