#include "services/referral/referral_record.h"

#include <string>

#include "gtest/gtest.h"

namespace kpr::referral {
namespace {

v1::StoredReferral Sample(const std::string& source_system) {
  v1::StoredReferral stored;
  v1::Referral* r = stored.mutable_referral();
  r->set_id("0165-abc");
  r->set_municipality("0165");
  r->set_status(v1::REFERRAL_STATUS_ACCEPTED);
  r->set_source(intake::v1::REFERRAL_SOURCE_JOBCENTER);
  r->set_source_system(source_system);
  r->set_external_id("case:1\n2");
  stored.set_sealed_contact(std::string("\0\x01:binary:\xff", 12));
  return stored;
}

TEST(ReferralRecordTest, HeaderIsWhatTheScriptsParse) {
  std::string value = EncodeReferralRecord(7, 3, Sample("fasit"));
  // version : status : source : reach : length of the source system : source system, then bytes
  const std::string header = "7:" + std::to_string(v1::REFERRAL_STATUS_ACCEPTED) + ":" +
                             std::to_string(intake::v1::REFERRAL_SOURCE_JOBCENTER) + ":3:5:fasit";
  EXPECT_EQ(value.substr(0, header.size()), header);
  v1::StoredReferral decoded;
  ASSERT_TRUE(decoded.ParseFromString(value.substr(header.size())));
  EXPECT_EQ(decoded.referral().id(), "0165-abc");
}

TEST(ReferralRecordTest, RoundTripSetsTheVersion) {
  // A source system may hold the separator; its length keeps the header unambiguous.
  for (const std::string& system : {std::string("fasit"), std::string("a:b:1:"), std::string()}) {
    v1::StoredReferral stored = Sample(system);
    auto record = DecodeReferralRecord(EncodeReferralRecord(42, 2, stored));
    ASSERT_TRUE(record.ok()) << record.status();
    EXPECT_EQ(record->version, 42);
    EXPECT_EQ(record->stored.referral().version(), 42);
    stored.mutable_referral()->set_version(42);
    EXPECT_EQ(record->stored.SerializeAsString(), stored.SerializeAsString());
  }
}

TEST(ReferralRecordTest, MalformedValuesAreDataLoss) {
  const std::string good = EncodeReferralRecord(1, 1, Sample("fasit"));
  for (const std::string& bad : {std::string(), std::string("1:2:3"), std::string("x:1:1:1:0:"),
                                 std::string("1:1:1:1:99:fasit"), std::string("1:1:1:1:-1:"),
                                 std::string("1:1:1:1:0:\xff\xff\xff"), good.substr(0, 10)}) {
    EXPECT_EQ(DecodeReferralRecord(bad).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
  EXPECT_TRUE(DecodeReferralRecord(good).ok());
}

TEST(ReferralRecordTest, HeaderParsesWithoutTheBody) {
  const std::string value = EncodeReferralRecord(9, 4, Sample("a:b:1:"));
  auto header = ParseReferralRecordHeader(value);
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(header->version, 9);
  EXPECT_EQ(header->status, v1::REFERRAL_STATUS_ACCEPTED);
  EXPECT_EQ(header->source, intake::v1::REFERRAL_SOURCE_JOBCENTER);
  EXPECT_EQ(header->reach, 4);
  EXPECT_EQ(header->source_system, "a:b:1:");
  v1::StoredReferral body;
  ASSERT_TRUE(body.ParseFromString(value.substr(header->body_offset)));
  EXPECT_EQ(body.referral().external_id(), "case:1\n2");
  // Only the header is read: a body that does not decode still has one.
  EXPECT_TRUE(ParseReferralRecordHeader("1:2:3:4:0:\xff\xff").has_value());
  for (const char* bad : {"", "1:2:3:4", "1:2:3:4:9:abc", "1:2:x:4:0:", "1:2:3:-4:0:"}) {
    EXPECT_FALSE(ParseReferralRecordHeader(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace kpr::referral
