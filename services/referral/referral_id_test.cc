#include "services/referral/referral_id.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace kpr::referral {
namespace {

const privacy::Pseudonymizer kKeys(std::string(32, 'k'));

TEST(ReferralId, SameSubmissionSameIdAndTheMunicipalityInFront) {
  std::string id = ReferralIdFor(kKeys, "0165", "fasit", "case-1");
  EXPECT_EQ(id, ReferralIdFor(kKeys, "0165", "fasit", "case-1"));
  EXPECT_EQ(MunicipalityOfReferralId(id), "0165");
  EXPECT_NE(id, ReferralIdFor(kKeys, "0183", "fasit", "case-1"));
  EXPECT_NE(id, ReferralIdFor(kKeys, "0165", "momentum", "case-1"));
  EXPECT_NE(id,
            ReferralIdFor(privacy::Pseudonymizer(std::string(32, 'x')), "0165", "fasit", "case-1"));
}

TEST(ReferralId, DistinctSubmissionsGetDistinctIds) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i)
    ids.insert(ReferralIdFor(kKeys, "0165", "fasit", absl::StrCat("case-", i)));
  EXPECT_EQ(ids.size(), 10000u);
  for (const auto& id : ids) ASSERT_EQ(MunicipalityOfReferralId(id), "0165") << id;
}

TEST(ReferralId, RejectsMalformed) {
  EXPECT_EQ(MunicipalityOfReferralId(""), "");
  EXPECT_EQ(MunicipalityOfReferralId("0165"), "");
  EXPECT_EQ(MunicipalityOfReferralId("01a5-01JD3M5V0Q6Y2ZK4E1N8W9XRTB"), "");
  EXPECT_EQ(MunicipalityOfReferralId("0165-01JD3M5V0Q6Y2ZK4E1N8W9XRTU"), "");  // U is not Crockford
  EXPECT_EQ(MunicipalityOfReferralId("0165-01JD3M5V0Q6Y2ZK4E1N8W9XRT"), "");
}

}  // namespace
}  // namespace kpr::referral
