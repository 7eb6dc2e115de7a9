#include "services/referral/referral_validator.h"

#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"

namespace kpr::referral {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::kpr::intake::v1::ReferralSubmitted;
using ::testing::UnorderedElementsAre;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 23, 12, 0, 0), absl::UTCTimeZone());

// Synthetic CPR numbers only (see DOMAIN.md).
ReferralSubmitted ValidSubmission() {
  ReferralSubmitted s;
  s.set_source_system("fasit");
  s.set_external_id("case-1");
  s.set_municipality("0165");
  s.set_source(intake::v1::REFERRAL_SOURCE_JOBCENTER);
  auto* c = s.mutable_citizen();
  c->set_cpr("010190-2000");
  c->set_given_name("Testa");
  c->set_family_name("Testesen");
  c->set_phone("+45 20 00 00 01");
  c->set_email("testa@Example.ORG");
  c->set_preferred_channel(intake::v1::CONTACT_CHANNEL_SMS);
  *c->mutable_consent_given_at() =
      TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(kNow - absl::Hours(24)));
  s.mutable_referrer()->set_caseworker_id("cw-17");
  s.set_target_group(intake::v1::TARGET_GROUP_SICK_LISTED);
  s.set_benefit_situation(intake::v1::BENEFIT_SITUATION_SYGEDAGPENGE);
  return s;
}

std::vector<std::string> Fields(const FieldViolations& v) {
  std::vector<std::string> out;
  for (const auto& x : v) out.push_back(x.field());
  return out;
}

TEST(ReferralValidator, AcceptsAValidSubmission) {
  EXPECT_TRUE(ValidateSubmission(ValidSubmission(), kNow).empty());
}

TEST(ReferralValidator, NamesEveryBadField) {
  ReferralSubmitted s = ValidSubmission();
  s.set_source_system("");
  s.set_external_id("has space");
  s.set_municipality("165");
  s.mutable_citizen()->set_cpr("320190-1234");  // no 32nd day
  s.mutable_citizen()->set_given_name("  ");
  s.mutable_citizen()->set_phone("12345");
  s.mutable_citizen()->set_email("not-an-email");
  s.set_target_group(intake::v1::TARGET_GROUP_UNSPECIFIED);
  EXPECT_THAT(
      Fields(ValidateSubmission(s, kNow)),
      UnorderedElementsAre("source_system", "external_id", "municipality", "citizen.cpr",
                           "citizen.given_name", "citizen.phone", "citizen.email", "target_group"));
}

TEST(ReferralValidator, ViolationsNeverEchoPersonalData) {
  ReferralSubmitted s = ValidSubmission();
  s.mutable_citizen()->set_cpr("320190-1234");
  s.mutable_citizen()->set_phone("98765");
  s.mutable_citizen()->set_email("secret-person@");
  absl::Status st = ViolationsToStatus(ValidateSubmission(s, kNow));
  ASSERT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message().find("320190"), absl::string_view::npos);
  EXPECT_EQ(st.message().find("98765"), absl::string_view::npos);
  EXPECT_EQ(st.message().find("secret-person"), absl::string_view::npos);
  EXPECT_NE(st.message().find("citizen.cpr"), absl::string_view::npos);
}

TEST(ReferralValidator, ContactRules) {
  ReferralSubmitted s = ValidSubmission();
  s.mutable_citizen()->clear_phone();
  s.mutable_citizen()->clear_email();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)),
              UnorderedElementsAre("citizen.phone", "citizen.preferred_channel"));
  s = ValidSubmission();
  s.mutable_citizen()->clear_email();
  s.mutable_citizen()->set_preferred_channel(intake::v1::CONTACT_CHANNEL_EMAIL);
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)),
              UnorderedElementsAre("citizen.preferred_channel"));
  s = ValidSubmission();
  s.mutable_citizen()->set_phone("0045 12345678");
  EXPECT_TRUE(ValidateSubmission(s, kNow).empty());
  s.mutable_citizen()->set_phone("+46 12345678");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)), UnorderedElementsAre("citizen.phone"));
}

TEST(ReferralValidator, ConsentIsRequiredAndNotInTheFuture) {
  ReferralSubmitted s = ValidSubmission();
  s.mutable_citizen()->clear_consent_given_at();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)),
              UnorderedElementsAre("citizen.consent_given_at"));
  *s.mutable_citizen()->mutable_consent_given_at() =
      TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(kNow + absl::Hours(2)));
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)),
              UnorderedElementsAre("citizen.consent_given_at"));
}

TEST(ReferralValidator, SelfReferralNeedsNoCaseworker) {
  ReferralSubmitted s = ValidSubmission();
  s.clear_referrer();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)), UnorderedElementsAre("referrer.caseworker_id"));
  s.set_source(intake::v1::REFERRAL_SOURCE_SELF_REFERRAL);
  EXPECT_TRUE(ValidateSubmission(s, kNow).empty());
}

TEST(ReferralValidator, CprThatFailsModulus11IsStillValid) {
  // 010190-2000: digits weighted 4,3,2,7,6,5,4,3,2,1 sum to 0+4+0+7+54+0+8+0+0+0 = 73, not a
  // multiple of 11. Valid since 2007 because modulus 11 is no longer guaranteed.
  ReferralSubmitted s = ValidSubmission();
  s.mutable_citizen()->set_cpr("0101902000");
  EXPECT_TRUE(ValidateSubmission(s, kNow).empty());
}

TEST(ReferralValidator, NormalizesContactForms) {
  ReferralSubmitted s = ValidSubmission();
  NormalizeSubmission(s);
  EXPECT_EQ(s.citizen().cpr(), "0101902000");
  EXPECT_EQ(s.citizen().phone(), "+4520000001");
  EXPECT_EQ(s.citizen().email(), "testa@example.org");
  EXPECT_EQ(s.citizen().preferred_language(), "da");
}

TEST(ReferralValidator, ExternalIdMustNotBeACprNumber) {
  ReferralSubmitted s = ValidSubmission();
  s.set_external_id("0101902000");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)), UnorderedElementsAre("external_id"));
  s.set_external_id("010190-2000");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)), UnorderedElementsAre("external_id"));
  s.set_external_id("1234567890");  // ten digits, but no date: an ordinary case number
  EXPECT_TRUE(ValidateSubmission(s, kNow).empty());
}

TEST(ReferralValidator, LengthLimits) {
  ReferralSubmitted s = ValidSubmission();
  s.set_reason(std::string(2001, 'x'));
  s.set_notes(std::string(4001, 'x'));
  s.mutable_citizen()->set_family_name(std::string(101, 'x'));
  s.set_preferred_program("bad program!");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow)),
              UnorderedElementsAre("reason", "notes", "citizen.family_name", "preferred_program"));
}

}  // namespace
}  // namespace kpr::referral
