#include "services/referral/referral_desk.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpr/referral/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/validation/period.h"
#include "services/referral/access_policy.h"
#include "services/referral/referral_id.h"
#include "services/referral/referral_lifecycle.h"
#include "services/referral/status_change.h"

namespace kpr::referral {
namespace {

using ::google::protobuf::util::TimeUtil;
using intake::v1::ReferralSubmitted;

google::protobuf::Timestamp Ts(absl::Time t) {
  return TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixMillis(TimeUtil::TimestampToMilliseconds(ts));
}

// The fields every closed-loop event carries, so the referrer can match it to its own case.
template <typename Event>
Event ClosedLoopEvent(const v1::Referral& r, int64_t version) {
  Event e;
  e.set_referral_id(r.id());
  e.set_citizen_id(r.citizen_id());
  e.set_source_system(r.source_system());
  e.set_external_id(r.external_id());
  e.set_version(version);
  return e;
}

absl::Status MalformedId() {
  return absl::InvalidArgumentError(
      "id: not a referral id (expected <municipality>-<26 characters>)");
}

}  // namespace

ReferralDesk::ReferralDesk(ReferralStore& store, const privacy::SealedBox& sealed_box,
                           const privacy::Pseudonymizer& pseudonymizer, privacy::AuditTrail& audit,
                           std::function<void()> on_outbox_write, Clock clock)
    : store_(store),
      sealed_box_(sealed_box),
      pseudonymizer_(pseudonymizer),
      audit_(audit),
      on_outbox_write_(std::move(on_outbox_write)),
      clock_(std::move(clock)) {}

OutboxEvent ReferralDesk::MakeOutboxEvent(const std::string& event_id, absl::string_view event_name,
                                          const std::string& municipality,
                                          const google::protobuf::Message& payload, absl::Time at,
                                          const Caller& caller) const {
  return OutboxEvent::Make(event_id, "referral", event_name, municipality, payload, at, caller);
}

std::string ReferralDesk::SealContact(const v1::Contact& contact,
                                      const std::string& referral_id) const {
  auto sealed = sealed_box_.Seal(contact.SerializeAsString(), referral_id);
  // Sealing fails only if the system's random source does; never store the contact in clear.
  return sealed.ok() ? *sealed : std::string();
}

ReferralDesk::Prepared ReferralDesk::Prepare(ReferralSubmitted s, const Caller& caller) const {
  Prepared out;
  absl::Time now = clock_();
  out.violations = ValidateSubmission(s, now);
  if (!out.violations.empty()) return out;
  NormalizeSubmission(s);

  const std::string& m = s.municipality();
  v1::Referral& r = *out.referral.stored.mutable_referral();
  r.set_id(ReferralIdFor(pseudonymizer_, m, s.source_system(), s.external_id()));
  r.set_municipality(m);
  r.set_source_system(s.source_system());
  r.set_external_id(s.external_id());
  r.set_source(s.source());
  r.set_citizen_id(pseudonymizer_.CitizenId(m, s.citizen().cpr()));
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
  out.referral.stored.set_sealed_contact(SealContact(contact, r.id()));
  if (out.referral.stored.sealed_contact().empty()) {
    out.error = absl::InternalError("the contact details could not be sealed for storage");
    return out;
  }

  auto received = ClosedLoopEvent<v1::ReferralReceived>(r, 1);
  received.set_source(r.source());
  received.set_target_group(r.target_group());
  received.set_benefit_situation(r.benefit_situation());
  received.set_preferred_program(r.preferred_program());
  *received.mutable_received_at() = r.received_at();
  out.referral.events.push_back(
      MakeOutboxEvent(absl::StrCat(r.id(), ".v1.received"), "received", m, received, now, caller));
  return out;
}

OutboxEvent ReferralDesk::RejectionEvent(const ReferralSubmitted& submission,
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
  return MakeOutboxEvent(event_id, "rejected", municipality, rejected, clock_(), caller);
}

absl::StatusOr<std::pair<v1::Referral, bool>> ReferralDesk::Submit(ReferralSubmitted submission,
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
  auto result = store_.Submit(prepared.referral);
  if (!result.ok()) return result.status();
  if (result->created) {
    NotifyOutbox();
    return std::make_pair(prepared.referral.stored.referral(), true);
  }
  auto existing = Load(result->id);
  if (!existing.ok()) return existing.status();
  if (auto s = AuthorizeReferral(caller.claims, Operation::kGet, existing->stored.referral());
      !s.ok()) {
    return absl::AlreadyExistsError(
        "a referral with this source_system and external_id exists and is not yours");
  }
  return std::make_pair(existing->stored.referral(), false);
}

absl::StatusOr<LoadedReferral> ReferralDesk::Load(const std::string& id) {
  std::string m = MunicipalityOfReferralId(id);
  if (m.empty()) return MalformedId();
  auto loaded = store_.Get(m, id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded->has_value()) return absl::NotFoundError(absl::StrCat("referral ", id, " not found"));
  return std::move(**loaded);
}

absl::StatusOr<v1::Referral> ReferralDesk::Get(const std::string& id, const Caller& caller) {
  std::string m = MunicipalityOfReferralId(id);
  if (m.empty()) return MalformedId();
  if (auto s = Authorize(caller.claims, Operation::kGet, m); !s.ok()) return s;
  auto loaded = Load(id);
  if (!loaded.ok()) return loaded.status();
  if (auto s = AuthorizeReferral(caller.claims, Operation::kGet, loaded->stored.referral());
      !s.ok()) {
    return s;
  }
  return loaded->stored.referral();
}

absl::StatusOr<v1::ListReferralsResponse> ReferralDesk::List(const v1::ListReferralsRequest& req,
                                                             const Caller& caller) {
  if (auto s = Authorize(caller.claims, Operation::kList, req.municipality()); !s.ok()) return s;
  if (req.page_size() < 0 || req.page_size() > 500) {
    return absl::InvalidArgumentError("page_size: must be between 0 and 500");
  }
  ListQuery q;
  q.municipality = req.municipality();
  if (ListsOnlyOwnReferrals(caller.claims)) q.only_referrer = caller.claims.subject;
  q.status = req.status();
  q.source = req.source();
  q.source_system = req.source_system();
  if (req.has_updated_since())
    q.updated_since_ms = TimeUtil::TimestampToMilliseconds(req.updated_since());
  q.page_size = req.page_size() == 0 ? 50 : req.page_size();
  q.page_token = req.page_token();
  auto page = store_.List(q);
  if (!page.ok()) return page.status();
  v1::ListReferralsResponse resp;
  for (auto& stored : page->referrals)
    *resp.add_referrals() = std::move(*stored.mutable_referral());
  resp.set_next_page_token(page->next_page_token);
  return resp;
}

absl::StatusOr<v1::Referral> ReferralDesk::UpdateStatus(const v1::UpdateReferralStatusRequest& req,
                                                        const Caller& caller) {
  std::string m = MunicipalityOfReferralId(req.id());
  if (m.empty()) return MalformedId();
  if (auto s = Authorize(caller.claims, Operation::kUpdateStatus, m); !s.ok()) return s;
  if (auto s = AuthorizeStatusChange(caller.claims, req.status()); !s.ok()) return s;
  if (req.expected_version() <= 0) {
    return absl::InvalidArgumentError("expected_version: required (the version you last saw)");
  }
  if (req.note().size() > 4000) return absl::InvalidArgumentError("note: longer than 4000 bytes");
  auto loaded = Load(req.id());
  if (!loaded.ok()) return loaded.status();
  v1::StoredReferral stored = std::move(loaded->stored);
  v1::Referral& r = *stored.mutable_referral();
  if (auto s = AuthorizeReferral(caller.claims, Operation::kUpdateStatus, r); !s.ok()) return s;
  if (loaded->version != req.expected_version()) {
    return absl::AbortedError(absl::StrCat("referral changed since version ",
                                           req.expected_version(), " (now ", loaded->version,
                                           "): read it again"));
  }
  if (auto s = CheckTransition(r.status(), req.status(), req.reason()); !s.ok()) return s;

  const absl::Time now = clock_();
  r.set_version(loaded->version);
  StatusChangeRequest change;
  change.to = req.status();
  change.reason = req.reason();
  change.at = now;
  change.changed_by = caller.claims.subject;
  // Leaving the program by the staff's decision: the placement is history, kept to show where.
  StatusChangePlan plan = PlanStatusChange(r, change);
  r = std::move(plan.after);

  if (!req.note().empty()) {
    auto opened = sealed_box_.Open(stored.sealed_contact(), r.id());
    if (!opened.ok()) return absl::DataLossError("the referral's sealed contact does not open");
    v1::Contact contact;
    if (!contact.ParseFromString(*opened)) return absl::DataLossError("contact does not decode");
    v1::Note* note = contact.add_notes();
    note->set_text(req.note());
    note->set_author(caller.claims.subject);
    *note->mutable_written_at() = Ts(now);
    std::string sealed = SealContact(contact, r.id());
    if (sealed.empty()) return absl::InternalError("could not seal the note");
    stored.set_sealed_contact(std::move(sealed));
    r.set_has_notes(true);
  }

  std::vector<OutboxEvent> events;
  for (const PlannedEvent& e : plan.events) {
    events.push_back(MakeOutboxEvent(e.id, e.name, m, *e.payload, now, caller));
  }
  auto result = store_.Update(stored, loaded->version, ReachOf(r), events);
  if (!result.ok()) return result.status();
  switch (result->outcome) {
    case UpdateOutcome::kNotFound:
      return absl::NotFoundError(absl::StrCat("referral ", r.id(), " not found"));
    case UpdateOutcome::kVersionConflict:
      return absl::AbortedError(absl::StrCat("referral changed since version ", loaded->version,
                                             " (now ", result->version, "): read it again"));
    case UpdateOutcome::kUpdated:
      break;
  }
  NotifyOutbox();
  return r;
}

absl::StatusOr<v1::Contact> ReferralDesk::GetContact(const std::string& id, const Caller& caller) {
  std::string m = MunicipalityOfReferralId(id);
  if (m.empty()) return MalformedId();
  if (auto s = Authorize(caller.claims, Operation::kGetContact, m); !s.ok()) return s;
  auto loaded = Load(id);
  if (!loaded.ok()) return loaded.status();
  if (auto s = AuthorizeReferral(caller.claims, Operation::kGetContact, loaded->stored.referral());
      !s.ok()) {
    return s;
  }
  privacy::AuditRecord record;
  record.municipality = m;
  record.actor = caller.claims.subject;
  record.role = std::string(identity::RoleName(caller.claims.role));
  record.action = "referral.GetContact";
  record.subject_id = id;
  record.traceparent = caller.traceparent;
  if (auto s = audit_.Record(record); !s.ok()) {
    return absl::UnavailableError("the audit trail cannot be written; contact withheld");
  }
  auto opened = sealed_box_.Open(loaded->stored.sealed_contact(), id);
  if (!opened.ok()) return absl::DataLossError("the referral's sealed contact does not open");
  v1::Contact contact;
  if (!contact.ParseFromString(*opened)) return absl::DataLossError("contact does not decode");
  return contact;
}

absl::StatusOr<v1::Funnel> ReferralDesk::GetFunnel(const v1::GetFunnelRequest& req,
                                                   const Caller& caller) {
  if (auto s = Authorize(caller.claims, Operation::kGetFunnel, req.municipality()); !s.ok())
    return s;
  // Default: the year up to now (or up to `to`). Checked and capped at 5 years.
  absl::Time default_to = clock_();
  if (req.has_to()) {
    auto t = validation::CheckTimestamp("to", req.to());
    if (!t.ok()) return t.status();
    default_to = *t;
  }
  auto period = validation::CheckPeriod(req.has_from() ? std::optional(req.from()) : std::nullopt,
                                        req.has_to() ? std::optional(req.to()) : std::nullopt,
                                        default_to - absl::Hours(24 * 365), default_to,
                                        validation::kMaxReportPeriod);
  if (!period.ok()) return period.status();
  const absl::Time from = period->from;
  const absl::Time to = period->to;
  auto rows = store_.FunnelRows(req.municipality(), from, to);
  if (!rows.ok()) return rows.status();
  v1::Funnel funnel;
  funnel.set_municipality(req.municipality());
  *funnel.mutable_from() = Ts(from);
  *funnel.mutable_to() = Ts(to);
  CountFunnel(*rows, funnel);
  SuppressSmallCounts(suppression_threshold_, funnel);
  return funnel;
}

}  // namespace kpr::referral
