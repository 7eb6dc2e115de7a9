#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/store/municipality_leases.h"
#include "libs/store/redis_pool.h"
#include "tests/harness/servers.h"

namespace kpr::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kService[] = "leasetest";

RedisOptions TestOptions() {
  auto o = RedisOptionsFromUrl(kpr::testing::Servers::Redis().url());
  EXPECT_TRUE(o.ok()) << o.status();
  return *o;
}

std::vector<std::string> TenMunicipalities() {
  std::vector<std::string> ms;
  for (int i = 0; i < 10; ++i) ms.push_back(absl::StrCat("0", 101 + i));
  return ms;
}

class MunicipalityLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kpr::testing::FlushRedis().ok()); }

  std::unique_ptr<MunicipalityLeases> Replica(absl::Duration ttl = absl::Seconds(5)) {
    return std::make_unique<MunicipalityLeases>(pool_, kService, "outbox",
                                                MunicipalityLeases::Options{.ttl = ttl});
  }
  std::string Holder(const std::string& m) {
    auto r = pool_.Command({"GET", MunicipalityLeases::LeaseKey(m, kService, "outbox")});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->string() : "";
  }

  RedisPool pool_{TestOptions()};
};

TEST_F(MunicipalityLeasesTest, KeysSayWhereTheyBelong) {
  EXPECT_EQ(MunicipalityLeases::LeaseKey("0165", "referral", "outbox"),
            "kpr:{0165}:referral:outbox:lease");
  EXPECT_EQ(MunicipalityLeases::HoldersKey("referral", "outbox"),
            "kpr:lease-holders:referral:outbox");
}

// Three replicas over ten municipalities: every municipality is held by exactly one replica (the
// token in Redis says which), and the shares are 4, 3, 3.
TEST_F(MunicipalityLeasesTest, ThreeReplicasShareTenMunicipalities) {
  const auto ms = TenMunicipalities();
  std::vector<std::unique_ptr<MunicipalityLeases>> replicas;
  for (int i = 0; i < 3; ++i) replicas.push_back(Replica());
  // The first starts alone and takes everything; the others join; two upkeep rounds each.
  ASSERT_TRUE(replicas[0]->Refresh(ms).ok());
  EXPECT_EQ(replicas[0]->held_count(), 10);
  for (int round = 0; round < 2; ++round) {
    for (int i : {1, 2, 0}) ASSERT_TRUE(replicas[i]->Refresh(ms).ok());
  }
  std::multiset<int> shares;
  std::set<std::string> seen;
  for (auto& r : replicas) {
    shares.insert(r->held_count());
    for (const std::string& m : r->Held()) {
      EXPECT_TRUE(seen.insert(m).second) << m << " held twice";
      EXPECT_EQ(Holder(m), r->token());
      EXPECT_TRUE(r->Holds(m));
    }
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_THAT(shares, ElementsAre(3, 3, 4));
  auto ttl = pool_.Command({"PTTL", MunicipalityLeases::LeaseKey("0101", kService, "outbox")});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer(), 0);
  EXPECT_LE(ttl->integer(), 5000);
}

// A replica that stops renewing (it died) loses its leases after the ttl, and the others take
// them at their next upkeep; one that stops cleanly hands them over at once.
TEST_F(MunicipalityLeasesTest, OthersTakeOverWhenAHolderDiesOrLeaves) {
  const auto ms = TenMunicipalities();
  const absl::Duration ttl = absl::Milliseconds(900);
  auto a = Replica(ttl), b = Replica(ttl), c = Replica(ttl);
  for (int round = 0; round < 2; ++round) {
    for (auto* r : {a.get(), b.get(), c.get()}) ASSERT_TRUE(r->Refresh(ms).ok());
  }
  ASSERT_GT(c->held_count(), 0);
  const std::vector<std::string> of_c = c->Held();

  // c dies. Until its leases expire, nobody else may take them.
  ASSERT_TRUE(a->Refresh(ms).ok());
  ASSERT_TRUE(b->Refresh(ms).ok());
  EXPECT_EQ(a->held_count() + b->held_count(), 10 - static_cast<int>(of_c.size()));
  const absl::Time died = absl::Now();
  while (a->held_count() + b->held_count() < 10 && absl::Now() - died < 4 * ttl) {
    absl::SleepFor(ttl / 3);
    ASSERT_TRUE(a->Refresh(ms).ok());
    ASSERT_TRUE(b->Refresh(ms).ok());
  }
  EXPECT_LE(absl::Now() - died, ttl * 2);
  EXPECT_EQ(a->held_count(), 5);
  EXPECT_EQ(b->held_count(), 5);
  for (const std::string& m : of_c) EXPECT_NE(Holder(m), c->token());
  // Locally, c no longer counts on them either.
  EXPECT_THAT(c->Held(), IsEmpty());

  // b leaves cleanly: a takes everything at its next upkeep, without waiting for the ttl.
  ASSERT_TRUE(b->ReleaseAll().ok());
  EXPECT_EQ(b->held_count(), 0);
  ASSERT_TRUE(a->Refresh(ms).ok());
  EXPECT_EQ(a->held_count(), 10);
}

// Giving back checks the token: a lease that expired and was taken by another replica is not
// deleted by its former holder.
TEST_F(MunicipalityLeasesTest, ReleaseLeavesAnotherHoldersLeaseAlone) {
  auto a = Replica();
  ASSERT_TRUE(a->Refresh({"0165"}).ok());
  ASSERT_TRUE(a->Holds("0165"));
  const std::string key = MunicipalityLeases::LeaseKey("0165", kService, "outbox");
  ASSERT_TRUE(pool_.Command({"SET", key, "someone-else", "PX", "5000"}).ok());
  ASSERT_TRUE(a->ReleaseAll().ok());
  EXPECT_EQ(Holder("0165"), "someone-else");
  // And a renewal does not extend it: the upkeep sees it as another's.
  ASSERT_TRUE(a->Refresh({"0165"}).ok());
  EXPECT_FALSE(a->Holds("0165"));
  EXPECT_EQ(Holder("0165"), "someone-else");
}

}  // namespace
}  // namespace kpr::store
