#ifndef KPR_SERVICES_REFERRAL_INTAKE_DESK_H_
#define KPR_SERVICES_REFERRAL_INTAKE_DESK_H_

// Where referrals arrive, from the NATS intake (batches, see intake_handler.h) or from staff over
// gRPC (a paper referral): validated, normalized, the CPR number pseudonymized and the contact
// sealed, then stored once per (source system, external id) with its received event.

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kpr/intake/v1/referral_submitted.pb.h"
#include "services/referral/referral_context.h"
#include "services/referral/referral_validator.h"

namespace kpr::referral {

class IntakeDesk {
 public:
  explicit IntakeDesk(ReferralContext& ctx) : ctx_(ctx) {}

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

  // A keyed digest (HMAC with the pseudonym key) of `value`, for de-duplication keys that must
  // not be reversible by guessing.
  std::string KeyedDigest(absl::string_view domain, absl::string_view value) const {
    return ctx_.pseudonymizer.Keyed(domain, value);
  }
  void NotifyOutbox() const { ctx_.NotifyOutbox(); }

 private:
  ReferralContext& ctx_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_INTAKE_DESK_H_
