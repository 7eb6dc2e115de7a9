#ifndef KPR_SERVICES_NOTIFY_DELIVERY_REPORT_H_
#define KPR_SERVICES_NOTIFY_DELIVERY_REPORT_H_

// Delivery reports from the SMS gateway and what they do to a delivery. Pure: the callback handler
// verifies the signature (callback_signature.h), parses, loads the delivery named by the userref,
// asks NextDeliveryState, and commits that in one script.
//
// Body: {"id", "msisdn", "time" (Unix seconds), "status", "error", "code", "userref"}; error,
// code and userref may be null. The msisdn is not kept: the userref finds the delivery.
//
// Statuses: DELIVERED is final and good; EXPIRED, UNDELIVERABLE, REJECTED, DELETED and SKIPPED
// are final failures; ENROUTE, BUFFERED, SCHEDULED and ACCEPTED are on the way and change
// nothing. Reports arrive out of order and repeated (the gateway retries them), so:
// - a transient status never moves a delivery, least of all after a final one;
// - the first final status wins; a repeated final, or a different one after it, is a no-op;
// - a report for a delivery that has not yet recorded the gateway's acceptance (still SENDING,
//   or PENDING after an unknown outcome) is refused for now, so the gateway sends it again once
//   the acceptance is recorded, instead of being lost.

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "kpr/notify/v1/notify.pb.h"

namespace kpr::notify {

enum class ReportStatus {
  kDelivered,     // DELIVERED
  kFailed,        // EXPIRED, UNDELIVERABLE, REJECTED, DELETED, SKIPPED
  kOnTheWay,      // ENROUTE, BUFFERED, SCHEDULED, ACCEPTED
  kUnrecognised,  // anything else: changes nothing (logged)
};
ReportStatus ClassifyReportStatus(absl::string_view status);

struct DeliveryReport {
  std::string provider_message_id;  // the gateway's id ("id"), as a string
  std::string status;               // as sent, e.g. "DELIVERED"
  ReportStatus kind = ReportStatus::kUnrecognised;
  absl::Time time =
      absl::InfinitePast();  // when the gateway saw the status; InfinitePast if absent
  std::string error, code;   // the gateway's, for the log; "" when null
  std::string userref;
  std::string delivery_id;  // DeliveryIdFromUserref(userref); "" when the userref is not ours
};

// INVALID_ARGUMENT (HTTP 400) when the body is not a JSON object with a string status.
absl::StatusOr<DeliveryReport> ParseDeliveryReport(absl::string_view body);

struct ReportEffect {
  enum class Change {
    kNone,        // nothing to write; answer 2xx so the gateway stops retrying
    kDelivered,   // write `delivery`, emit message_delivered
    kFailed,      // write `delivery`, emit message_failed
    kRetryLater,  // the acceptance is not recorded yet: answer non-2xx so the gateway retries
  };
  Change change = Change::kNone;
  v1::Delivery delivery;  // the delivery as it becomes (unchanged unless kDelivered/kFailed)
  std::string why;        // for the log
};

ReportEffect NextDeliveryState(const v1::Delivery& current, const DeliveryReport& report,
                               absl::Time now);

}  // namespace kpr::notify

#endif  // KPR_SERVICES_NOTIFY_DELIVERY_REPORT_H_
