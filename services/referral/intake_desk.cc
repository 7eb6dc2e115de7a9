#include "services/referral/intake_desk.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "kpr/referral/v1/events.pb.h"
#include "services/referral/access_policy.h"
#include "services/referral/referral_id.h"
#include "services/referral/referral_lifecycle.h"
#include "services/referral/status_change.h"

namespace kpr::referral {
namespace {

using intake::v1::ReferralSubmitted;

}  // namespace

IntakeDesk::Prepared IntakeDesk::Prepare(ReferralSubmitted s, const Caller& caller) const {
  Prepared out;
  absl::Time now = ctx_.clock();
  out.violations = ValidateSubmission(s, now);
  if (!out.violations.empty()) return out;
  NormalizeSubmission(s);

  const std::string& m = s.municipality();
  v1::Referral& r = *out.referral.stored.mutable_referral();
  r.set_id(ReferralIdFor(ctx_.pseudonymizer, m, s.source_system(), s.external_id()));
  r.set_municipality(m);
  r.set_source_system(s.source_system());
  r.set_external_id(s.external_id());
  r.set_source(s.source());
  r.set_citizen_id(ctx_.pseudonymizer.CitizenId(m, s.citizen().cpr()));
  r.set_status(v1::REFERRAL_STATUS_RECEIVED);
  r.set_version(1);
  *r.mutable_referrer() = s.referrer();
  r.set_target_group(s.target_group());
  r.set_benefit_situation(s.benefit_situation());
  r.set_preferred_program(s.preferred_program());
  r.set_preferred_channel(s.citizen().preferred_channel());
  r.set_preferred_language(s.citizen().preferred_language());
  *r.mutable_consent_given_at() = s.citizen().consent_given_at();
  *r.mutable_received_at() = Ts(now);
  *r.mutable_updated_at() = Ts(now);
  r.set_has_notes(!s.reason().empty() || !s.notes().empty());

  // The submission is ours: its personal data moves into the contact rather than being copied.
  v1::Contact contact;
  intake::v1::Citizen& citizen = *s.mutable_citizen();
  contact.set_referral_id(r.id());
  contact.set_cpr(std::move(*citizen.mutable_cpr()));
  contact.set_given_name(std::move(*citizen.mutable_given_name()));
  contact.set_family_name(std::move(*citizen.mutable_family_name()));
  contact.set_phone(std::move(*citizen.mutable_phone()));
  contact.set_email(std::move(*citizen.mutable_email()));
  contact.set_preferred_channel(citizen.preferred_channel());
  contact.set_preferred_language(citizen.preferred_language());
  contact.set_reason(std::move(*s.mutable_reason()));
  if (!s.notes().empty()) {
    v1::Note* note = contact.add_notes();
    note->set_text(std::move(*s.mutable_notes()));
    note->set_author(s.referrer().caseworker_id().empty() ? caller.claims.subject
                                                          : s.referrer().caseworker_id());
    *note->mutable_written_at() = Ts(now);
  }
  out.referral.stored.set_sealed_contact(ctx_.SealContact(contact, r.id()));
  if (out.referral.stored.sealed_contact().empty()) {
    out.error = absl::InternalError("the contact details could not be sealed for storage");
    return out;
  }

  v1::ReferralReceived received;
  SetClosedLoopFields(r, received);  // version 1
  received.set_source(r.source());
  received.set_target_group(r.target_group());
  received.set_benefit_situation(r.benefit_situation());
  received.set_preferred_program(r.preferred_program());
  *received.mutable_received_at() = r.received_at();
  out.referral.events.push_back(
      ctx_.Event(absl::StrCat(r.id(), ".v1.received"), "received", m, received, now, caller));
  return out;
}

OutboxEvent IntakeDesk::RejectionEvent(const ReferralSubmitted& submission,
                                       const FieldViolations& violations,
                                       const std::string& municipality,
                                       const std::string& submission_event_id,
                                       const std::string& event_id, const Caller& caller) const {
  v1::ReferralRejected rejected;
  auto violated = [&violations](absl::string_view field) {
    return std::any_of(violations.begin(), violations.end(),
                       [field](const auto& v) { return v.field() == field; });
  };
  if (!violated("source_system")) rejected.set_source_system(submission.source_system());
  if (!violated("external_id")) rejected.set_external_id(submission.external_id());
  rejected.set_submission_event_id(submission_event_id);
  for (const auto& v : violations) *rejected.add_violations() = v;
  return ctx_.Event(event_id, "rejected", municipality, rejected, ctx_.clock(), caller);
}

absl::StatusOr<std::pair<v1::Referral, bool>> IntakeDesk::Submit(ReferralSubmitted submission,
                                                                 const Caller& caller) {
  if (caller.claims.role == identity::Role::kCaseworker) {
    // A caseworker refers in their own name.
    submission.mutable_referrer()->set_caseworker_id(caller.claims.subject);
  }
  if (auto s = Authorize(caller.claims, Operation::kSubmit, submission.municipality()); !s.ok()) {
    return s;
  }
  Prepared prepared = Prepare(std::move(submission), caller);
  if (!prepared.violations.empty()) return ViolationsToStatus(prepared.violations);
  if (!prepared.error.ok()) return prepared.error;
  auto result = ctx_.store.Submit(prepared.referral);
  if (!result.ok()) return result.status();
  if (result->created) {
    ctx_.NotifyOutbox();
    return std::make_pair(prepared.referral.stored.referral(), true);
  }
  auto existing = ctx_.Load(result->id);
  if (!existing.ok()) return existing.status();
  if (auto s = AuthorizeReferral(caller.claims, Operation::kGet, existing->stored.referral());
      !s.ok()) {
    return absl::AlreadyExistsError(
        "a referral with this source_system and external_id exists and is not yours");
  }
  return std::make_pair(existing->stored.referral(), false);
}

}  // namespace kpr::referral
