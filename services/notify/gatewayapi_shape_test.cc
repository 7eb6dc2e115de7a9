#include "services/notify/gatewayapi_shape.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kpr::notify {
namespace {

using nlohmann::json;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

SmsRequest Request() {
  SmsRequest r;
  r.sender = "Kultur";
  r.text = "Husk i morgen kl. 10";
  r.msisdn = "+45 20 00 00 01";
  r.userref = "0165ZM0W05BJVYF7VA9Q3560W883X4";
  return r;
}

TEST(MsisdnDigitsTest, AcceptsE164WithPlusAndSpaces) {
  EXPECT_EQ(MsisdnDigits("+45 20 00 00 01"), "4520000001");
  EXPECT_EQ(MsisdnDigits("4520000001"), "4520000001");
  EXPECT_EQ(MsisdnDigits("0045200000"), std::nullopt);  // leading 0
  EXPECT_EQ(MsisdnDigits("+45 2000"), std::nullopt);    // too short
  EXPECT_EQ(MsisdnDigits("1234567890123456"), std::nullopt);
  EXPECT_EQ(MsisdnDigits("+45-2000-0001"), std::nullopt);
  EXPECT_EQ(MsisdnDigits(""), std::nullopt);
}

TEST(MtSmsBodyTest, Gsm7WithoutCallbackOmitsEncodingAndCallback) {
  json body = json::parse(*MtSmsBody(Request()));
  EXPECT_EQ(body["sender"], "Kultur");
  EXPECT_EQ(body["message"], "Husk i morgen kl. 10");
  EXPECT_EQ(body["userref"], "0165ZM0W05BJVYF7VA9Q3560W883X4");
  ASSERT_EQ(body["recipients"].size(), 1u);
  EXPECT_TRUE(body["recipients"][0]["msisdn"].is_number_integer());
  EXPECT_EQ(body["recipients"][0]["msisdn"].get<int64_t>(), 4520000001);
  EXPECT_FALSE(body.contains("encoding"));
  EXPECT_FALSE(body.contains("callback_url"));
}

TEST(MtSmsBodyTest, Ucs2AndCallbackAreSent) {
  SmsRequest r = Request();
  r.text = "Vi ses \xE2\x80\x93 snart";  // an en dash forces UCS-2
  r.encoding = v1::SMS_ENCODING_UCS2;
  r.callback_url = "https://notify.example/callbacks/sms/report";
  json body = json::parse(*MtSmsBody(r));
  EXPECT_EQ(body["encoding"], "UCS2");
  EXPECT_EQ(body["callback_url"], "https://notify.example/callbacks/sms/report");
  EXPECT_EQ(body["message"], "Vi ses \xE2\x80\x93 snart");
}

TEST(MtSmsBodyTest, InvalidMsisdnIsAnError) {
  SmsRequest r = Request();
  r.msisdn = "12";
  EXPECT_EQ(MtSmsBody(r).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParseRetryAfterTest, SecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfter("2", kNow), absl::Seconds(2));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kNow), absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-3", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", kNow), std::nullopt);
  // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:13:50 GMT", kNow), absl::Seconds(30));
  EXPECT_EQ(ParseRetryAfter("Tue, 14 Nov 2023 22:00:00 GMT", kNow), absl::ZeroDuration());
}

TEST(ClassifyTest, AcceptedCarriesTheFirstId) {
  SmsSendResult r = ClassifyMtSmsAnswer(200, R"({"ids":[1000001],"usage":{}})", "", kNow);
  EXPECT_EQ(r.result.outcome, SendOutcome::kAccepted);
  EXPECT_EQ(r.result.provider_message_id, "1000001");
  EXPECT_EQ(r.http_status, 200);
}

TEST(ClassifyTest, TwoHundredWithoutAnIdIsUnknown) {
  EXPECT_EQ(ClassifyMtSmsAnswer(200, "{}", "", kNow).result.outcome, SendOutcome::kUnknown);
  EXPECT_EQ(ClassifyMtSmsAnswer(200, "<html>", "", kNow).result.outcome, SendOutcome::kUnknown);
}

TEST(ClassifyTest, ThrottledIsTransientWithRetryAfter) {
  SmsSendResult r = ClassifyMtSmsAnswer(429, R"({"code":"0x0429"})", "3", kNow);
  EXPECT_EQ(r.result.outcome, SendOutcome::kTransient);
  EXPECT_EQ(r.result.retry_after, absl::Seconds(3));
  EXPECT_EQ(r.detail, "HTTP 429 0x0429");
  EXPECT_EQ(ClassifyMtSmsAnswer(429, "", "", kNow).result.retry_after, absl::Seconds(1));
}

TEST(ClassifyTest, UnavailableIsTransientOtherServerErrorsUnknown) {
  EXPECT_EQ(ClassifyMtSmsAnswer(503, "", "", kNow).result.outcome, SendOutcome::kTransient);
  EXPECT_EQ(ClassifyMtSmsAnswer(503, "", "5", kNow).result.retry_after, absl::Seconds(5));
  for (int status : {500, 502, 504}) {
    EXPECT_EQ(ClassifyMtSmsAnswer(status, "", "", kNow).result.outcome, SendOutcome::kUnknown)
        << status;
  }
}

TEST(ClassifyTest, CredentialsRefusedIsATransientConfigError) {
  for (int status : {401, 403}) {
    SmsSendResult r = ClassifyMtSmsAnswer(status, "", "", kNow);
    EXPECT_EQ(r.result.outcome, SendOutcome::kTransient);
    EXPECT_TRUE(r.config_error);
  }
}

TEST(ClassifyTest, ClientErrorsArePermanent) {
  SmsSendResult invalid = ClassifyMtSmsAnswer(422, R"({"code":"0x0216"})", "", kNow);
  EXPECT_EQ(invalid.result.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(invalid.result.reason, v1::DELIVERY_REASON_INVALID_RECIPIENT);
  SmsSendResult bad = ClassifyMtSmsAnswer(400, "", "", kNow);
  EXPECT_EQ(bad.result.outcome, SendOutcome::kPermanent);
  EXPECT_EQ(bad.result.reason, v1::DELIVERY_REASON_REJECTED);
  EXPECT_FALSE(bad.config_error);
  EXPECT_EQ(ClassifyMtSmsAnswer(408, "", "", kNow).result.outcome, SendOutcome::kTransient);
}

}  // namespace
}  // namespace kpr::notify
