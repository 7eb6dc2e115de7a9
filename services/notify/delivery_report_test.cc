#include "services/notify/delivery_report.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "services/notify/delivery_key.h"

namespace kpr::notify {
namespace {

using Change = ReportEffect::Change;
using google::protobuf::util::TimeUtil;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string DeliveryId() {
  return DeliveryIdFor("0165", TriggeringFact::Event("evt-1"), "ref-1", v1::CHANNEL_SMS);
}

std::string Body(const std::string& status, const std::string& userref) {
  return absl::StrCat(R"({"id":1000001,"msisdn":4520000001,"time":1700000000,"status":")", status,
                      R"(","error":null,"code":null,"userref":")", userref, R"("})");
}

DeliveryReport Report(const std::string& status) {
  absl::StatusOr<DeliveryReport> report =
      ParseDeliveryReport(Body(status, UserrefFor(DeliveryId())));
  EXPECT_TRUE(report.ok()) << report.status();
  return *report;
}

v1::Delivery Sent() {
  v1::Delivery d;
  d.set_delivery_id(DeliveryId());
  d.set_status(v1::DELIVERY_STATUS_SENT);
  d.set_attempts(1);
  d.set_provider("primary");
  d.set_provider_message_id("1000001");
  return d;
}

TEST(ClassifyReportStatusTest, AllStatuses) {
  EXPECT_EQ(ClassifyReportStatus("DELIVERED"), ReportStatus::kDelivered);
  for (const char* s : {"EXPIRED", "UNDELIVERABLE", "REJECTED", "DELETED", "SKIPPED"}) {
    EXPECT_EQ(ClassifyReportStatus(s), ReportStatus::kFailed) << s;
  }
  for (const char* s : {"ENROUTE", "BUFFERED", "SCHEDULED", "ACCEPTED"}) {
    EXPECT_EQ(ClassifyReportStatus(s), ReportStatus::kOnTheWay) << s;
  }
  EXPECT_EQ(ClassifyReportStatus("delivered"), ReportStatus::kUnrecognised);
  EXPECT_EQ(ClassifyReportStatus("UNKNOWN"), ReportStatus::kUnrecognised);
}

TEST(ParseDeliveryReportTest, TheGatewaysShape) {
  DeliveryReport r = Report("DELIVERED");
  EXPECT_EQ(r.provider_message_id, "1000001");
  EXPECT_EQ(r.status, "DELIVERED");
  EXPECT_EQ(r.kind, ReportStatus::kDelivered);
  EXPECT_EQ(r.time, kNow);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.delivery_id, DeliveryId());
}

TEST(ParseDeliveryReportTest, ErrorCodeAndForeignUserref) {
  absl::StatusOr<DeliveryReport> r = ParseDeliveryReport(
      R"({"id":"abc","status":"UNDELIVERABLE","error":"no route","code":"0x0D","userref":"x"})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->provider_message_id, "abc");
  EXPECT_EQ(r->kind, ReportStatus::kFailed);
  EXPECT_EQ(r->error, "no route");
  EXPECT_EQ(r->code, "0x0D");
  EXPECT_EQ(r->userref, "x");
  EXPECT_EQ(r->delivery_id, "");  // not ours: the handler acknowledges and drops it
  EXPECT_EQ(r->time, absl::InfinitePast());
}

TEST(ParseDeliveryReportTest, RefusesMalformed) {
  for (const char* body :
       {"", "null", "[]", R"({"id":1})", R"({"status":""})", R"({"status":3})"}) {
    EXPECT_EQ(ParseDeliveryReport(body).status().code(), absl::StatusCode::kInvalidArgument)
        << body;
  }
}

TEST(NextDeliveryStateTest, DeliveredFromSent) {
  ReportEffect e = NextDeliveryState(Sent(), Report("DELIVERED"), kNow);
  EXPECT_EQ(e.change, Change::kDelivered);
  EXPECT_EQ(e.delivery.status(), v1::DELIVERY_STATUS_DELIVERED);
  EXPECT_EQ(e.delivery.finished_at(), TimeUtil::SecondsToTimestamp(1700000000));
  EXPECT_EQ(e.delivery.updated_at(), TimeUtil::SecondsToTimestamp(1700000000));
}

TEST(NextDeliveryStateTest, FinalFailuresWithTheirReason) {
  for (const char* s : {"EXPIRED", "UNDELIVERABLE", "DELETED", "SKIPPED"}) {
    ReportEffect e = NextDeliveryState(Sent(), Report(s), kNow);
    EXPECT_EQ(e.change, Change::kFailed) << s;
    EXPECT_EQ(e.delivery.status(), v1::DELIVERY_STATUS_FAILED) << s;
    EXPECT_EQ(e.delivery.reason(), v1::DELIVERY_REASON_UNDELIVERABLE) << s;
  }
  ReportEffect rejected = NextDeliveryState(Sent(), Report("REJECTED"), kNow);
  EXPECT_EQ(rejected.change, Change::kFailed);
  EXPECT_EQ(rejected.delivery.reason(), v1::DELIVERY_REASON_REJECTED);
}

TEST(NextDeliveryStateTest, TransientAndUnrecognisedChangeNothing) {
  for (const char* s : {"ENROUTE", "BUFFERED", "SCHEDULED", "ACCEPTED", "WHATEVER"}) {
    ReportEffect e = NextDeliveryState(Sent(), Report(s), kNow);
    EXPECT_EQ(e.change, Change::kNone) << s;
    EXPECT_EQ(e.delivery.SerializeAsString(), Sent().SerializeAsString()) << s;
  }
}

TEST(NextDeliveryStateTest, OutOfOrderTransientAfterFinalIsIgnored) {
  v1::Delivery delivered = NextDeliveryState(Sent(), Report("DELIVERED"), kNow).delivery;
  ReportEffect late = NextDeliveryState(delivered, Report("ENROUTE"), kNow + absl::Seconds(5));
  EXPECT_EQ(late.change, Change::kNone);
  EXPECT_EQ(late.delivery.status(), v1::DELIVERY_STATUS_DELIVERED);
}

TEST(NextDeliveryStateTest, RepeatedFinalIsANoOpAndTheFirstFinalWins) {
  v1::Delivery delivered = NextDeliveryState(Sent(), Report("DELIVERED"), kNow).delivery;
  ReportEffect again = NextDeliveryState(delivered, Report("DELIVERED"), kNow + absl::Seconds(5));
  EXPECT_EQ(again.change, Change::kNone);
  EXPECT_EQ(again.delivery.finished_at(), delivered.finished_at());
  ReportEffect other = NextDeliveryState(delivered, Report("EXPIRED"), kNow + absl::Seconds(5));
  EXPECT_EQ(other.change, Change::kNone);
  EXPECT_EQ(other.delivery.status(), v1::DELIVERY_STATUS_DELIVERED);

  v1::Delivery failed = NextDeliveryState(Sent(), Report("EXPIRED"), kNow).delivery;
  EXPECT_EQ(NextDeliveryState(failed, Report("DELIVERED"), kNow).change, Change::kNone);
}

TEST(NextDeliveryStateTest, BeforeTheAcceptanceIsRecordedTheGatewayMustRetry) {
  v1::Delivery sending = Sent();
  sending.set_status(v1::DELIVERY_STATUS_SENDING);
  sending.clear_provider_message_id();
  EXPECT_EQ(NextDeliveryState(sending, Report("DELIVERED"), kNow).change, Change::kRetryLater);
  v1::Delivery unknown = sending;
  unknown.set_status(v1::DELIVERY_STATUS_PENDING);
  unknown.set_outcome_unknown(true);
  EXPECT_EQ(NextDeliveryState(unknown, Report("UNDELIVERABLE"), kNow).change, Change::kRetryLater);
  // A transient one is simply acknowledged.
  EXPECT_EQ(NextDeliveryState(sending, Report("ENROUTE"), kNow).change, Change::kNone);
}

TEST(NextDeliveryStateTest, NeverSentOrClosedDeliveriesAreLeftAlone) {
  v1::Delivery pending;
  pending.set_status(v1::DELIVERY_STATUS_PENDING);
  EXPECT_EQ(NextDeliveryState(pending, Report("DELIVERED"), kNow).change, Change::kNone);
  for (v1::DeliveryStatus s : {v1::DELIVERY_STATUS_SKIPPED, v1::DELIVERY_STATUS_CANCELLED}) {
    v1::Delivery d = Sent();
    d.set_status(s);
    EXPECT_EQ(NextDeliveryState(d, Report("DELIVERED"), kNow).change, Change::kNone);
  }
}

TEST(NextDeliveryStateTest, KeepsTheIdFromTheReportWhenNoneWasRecorded) {
  v1::Delivery d = Sent();
  d.clear_provider_message_id();
  EXPECT_EQ(NextDeliveryState(d, Report("DELIVERED"), kNow).delivery.provider_message_id(),
            "1000001");
}

}  // namespace
}  // namespace kpr::notify
