#include "services/referral/status_change.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpr/referral/v1/events.pb.h"
#include "services/referral/referral_lifecycle.h"

namespace kpr::referral {
namespace {

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

template <typename Event>
std::shared_ptr<Event> ClosedLoopEvent(const v1::Referral& r) {
  auto e = std::make_shared<Event>();
  SetClosedLoopFields(r, *e);
  return e;
}

}  // namespace

StatusChangePlan PlanStatusChange(const v1::Referral& before, const StatusChangeRequest& req) {
  StatusChangePlan plan;
  v1::Referral& r = plan.after;
  r = before;
  const int64_t version = before.version() + 1;
  v1::StatusChange* change = r.add_history();
  change->set_from(before.status());
  change->set_to(req.to);
  change->set_reason(req.reason);
  *change->mutable_changed_at() = Ts(req.at);
  change->set_changed_by(req.changed_by);
  change->set_version(version);
  r.set_status(req.to);
  r.set_status_reason(req.reason);
  r.set_version(version);
  *r.mutable_updated_at() = Ts(req.at);
  if (req.placement) {
    if (req.placement->cohort_id().empty() && req.placement->program_id().empty()) {
      r.clear_placement();
    } else {
      *r.mutable_placement() = *req.placement;
    }
  }

  const std::string prefix = absl::StrCat(r.id(), ".v", version, ".");
  if (req.announce_decision) {
    const absl::string_view specific = SpecificEventName(req.to);
    if (specific == "accepted") {
      auto e = ClosedLoopEvent<v1::ReferralAccepted>(r);
      e->set_preferred_program(r.preferred_program());
      plan.events.push_back({prefix + "accepted", "accepted", e});
    } else if (specific == "declined") {
      auto e = ClosedLoopEvent<v1::ReferralDeclined>(r);
      e->set_reason(req.reason);
      plan.events.push_back({prefix + "declined", "declined", e});
    } else if (specific == "withdrawn") {
      auto e = ClosedLoopEvent<v1::ReferralWithdrawn>(r);
      e->set_reason(req.reason);
      plan.events.push_back({prefix + "withdrawn", "withdrawn", e});
    }
  }
  auto changed = ClosedLoopEvent<v1::ReferralStatusChanged>(r);
  changed->set_from(before.status());
  changed->set_to(req.to);
  changed->set_from_fhir_status(std::string(FhirTaskStatus(before.status())));
  changed->set_to_fhir_status(std::string(FhirTaskStatus(req.to)));
  changed->set_reason(req.reason);
  *changed->mutable_changed_at() = Ts(req.at);
  if (r.has_placement()) *changed->mutable_placement() = r.placement();
  plan.events.push_back({prefix + "status_changed", "status_changed", changed});
  return plan;
}

}  // namespace kpr::referral
