#ifndef KPR_SERVICES_REFERRAL_REFERRAL_DESK_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_DESK_H_

// The referral desk: where referrals arrive (from the NATS intake or from staff over gRPC), are
// screened and change status. It validates, seals personal data, pseudonymizes the CPR number,
// authorizes against the caller's claims, and writes through ReferralStore, whose scripts append
// the resulting events to the outbox. The gRPC service and the intake handler are thin adapters
// over it.

#include <functional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "kpr/intake/v1/referral_submitted.pb.h"
#include "kpr/referral/v1/referral_service.pb.h"
#include "libs/identity/caller.h"
#include "libs/privacy/audit_trail.h"
#include "libs/privacy/pseudonym.h"
#include "libs/privacy/sealed_box.h"
#include "libs/rpc/jwt.h"
#include "services/referral/referral_store.h"
#include "services/referral/referral_validator.h"

namespace kpr::referral {

using identity::Caller;

class ReferralDesk {
 public:
  using Clock = std::function<absl::Time()>;

  ReferralDesk(ReferralStore& store, const privacy::SealedBox& sealed_box,
               const privacy::Pseudonymizer& pseudonymizer, privacy::AuditTrail& audit,
               std::function<void()> on_outbox_write, Clock clock = absl::Now);

  // Validates and, if valid, builds the referral to store with its received event. `submission`
  // is normalized. Pure apart from randomness (ids, nonces).
  struct Prepared {
    FieldViolations violations;
    NewReferral referral;
    // Not the submission's fault (the contact could not be sealed): try again later.
    absl::Status error;
  };
  Prepared Prepare(intake::v1::ReferralSubmitted submission, const Caller& caller) const;

  // The rejected event for an invalid intake submission. It names the bad fields but does not
  // echo a source_system or external_id that is itself one of them (it could be anything,
  // a CPR number included); the sender matches it by `submission_event_id` then.
  OutboxEvent RejectionEvent(const intake::v1::ReferralSubmitted& submission,
                             const FieldViolations& violations, const std::string& municipality,
                             const std::string& submission_event_id, const std::string& event_id,
                             const Caller& caller) const;

  // Staff entering a paper referral: INVALID_ARGUMENT naming every bad field, else the stored
  // (or already known) referral and whether it was created.
  absl::StatusOr<std::pair<v1::Referral, bool>> Submit(intake::v1::ReferralSubmitted submission,
                                                       const Caller& caller);

  absl::StatusOr<v1::Referral> Get(const std::string& id, const Caller& caller);
  absl::StatusOr<v1::ListReferralsResponse> List(const v1::ListReferralsRequest& request,
                                                 const Caller& caller);
  absl::StatusOr<v1::Referral> UpdateStatus(const v1::UpdateReferralStatusRequest& request,
                                            const Caller& caller);
  // Audited before anything is returned; if the audit cannot be written, nothing is returned.
  absl::StatusOr<v1::Contact> GetContact(const std::string& id, const Caller& caller);
  absl::StatusOr<v1::Funnel> GetFunnel(const v1::GetFunnelRequest& request, const Caller& caller);
  // Funnel counts below this are withheld (KPR_SUPPRESSION_THRESHOLD; 5 unless set).
  void set_suppression_threshold(int threshold) { suppression_threshold_ = threshold; }

  // A keyed digest (HMAC with the pseudonym key) of `value`, for de-duplication keys that must
  // not be reversible by guessing.
  std::string KeyedDigest(absl::string_view domain, absl::string_view value) const {
    return pseudonymizer_.Keyed(domain, value);
  }

  // Notified after every write that appended to the outbox (wakes the outbox relay).
  void NotifyOutbox() const {
    if (on_outbox_write_) on_outbox_write_();
  }

 private:
  absl::StatusOr<LoadedReferral> Load(const std::string& id);
  OutboxEvent MakeOutboxEvent(const std::string& event_id, absl::string_view event_name,
                              const std::string& municipality,
                              const google::protobuf::Message& payload, absl::Time at,
                              const Caller& caller) const;
  std::string SealContact(const v1::Contact& contact, const std::string& referral_id) const;

  ReferralStore& store_;
  const privacy::SealedBox& sealed_box_;
  const privacy::Pseudonymizer& pseudonymizer_;
  privacy::AuditTrail& audit_;
  std::function<void()> on_outbox_write_;
  Clock clock_;
  int suppression_threshold_ = 5;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_DESK_H_
