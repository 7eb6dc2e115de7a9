#ifndef KPR_SERVICES_REFERRAL_INTAKE_DESK_H_
#define KPR_SERVICES_REFERRAL_INTAKE_DESK_H_

// Where referrals arrive, from the NATS intake (batches, see intake_handler.h) or from staff over
// gRPC (a paper referral), both through SubmitBatch: validated, normalized, the CPR number
// pseudonymized and the contact sealed, then stored once per (source system, external id) with
// its received event.

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "kpr/intake/v1/referral_submitted.pb.h"
#include "services/referral/referral_context.h"
#include "services/referral/referral_validator.h"

namespace kpr::referral {

// One submission of an intake batch.
struct IntakeItem {
  intake::v1::ReferralSubmitted submission;
  Caller caller;
  // The municipality it arrived for (the NATS subject's, or the one the staff member may submit
  // for): the submission must name the same.
  std::string municipality;
  // From NATS: the submission event's id and its payload's bytes. A rejection is then recorded
  // once, as a referral.rejected event the integration matches by this id. Empty over gRPC, where
  // the caller is given the violations instead.
  std::string event_id;
  absl::string_view payload;
};

// What became of one submission.
struct IntakeResult {
  enum class Kind {
    kStored,     // a new referral
    kDuplicate,  // its (source_system, external_id) was submitted before: that referral stands
    kRejected,   // invalid: `violations` name the fields (and it is recorded, from NATS)
    kRetry,      // not the submission's fault (Redis out, sealing failed): `error`, try again
  };
  Kind kind = Kind::kRetry;
  std::string referral_id;     // kStored, kDuplicate
  FieldViolations violations;  // kRejected
  absl::Status error;          // kRetry
};

class IntakeDesk {
 public:
  explicit IntakeDesk(ReferralContext& ctx) : ctx_(ctx) {}

  // Validates, normalizes and stores a batch, all of it in one Redis round trip: the CPR number
  // pseudonymized, the contact sealed, each referral stored once per (source system, external id)
  // with its received event, each rejection once. One result per item, in order. The received
  // events go straight to the outbox relay (ReferralContext::HandOver).
  std::vector<IntakeResult> SubmitBatch(std::vector<IntakeItem> items);

  // Staff entering a paper referral: INVALID_ARGUMENT naming every bad field, else the stored
  // (or already known) referral and whether it was created.
  absl::StatusOr<std::pair<v1::Referral, bool>> Submit(intake::v1::ReferralSubmitted submission,
                                                       const Caller& caller);

  // Validates and, if valid, builds the referral to store with its received event, taking
  // `submission`'s personal data (left as it was if invalid). Pure apart from randomness (ids,
  // nonces).
  struct Prepared {
    FieldViolations violations;
    NewReferral referral;
    // Not the submission's fault (the contact could not be sealed): try again later.
    absl::Status error;
  };
  Prepared Prepare(intake::v1::ReferralSubmitted& submission, const Caller& caller) const;

 private:
  // The rejection of an invalid submission from NATS, keyed so that a redelivery is recorded
  // once. Its event names the bad fields but does not echo a source_system or external_id that
  // is itself one of them (it could be anything, a CPR number included); the sender matches it
  // by `submission_event_id` then.
  IntakeRejection Rejection(const IntakeItem& item, const FieldViolations& violations) const;

  ReferralContext& ctx_;
};

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_INTAKE_DESK_H_
