#include "services/notify/inbound_reply.h"

#include <gtest/gtest.h>

namespace kpr::notify {
namespace {

TEST(ParseInboundReplyTest, GatewayApiShape) {
  absl::StatusOr<InboundReply> reply =
      ParseInboundReply(R"({"id":1000007,"msisdn":4520000001,"receiver":451204,"message":"STOP",)"
                        R"("senttime":1700000000,"webhook_label":"kpr"})");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->msisdn, "4520000001");
  EXPECT_EQ(reply->text, "STOP");
  EXPECT_EQ(reply->provider_message_id, "1000007");
}

TEST(ParseInboundReplyTest, MsisdnAsString) {
  absl::StatusOr<InboundReply> reply =
      ParseInboundReply(R"({"msisdn":"+45 20 00 00 01","message":"Tak"})");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->msisdn, "4520000001");
}

TEST(ParseInboundReplyTest, RefusesMalformed) {
  for (const char* body : {"", "[]", R"({"message":"STOP"})", R"({"msisdn":12,"message":"STOP"})",
                           R"({"msisdn":4520000001})", R"({"msisdn":4520000001,"message":7})"}) {
    EXPECT_EQ(ParseInboundReply(body).status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST(IsStopRequestTest, FirstWordStopOrAfmeldInAnyCase) {
  for (const char* text : {"STOP", "stop", "Stop", " stop ", "\tSTOP\n", "Stop.", "stop!",
                           "stop tak", "STOP TAK!", "AFMELD", "afmeld", "Afmeld tak", "afmeld."}) {
    EXPECT_TRUE(IsStopRequest(text)) << text;
  }
}

TEST(IsStopRequestTest, OtherRepliesDoNot) {
  for (const char* text : {"", "   ", "Tak", "ja", "stoppe", "stops", "jeg kan ikke stoppe i dag",
                           "please stop", "afmelding", "st op", "STOP-", "nej stop"}) {
    EXPECT_FALSE(IsStopRequest(text)) << text;
  }
}

}  // namespace
}  // namespace kpr::notify
