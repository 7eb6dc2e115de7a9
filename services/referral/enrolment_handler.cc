#include "services/referral/enrolment_handler.h"

#include "absl/strings/str_cat.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/bus/envelope.h"
#include "libs/observe/log.h"
#include "services/referral/intake_handler.h"

namespace kpr::referral {
namespace {

bool AtOrBeyondEnrolled(v1::ReferralStatus s) {
  return s == v1::REFERRAL_STATUS_ENROLLED || s == v1::REFERRAL_STATUS_COMPLETED ||
         s == v1::REFERRAL_STATUS_DROPPED_OUT;
}

bool IsOutage(const absl::Status& s) {
  return s.code() == absl::StatusCode::kUnavailable ||
         s.code() == absl::StatusCode::kDeadlineExceeded;
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

  Caller caller;
  caller.claims.subject = "kpr-scheduling";
  caller.claims.role = rpc::Role::kService;
  caller.claims.municipalities = {event->municipality()};
  caller.correlation_id = event->correlation_id();
  caller.traceparent = event->trace().traceparent();

  // A concurrent change (a coordinator's) makes the update ABORTED: read again and retry.
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto referral = desk_.Get(enrolled->referral_id(), caller);
    if (!referral.ok()) {
      if (IsOutage(referral.status())) {
        return bus::Retry(RetryBackoff(d.delivery_count), std::string(referral.status().message()));
      }
      return bus::DeadLetter(absl::StrCat("referral of enrolled event: ", referral.status().message()));
    }
    if (AtOrBeyondEnrolled(referral->status())) return bus::Ack();
    if (referral->status() != v1::REFERRAL_STATUS_ACCEPTED) {
      observe::Warn("enrolled referral is not accepted; left for the coordinator")
          .With("referral_id", referral->id())
          .With("status", v1::ReferralStatus_Name(referral->status()))
          .With("cohort_id", enrolled->cohort_id());
      return bus::Ack();
    }
    v1::UpdateReferralStatusRequest req;
    req.set_id(referral->id());
    req.set_expected_version(referral->version());
    req.set_status(v1::REFERRAL_STATUS_ENROLLED);
    auto updated = desk_.UpdateStatus(req, caller);
    if (updated.ok()) return bus::Ack();
    if (updated.status().code() == absl::StatusCode::kAborted) continue;
    if (IsOutage(updated.status())) {
      return bus::Retry(RetryBackoff(d.delivery_count), std::string(updated.status().message()));
    }
    return bus::DeadLetter(absl::StrCat("enrolling referral: ", updated.status().message()));
  }
  return bus::Retry(RetryBackoff(d.delivery_count), "referral kept changing");
}

}  // namespace kpr::referral
