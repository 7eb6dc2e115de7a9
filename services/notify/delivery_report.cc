#include "services/notify/delivery_report.h"

#include <google/protobuf/util/time_util.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "services/notify/delivery_key.h"

namespace kpr::notify {
namespace {

using google::protobuf::util::TimeUtil;
using nlohmann::json;

// A string field, or a number as its decimal digits; "" for null or absent.
std::string Text(const json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer() || it->is_number_unsigned()) {
    return std::to_string(it->get<int64_t>());
  }
  return "";
}

ReportEffect Keep(const v1::Delivery& current, ReportEffect::Change change, std::string why) {
  return ReportEffect{change, current, std::move(why)};
}

bool IsFinal(v1::DeliveryStatus status) {
  return status == v1::DELIVERY_STATUS_DELIVERED || status == v1::DELIVERY_STATUS_FAILED ||
         status == v1::DELIVERY_STATUS_SKIPPED || status == v1::DELIVERY_STATUS_CANCELLED;
}

}  // namespace

ReportStatus ClassifyReportStatus(absl::string_view status) {
  if (status == "DELIVERED") return ReportStatus::kDelivered;
  for (absl::string_view failed : {"EXPIRED", "UNDELIVERABLE", "REJECTED", "DELETED", "SKIPPED"}) {
    if (status == failed) return ReportStatus::kFailed;
  }
  for (absl::string_view on_the_way : {"ENROUTE", "BUFFERED", "SCHEDULED", "ACCEPTED"}) {
    if (status == on_the_way) return ReportStatus::kOnTheWay;
  }
  return ReportStatus::kUnrecognised;
}

absl::StatusOr<DeliveryReport> ParseDeliveryReport(absl::string_view body) {
  json parsed = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return absl::InvalidArgumentError("report is not a JSON object");
  auto status = parsed.find("status");
  if (status == parsed.end() || !status->is_string() || status->get<std::string>().empty()) {
    return absl::InvalidArgumentError("report has no status");
  }
  DeliveryReport report;
  report.status = status->get<std::string>();
  report.kind = ClassifyReportStatus(report.status);
  report.provider_message_id = Text(parsed, "id");
  report.error = Text(parsed, "error");
  report.code = Text(parsed, "code");
  report.userref = Text(parsed, "userref");
  report.delivery_id = DeliveryIdFromUserref(report.userref);
  auto time = parsed.find("time");
  if (time != parsed.end() && time->is_number()) {
    report.time = absl::FromUnixSeconds(time->get<int64_t>());
  }
  return report;
}

ReportEffect NextDeliveryState(const v1::Delivery& current, const DeliveryReport& report,
                               absl::Time now) {
  if (report.kind == ReportStatus::kOnTheWay) {
    return Keep(current, ReportEffect::Change::kNone, absl::StrCat(report.status, " is transient"));
  }
  if (report.kind == ReportStatus::kUnrecognised) {
    return Keep(current, ReportEffect::Change::kNone,
                absl::StrCat("unrecognised status ", report.status));
  }
  if (IsFinal(current.status())) {
    return Keep(current, ReportEffect::Change::kNone,
                absl::StrCat(report.status, " after the delivery was already final"));
  }
  if (current.status() != v1::DELIVERY_STATUS_SENT) {
    bool awaiting_acceptance =
        current.status() == v1::DELIVERY_STATUS_SENDING ||
        (current.status() == v1::DELIVERY_STATUS_PENDING && current.attempts() > 0);
    if (awaiting_acceptance) {
      return Keep(current, ReportEffect::Change::kRetryLater,
                  "the gateway's acceptance is not recorded yet");
    }
    return Keep(current, ReportEffect::Change::kNone, "the delivery was never sent");
  }
  ReportEffect effect;
  effect.delivery = current;
  v1::Delivery& d = effect.delivery;
  if (report.kind == ReportStatus::kDelivered) {
    effect.change = ReportEffect::Change::kDelivered;
    d.set_status(v1::DELIVERY_STATUS_DELIVERED);
  } else {
    effect.change = ReportEffect::Change::kFailed;
    d.set_status(v1::DELIVERY_STATUS_FAILED);
    d.set_reason(report.status == "REJECTED" ? v1::DELIVERY_REASON_REJECTED
                                             : v1::DELIVERY_REASON_UNDELIVERABLE);
  }
  if (d.provider_message_id().empty()) d.set_provider_message_id(report.provider_message_id);
  *d.mutable_finished_at() = TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(now));
  *d.mutable_updated_at() = d.finished_at();
  effect.why = report.status;
  return effect;
}

}  // namespace kpr::notify
