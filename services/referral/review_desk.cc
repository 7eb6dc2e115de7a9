#include "services/referral/review_desk.h"

#include "absl/strings/str_cat.h"
#include "kpr/referral/v1/events.pb.h"
#include "services/referral/access_policy.h"
#include "services/referral/referral_id.h"
#include "services/referral/referral_lifecycle.h"
#include "services/referral/status_change.h"

namespace kpr::referral {

absl::StatusOr<v1::Referral> ReviewDesk::Get(const std::string& id, const Caller& caller) {
  std::string m = MunicipalityOfReferralId(id);
  if (m.empty()) return MalformedId();
  if (auto s = Authorize(caller.claims, Operation::kGet, m); !s.ok()) return s;
  auto loaded = ctx_.Load(id);
  if (!loaded.ok()) return loaded.status();
  if (auto s = AuthorizeReferral(caller.claims, Operation::kGet, loaded->stored.referral());
      !s.ok()) {
    return s;
  }
  return loaded->stored.referral();
}

absl::StatusOr<v1::ListReferralsResponse> ReviewDesk::List(const v1::ListReferralsRequest& req,
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
  if (req.has_updated_since()) q.updated_since_ms = absl::ToUnixMillis(FromTs(req.updated_since()));
  q.page_size = req.page_size() == 0 ? 50 : req.page_size();
  q.page_token = req.page_token();
  auto page = ctx_.store.List(q);
  if (!page.ok()) return page.status();
  v1::ListReferralsResponse resp;
  for (auto& stored : page->referrals)
    *resp.add_referrals() = std::move(*stored.mutable_referral());
  resp.set_next_page_token(page->next_page_token);
  return resp;
}

absl::StatusOr<v1::Referral> ReviewDesk::UpdateStatus(const v1::UpdateReferralStatusRequest& req,
                                                      const Caller& caller) {
  std::string m = MunicipalityOfReferralId(req.id());
  if (m.empty()) return MalformedId();
  if (auto s = Authorize(caller.claims, Operation::kUpdateStatus, m); !s.ok()) return s;
  if (auto s = AuthorizeStatusChange(caller.claims, req.status()); !s.ok()) return s;
  if (req.expected_version() <= 0) {
    return absl::InvalidArgumentError("expected_version: required (the version you last saw)");
  }
  if (req.note().size() > 4000) return absl::InvalidArgumentError("note: longer than 4000 bytes");
  auto loaded = ctx_.Load(req.id());
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

  const absl::Time now = ctx_.clock();
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
    auto opened = ctx_.OpenContact(stored);
    if (!opened.ok()) return opened.status();
    v1::Contact contact = *std::move(opened);
    v1::Note* note = contact.add_notes();
    note->set_text(req.note());
    note->set_author(caller.claims.subject);
    *note->mutable_written_at() = Ts(now);
    std::string sealed = ctx_.SealContact(contact, r.id());
    if (sealed.empty()) return absl::InternalError("could not seal the note");
    stored.set_sealed_contact(std::move(sealed));
    r.set_has_notes(true);
  }

  std::vector<OutboxEvent> events;
  for (const PlannedEvent& e : plan.events) {
    events.push_back(ctx_.Event(e.id, e.name, m, *e.payload, now, caller));
  }
  auto result = ctx_.store.Update(stored, loaded->version, ReachOf(r), events);
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
  ctx_.NotifyOutbox();
  return r;
}

absl::StatusOr<v1::Contact> ReviewDesk::GetContact(const std::string& id, const Caller& caller) {
  std::string m = MunicipalityOfReferralId(id);
  if (m.empty()) return MalformedId();
  if (auto s = Authorize(caller.claims, Operation::kGetContact, m); !s.ok()) return s;
  auto loaded = ctx_.Load(id);
  if (!loaded.ok()) return loaded.status();
  if (auto s = AuthorizeReferral(caller.claims, Operation::kGetContact, loaded->stored.referral());
      !s.ok()) {
    return s;
  }
  if (auto s = ctx_.audit.Record(privacy::ReadBy(caller, m, "referral.GetContact", id)); !s.ok()) {
    return absl::UnavailableError("the audit trail cannot be written; contact withheld");
  }
  return ctx_.OpenContact(loaded->stored);
}

}  // namespace kpr::referral
