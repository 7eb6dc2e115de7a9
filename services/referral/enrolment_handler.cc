#include "services/referral/enrolment_handler.h"

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/observe/log.h"

namespace kpr::referral {

EnrolmentHandler::EnrolmentHandler(ReferralDesk& desk)
    : desk_(desk), scheduling_facts_(kEnrolmentConsumer), outcome_facts_(kOutcomeConsumer) {
  scheduling_facts_.On<scheduling::v1::Enrolled>(
      [this](const common::v1::Event& event, const scheduling::v1::Enrolled& e) {
        return OnEnrolled(event, e);
      });
  outcome_facts_.On<outcomes::v1::OutcomeRecorded>(
      [this](const common::v1::Event& event, const outcomes::v1::OutcomeRecorded& o) {
        return OnOutcome(event, o);
      });
}

absl::Status EnrolmentHandler::OnOutcome(const common::v1::Event& event,
                                         const outcomes::v1::OutcomeRecorded& outcome) {
  if (outcome.referral_id().empty()) {
    return absl::InvalidArgumentError("outcome_recorded event without referral_id");
  }
  v1::ReferralStatus to;
  switch (outcome.outcome()) {
    case outcomes::v1::PARTICIPATION_OUTCOME_COMPLETED:
      to = v1::REFERRAL_STATUS_COMPLETED;
      break;
    case outcomes::v1::PARTICIPATION_OUTCOME_DROPPED_OUT:
      to = v1::REFERRAL_STATUS_DROPPED_OUT;
      break;
    default:
      return absl::InvalidArgumentError("outcome_recorded event without an outcome");
  }
  return Move(event, outcome.referral_id(), v1::REFERRAL_STATUS_ENROLLED, to,
              {v1::REFERRAL_STATUS_COMPLETED, v1::REFERRAL_STATUS_DROPPED_OUT}, "kpr-outcomes");
}

absl::Status EnrolmentHandler::OnEnrolled(const common::v1::Event& event,
                                          const scheduling::v1::Enrolled& enrolled) {
  if (enrolled.referral_id().empty()) {
    return absl::InvalidArgumentError("enrolled event without referral_id");
  }
  return Move(event, enrolled.referral_id(), v1::REFERRAL_STATUS_ACCEPTED,
              v1::REFERRAL_STATUS_ENROLLED,
              {v1::REFERRAL_STATUS_ENROLLED, v1::REFERRAL_STATUS_COMPLETED,
               v1::REFERRAL_STATUS_DROPPED_OUT},
              "kpr-scheduling");
}

absl::Status EnrolmentHandler::Move(const common::v1::Event& event, const std::string& referral_id,
                                    v1::ReferralStatus from, v1::ReferralStatus to,
                                    std::vector<v1::ReferralStatus> done,
                                    absl::string_view sender) {
  Caller caller;
  caller.claims.subject = std::string(sender);
  caller.claims.role = identity::Role::kService;
  caller.claims.municipalities = {event.municipality()};
  caller.correlation_id = event.correlation_id();
  caller.traceparent = event.trace().traceparent();

  // A concurrent change (a coordinator's) makes the update ABORTED: read again and retry.
  absl::Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto referral = desk_.Get(referral_id, caller);
    if (!referral.ok()) return referral.status();  // NOT_FOUND: a dead letter; outage: a retry
    if (absl::c_linear_search(done, referral->status())) return absl::OkStatus();
    if (referral->status() != from) {
      observe::Warn("referral not in the expected status; left for the coordinator")
          .With("referral_id", referral->id())
          .With("status", v1::ReferralStatus_Name(referral->status()))
          .With("event", event.type());
      return absl::OkStatus();
    }
    v1::UpdateReferralStatusRequest req;
    req.set_id(referral->id());
    req.set_expected_version(referral->version());
    req.set_status(to);
    last = desk_.UpdateStatus(req, caller).status();
    if (last.code() != absl::StatusCode::kAborted) return last;
  }
  return last;  // ABORTED: retried later
}

}  // namespace kpr::referral
