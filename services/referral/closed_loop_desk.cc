#include "services/referral/closed_loop_desk.h"

#include "absl/strings/str_cat.h"
#include "libs/observe/log.h"
#include "libs/store/retry_on_conflict.h"
#include "services/referral/referral_id.h"
#include "services/referral/referral_lifecycle.h"
#include "services/referral/status_change.h"

namespace kpr::referral {
namespace {

absl::Time FactTime(const v1::StoredReferral& stored) {
  return stored.has_placement_fact_at() ? FromTs(stored.placement_fact_at()) : absl::InfinitePast();
}

std::vector<OutboxEvent> ToOutbox(const StatusChangePlan& plan, const std::string& municipality,
                                  absl::Time at, const identity::Caller& caller) {
  std::vector<OutboxEvent> events;
  for (const PlannedEvent& e : plan.events) {
    events.push_back(
        OutboxEvent::Make(e.id, "referral", e.name, municipality, *e.payload, at, caller));
  }
  return events;
}

}  // namespace

absl::Status ClosedLoopDesk::Commit(
    const std::string& referral_id, const identity::Caller& caller,
    const std::function<absl::Status(v1::StoredReferral&, bool*, std::vector<OutboxEvent>*)>&
        decide) {
  const std::string m = MunicipalityOfReferralId(referral_id);
  if (m.empty()) return absl::InvalidArgumentError("referral_id: not a referral id");
  if (!caller.claims.HasMunicipality(m)) {
    return absl::PermissionDeniedError(absl::StrCat("no access to municipality ", m));
  }
  return store::RetryOnConflict([&]() -> absl::Status {
    auto loaded = ctx_.store.Get(m, referral_id);
    if (!loaded.ok()) return loaded.status();
    if (!loaded->has_value()) {
      return absl::NotFoundError(absl::StrCat("referral ", referral_id, " not found"));
    }
    v1::StoredReferral stored = std::move((*loaded)->stored);
    const int64_t version = (*loaded)->version;
    stored.mutable_referral()->set_version(version);
    bool changed = false;
    std::vector<OutboxEvent> events;
    if (absl::Status s = decide(stored, &changed, &events); !s.ok()) return s;
    if (!changed) return absl::OkStatus();
    auto result = ctx_.store.Update(stored, version, ReachOf(stored.referral()), events);
    if (!result.ok()) return result.status();
    switch (result->outcome) {
      case UpdateOutcome::kNotFound:
        return absl::NotFoundError(absl::StrCat("referral ", referral_id, " not found"));
      case UpdateOutcome::kVersionConflict:
        return absl::AbortedError(absl::StrCat("referral ", referral_id, " changed meanwhile"));
      case UpdateOutcome::kUpdated:
        break;
    }
    if (!events.empty()) ctx_.NotifyOutbox();
    return absl::OkStatus();
  });
}

absl::Status ClosedLoopDesk::ApplyPlacementFact(const PlacementFact& fact,
                                                const identity::Caller& caller) {
  return Commit(fact.referral_id, caller,
                [&](v1::StoredReferral& stored, bool* changed, std::vector<OutboxEvent>* events) {
                  const v1::Referral& r = stored.referral();
                  FactDecision d = DecidePlacementFact(r, FactTime(stored), fact);
                  if (!d.changes) {
                    observe::Debug("placement fact changes nothing")
                        .With("referral_id", r.id())
                        .With("why", d.why);
                    return absl::OkStatus();
                  }
                  const absl::Time now = ctx_.clock();
                  *stored.mutable_placement_fact_at() = Ts(fact.at);
                  *changed = true;
                  if (d.to == r.status()) {
                    // Moved to another cohort: a new placement, the same status; no event.
                    *stored.mutable_referral()->mutable_placement() = d.placement;
                    stored.mutable_referral()->set_version(r.version() + 1);
                    return absl::OkStatus();
                  }
                  StatusChangeRequest req;
                  req.to = d.to;
                  req.reason = d.reason;
                  req.at = now;
                  req.changed_by = caller.claims.subject;
                  req.announce_decision = false;  // a fact, not a staff decision
                  req.placement = d.placement;
                  StatusChangePlan plan = PlanStatusChange(r, req);
                  *events = ToOutbox(plan, r.municipality(), now, caller);
                  *stored.mutable_referral() = std::move(plan.after);
                  return absl::OkStatus();
                });
}

absl::Status ClosedLoopDesk::ApplyOutcome(const std::string& referral_id,
                                          v1::ReferralStatus outcome,
                                          const identity::Caller& caller) {
  return Commit(referral_id, caller,
                [&](v1::StoredReferral& stored, bool* changed, std::vector<OutboxEvent>* events) {
                  const v1::Referral& r = stored.referral();
                  if (r.status() != v1::REFERRAL_STATUS_ENROLLED) {
                    if (r.status() != outcome) {
                      observe::Warn("referral not enrolled; outcome left for the coordinator")
                          .With("referral_id", r.id())
                          .With("status", v1::ReferralStatus_Name(r.status()));
                    }
                    return absl::OkStatus();
                  }
                  const absl::Time now = ctx_.clock();
                  StatusChangeRequest req;
                  req.to = outcome;
                  req.at = now;
                  req.changed_by = caller.claims.subject;
                  req.announce_decision = false;
                  StatusChangePlan plan = PlanStatusChange(r, req);
                  *events = ToOutbox(plan, r.municipality(), now, caller);
                  *stored.mutable_referral() = std::move(plan.after);
                  *changed = true;
                  return absl::OkStatus();
                });
}

}  // namespace kpr::referral
