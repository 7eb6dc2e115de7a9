#ifndef KPR_SERVICES_REFERRAL_REFERRAL_VALIDATOR_H_
#define KPR_SERVICES_REFERRAL_REFERRAL_VALIDATOR_H_

// Validation of a submitted referral, the same for the NATS intake and SubmitReferral over gRPC.
// Every bad field is named; descriptions never echo the submitted value (it may be personal
// data).

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/intake/v1/referral_submitted.pb.h"
#include "libs/validation/field_violations.h"

namespace kpr::referral {

using FieldViolations = validation::FieldViolations;
using validation::ViolationsToStatus;

// All violations of `submission`, empty when it is valid. `now` bounds consent_given_at.
FieldViolations ValidateSubmission(const kpr::intake::v1::ReferralSubmitted& submission,
                                   absl::Time now);

// Normalizes in place what validation accepts in several forms: CPR to 10 digits, phone to
// +45XXXXXXXX, e-mail lower-cased domain, trimmed names. Call after validation succeeded.
void NormalizeSubmission(kpr::intake::v1::ReferralSubmitted& submission);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_REFERRAL_VALIDATOR_H_
