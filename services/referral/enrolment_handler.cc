#include "services/referral/enrolment_handler.h"

#include "absl/strings/str_cat.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/observe/log.h"

namespace kpr::referral {
namespace {

bool AtOrBeyondEnrolled(v1::ReferralStatus s) {
  return s == v1::REFERRAL_STATUS_ENROLLED || s == v1::REFERRAL_STATUS_COMPLETED ||
         s == v1::REFERRAL_STATUS_DROPPED_OUT;
}

}  // namespace

std::vector<bus::Outcome> EnrolmentHandler::Handle(const std::vector<bus::Delivery>& batch) {
  std::vector<bus::Outcome> out;
  out.reserve(batch.size());
  for (const bus::Delivery& d : batch) out.push_back(HandleOne(d));
  return out;
}

bus::Outcome EnrolmentHandler::HandleOne(const bus::Delivery& d) {
  auto event = bus::ParseEvent(d.data);
  if (!event.ok()) return bus::DeadLetter(std::string(event.status().message()));
  auto enrolled = bus::UnpackEvent<scheduling::v1::Enrolled>(*event);
  if (!enrolled.ok()) return bus::DeadLetter(std::string(enrolled.status().message()));
  if (enrolled->referral_id().empty()) return bus::DeadLetter("enrolled event without referral_id");
  return bus::OutcomeFor(Apply(*event, *enrolled), d.delivery_count);
}

absl::Status EnrolmentHandler::Apply(const common::v1::Event& event, const scheduling::v1::Enrolled& enrolled) {
  Caller caller;
  caller.claims.subject = "kpr-scheduling";
  caller.claims.role = rpc::Role::kService;
  caller.claims.municipalities = {event.municipality()};
  caller.correlation_id = event.correlation_id();
  caller.traceparent = event.trace().traceparent();

  // A concurrent change (a coordinator's) makes the update ABORTED: read again and retry.
  absl::Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto referral = desk_.Get(enrolled.referral_id(), caller);
    if (!referral.ok()) return referral.status();  // NOT_FOUND: a dead letter; outage: a retry
    if (AtOrBeyondEnrolled(referral->status())) return absl::OkStatus();
    if (referral->status() != v1::REFERRAL_STATUS_ACCEPTED) {
      observe::Warn("enrolled referral is not accepted; left for the coordinator")
          .With("referral_id", referral->id())
          .With("status", v1::ReferralStatus_Name(referral->status()))
          .With("cohort_id", enrolled.cohort_id());
      return absl::OkStatus();
    }
    v1::UpdateReferralStatusRequest req;
    req.set_id(referral->id());
    req.set_expected_version(referral->version());
    req.set_status(v1::REFERRAL_STATUS_ENROLLED);
    last = desk_.UpdateStatus(req, caller).status();
    if (last.code() != absl::StatusCode::kAborted) return last;
  }
  return last;  // ABORTED: retried later
}

}  // namespace kpr::referral
