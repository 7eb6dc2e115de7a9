#include "services/referral/intake_desk.h"

#include <algorithm>
#include <map>
#include <variant>

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

IntakeDesk::Prepared IntakeDesk::Prepare(ReferralSubmitted& s, const Caller& caller) const {
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

IntakeRejection IntakeDesk::Rejection(const IntakeItem& item,
                                      const FieldViolations& violations) const {
  const ReferralSubmitted& submission = item.submission;
  const std::string& m = item.municipality;
  // Keyed, so neither the external id (which may be anything, since it failed validation) nor a
  // guessable payload lies in Redis in clear.
  IntakeRejection out;
  out.municipality = m;
  out.key = ctx_.pseudonymizer.Keyed(
      "rejected-payload",
      absl::StrCat(ExternalKey(submission.source_system(), submission.external_id()), "\n",
                   item.payload));
  const std::string event_id = absl::StrCat(
      "rejected-", ctx_.pseudonymizer.Keyed("rejected-event", absl::StrCat(m, "\n", out.key)));

  v1::ReferralRejected rejected;
  auto violated = [&violations](absl::string_view field) {
    return std::any_of(violations.begin(), violations.end(),
                       [field](const auto& v) { return v.field() == field; });
  };
  if (!violated("source_system")) rejected.set_source_system(submission.source_system());
  if (!violated("external_id")) rejected.set_external_id(submission.external_id());
  rejected.set_submission_event_id(item.event_id);
  for (const auto& v : violations) *rejected.add_violations() = v;
  out.event = ctx_.Event(event_id, "rejected", m, rejected, ctx_.clock(), item.caller);
  return out;
}

std::vector<IntakeResult> IntakeDesk::SubmitBatch(std::vector<IntakeItem> items) {
  using Kind = IntakeResult::Kind;
  std::vector<IntakeResult> results(items.size());
  const absl::Time now = ctx_.clock();
  // What to store; reserved, so the writes' pointers stay valid.
  std::vector<NewReferral> referrals;
  std::vector<IntakeRejection> rejections;
  std::vector<IntakeWrite> writes;
  std::vector<size_t> item_of_write;
  referrals.reserve(items.size());
  rejections.reserve(items.size());
  writes.reserve(items.size());
  item_of_write.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    IntakeItem& item = items[i];
    IntakeResult& result = results[i];
    FieldViolations violations;
    if (item.submission.municipality() == item.municipality) {
      Prepared prepared = Prepare(item.submission, item.caller);
      if (!prepared.error.ok()) {
        result.error = std::move(prepared.error);
        continue;
      }
      if (prepared.violations.empty()) {
        referrals.push_back(std::move(prepared.referral));
        writes.push_back(&referrals.back());
        item_of_write.push_back(i);
        continue;
      }
      violations = std::move(prepared.violations);
    } else {
      // Named with the field, so the integration learns what to fix.
      violations = ValidateSubmission(item.submission, now);
      common::v1::FieldViolation v;
      v.set_field("municipality");
      v.set_description(absl::StrCat("must match the subject's municipality ", item.municipality));
      violations.push_back(std::move(v));
    }
    result.kind = Kind::kRejected;
    result.violations = std::move(violations);
    if (item.event_id.empty()) continue;  // over gRPC the caller is told instead
    rejections.push_back(Rejection(item, result.violations));
    writes.push_back(&rejections.back());
    item_of_write.push_back(i);
  }
  if (writes.empty()) return results;

  auto stored = ctx_.store.StoreIntake(writes);
  // New referrals' received events go straight to the relay. Anything else appended (rejections,
  // what a batch that failed part-way left) it must read back from the outbox.
  std::map<std::string, std::vector<store::OutboxEntry>> appended;
  bool read_back = false;
  size_t next_referral = 0;
  for (size_t w = 0; w < writes.size(); ++w) {
    IntakeResult& result = results[item_of_write[w]];
    const bool is_referral = std::holds_alternative<const NewReferral*>(writes[w]);
    NewReferral* referral = is_referral ? &referrals[next_referral++] : nullptr;
    if (!stored[w].ok()) {
      result = IntakeResult{Kind::kRetry, "", {}, stored[w].status()};
      read_back = true;
      continue;
    }
    if (!is_referral) {  // stays rejected
      read_back = read_back || stored[w]->is_new;
      continue;
    }
    result.referral_id = std::move(stored[w]->id);
    if (!stored[w]->is_new) {
      result.kind = Kind::kDuplicate;
      read_back = true;
      continue;
    }
    result.kind = Kind::kStored;
    std::vector<store::OutboxEntry>& entries = appended[referral->stored.referral().municipality()];
    for (size_t e = 0; e < referral->events.size(); ++e) {
      OutboxEvent& event = referral->events[e];
      entries.push_back(store::OutboxEntry{std::move(stored[w]->outbox_ids[e]), std::move(event.id),
                                           std::move(event.subject), std::move(event.data)});
    }
  }
  for (auto& [m, entries] : appended) {
    if (!ctx_.HandOver(m, std::move(entries))) read_back = true;
  }
  if (read_back) ctx_.NotifyOutbox();
  return results;
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
  std::vector<IntakeItem> items(1);
  items[0].municipality = submission.municipality();
  items[0].submission = std::move(submission);
  items[0].caller = caller;
  IntakeResult result = std::move(SubmitBatch(std::move(items)).front());
  if (result.kind == IntakeResult::Kind::kRejected) return ViolationsToStatus(result.violations);
  if (result.kind == IntakeResult::Kind::kRetry) return result.error;
  auto stored = ctx_.Load(result.referral_id);
  if (!stored.ok()) return stored.status();
  if (result.kind == IntakeResult::Kind::kDuplicate) {
    if (auto s = AuthorizeReferral(caller.claims, Operation::kGet, stored->stored.referral());
        !s.ok()) {
      return absl::AlreadyExistsError(
          "a referral with this source_system and external_id exists and is not yours");
    }
  }
  return std::make_pair(stored->stored.referral(), result.kind == IntakeResult::Kind::kStored);
}

}  // namespace kpr::referral
