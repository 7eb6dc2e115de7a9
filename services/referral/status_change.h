#ifndef KPR_SERVICES_REFERRAL_STATUS_CHANGE_H_
#define KPR_SERVICES_REFERRAL_STATUS_CHANGE_H_

// What a status change writes, whoever decides it (a coordinator over gRPC, or a fact from the
// scheduling or outcomes service): the referral after the change (status, reason, history entry,
// version, placement) and the events it emits. Pure: the desk loads, plans with this, commits.
//
// Events: always one ReferralStatusChanged (from/to with their FHIR Task codes, reason code,
// source system and external id, placement), with an id derived from the referral and its new
// version, so a retried commit cannot emit it twice. A staff decision to ACCEPTED, DECLINED or
// WITHDRAWN also emits that event; a return to ACCEPTED because scheduling unenrolled the
// citizen does not (it is no new acceptance, and scheduling must not place them again).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "kpr/referral/v1/referral.pb.h"

namespace kpr::referral {

// The fields every referral event carries, so the referrer can match it to its own case: the
// referral and pseudonymous citizen ids, the source system and external id, and the version.
template <typename Event>
void SetClosedLoopFields(const v1::Referral& r, Event& e) {
  e.set_referral_id(r.id());
  e.set_citizen_id(r.citizen_id());
  e.set_source_system(r.source_system());
  e.set_external_id(r.external_id());
  e.set_version(r.version());
}

struct PlannedEvent {
  std::string id;    // "<referral id>.v<version>.<name>"
  std::string name;  // subject token: "status_changed", "accepted", ...
  std::shared_ptr<const google::protobuf::Message> payload;
};

struct StatusChangeRequest {
  v1::ReferralStatus to = v1::REFERRAL_STATUS_UNSPECIFIED;
  v1::StatusReason reason = v1::STATUS_REASON_UNSPECIFIED;
  absl::Time at;
  std::string changed_by;
  // Emit accepted/declined/withdrawn too (staff decisions only).
  bool announce_decision = true;
  // The placement after the change: unset keeps it, an empty Placement clears it.
  std::optional<v1::Placement> placement;
};

struct StatusChangePlan {
  v1::Referral after;
  std::vector<PlannedEvent> events;
};

// Plans the change of `before` as requested. The transition itself is checked by the caller
// (CheckTransition for staff, DecidePlacementFact for facts).
StatusChangePlan PlanStatusChange(const v1::Referral& before, const StatusChangeRequest& request);

}  // namespace kpr::referral

#endif  // KPR_SERVICES_REFERRAL_STATUS_CHANGE_H_
