#include "libs/store/lease_plan.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::store {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(LeaseQuota, AddsUpToTheTotalAndDiffersByAtMostOne) {
  const std::vector<std::string> live = {"c", "a", "b"};
  EXPECT_EQ(LeaseQuota(10, live, "a"), 4u);
  EXPECT_EQ(LeaseQuota(10, live, "b"), 3u);
  EXPECT_EQ(LeaseQuota(10, live, "c"), 3u);
  EXPECT_EQ(LeaseQuota(2, live, "a") + LeaseQuota(2, live, "b") + LeaseQuota(2, live, "c"), 2u);
  EXPECT_EQ(LeaseQuota(10, {"a"}, "a"), 10u);
  // Not seen in the live set yet: counted as one more replica.
  EXPECT_EQ(LeaseQuota(10, {"a", "b"}, "c"), 3u);
  EXPECT_EQ(LeaseQuota(0, live, "a"), 0u);
}

TEST(PlanLeases, ReleasesTheLeastPreferredAboveTheQuota) {
  const std::vector<std::string> held = {"0101", "0147", "0151", "0153"};
  LeasePlan plan = PlanLeases(held, {"0155"}, 2, "r1");
  EXPECT_THAT(plan.acquire, IsEmpty());
  ASSERT_EQ(plan.release.size(), 2u);
  for (const std::string& kept : held) {
    if (kept == plan.release[0] || kept == plan.release[1]) continue;
    for (const std::string& released : plan.release) {
      EXPECT_GT(LeasePreference("r1", kept), LeasePreference("r1", released));
    }
  }
  EXPECT_THAT(PlanLeases(held, {}, 4, "r1").release, IsEmpty());
}

TEST(PlanLeases, AcquiresTheMostPreferredFreeOnesUpToTheQuota) {
  LeasePlan plan = PlanLeases({"0101"}, {"0147", "0151", "0153"}, 3, "r1");
  EXPECT_THAT(plan.release, IsEmpty());
  ASSERT_EQ(plan.acquire.size(), 2u);
  EXPECT_GE(LeasePreference("r1", plan.acquire[0]), LeasePreference("r1", plan.acquire[1]));
  EXPECT_THAT(PlanLeases({"0101"}, {"0147"}, 1, "r1").acquire, IsEmpty());
  EXPECT_THAT(PlanLeases({}, {"0147"}, 5, "r1").acquire, ElementsAre("0147"));
}

TEST(PlanLeases, ReplicasPreferDifferentOrders) {
  std::vector<std::string> ms;
  for (int i = 0; i < 10; ++i) ms.push_back(absl::StrCat("01", 10 + i));
  EXPECT_NE(PlanLeases({}, ms, 3, "replica-a").acquire, PlanLeases({}, ms, 3, "replica-b").acquire);
}

// Leases held in memory, as SET NX / compare-and-delete keep them in Redis.
class LeaseTable {
 public:
  explicit LeaseTable(int n) {
    for (int i = 0; i < n; ++i) all_.push_back(absl::StrCat("0", 101 + i));
  }
  // One upkeep round of replica `me` among `live`.
  void Round(const std::string& me, const std::vector<std::string>& live) {
    std::vector<std::string> held, free;
    for (const std::string& m : all_) {
      auto it = holder_.find(m);
      if (it == holder_.end()) {
        free.push_back(m);
      } else if (it->second == me) {
        held.push_back(m);
      }
    }
    LeasePlan plan = PlanLeases(held, free, LeaseQuota(all_.size(), live, me), me);
    for (const std::string& m : plan.release) holder_.erase(m);
    for (const std::string& m : plan.acquire) holder_.emplace(m, me);  // NX
  }
  void Expire(const std::string& dead) {
    for (auto it = holder_.begin(); it != holder_.end();) {
      it = it->second == dead ? holder_.erase(it) : std::next(it);
    }
  }
  std::map<std::string, int> Counts() const {
    std::map<std::string, int> counts;
    for (const auto& [m, holder] : holder_) ++counts[holder];
    return counts;
  }

 private:
  std::vector<std::string> all_;
  std::map<std::string, std::string> holder_;
};

// 10 municipalities over 3 replicas that start one after another (the first takes everything),
// in an arbitrary upkeep order: the holdings end as 4, 3, 3. When one dies, the other two take
// its share.
TEST(PlanLeases, SpreadsTenMunicipalitiesOverThreeReplicas) {
  LeaseTable table(10);
  table.Round("a", {"a"});
  EXPECT_THAT(table.Counts(), ElementsAre(std::pair<const std::string, int>("a", 10)));
  const std::vector<std::string> live = {"a", "b", "c"};
  // Two rounds each, the newcomers first: they find nothing free until "a" gives back.
  for (const char* r : {"c", "b", "a", "c", "b", "a", "b", "c"}) table.Round(r, live);
  auto counts = table.Counts();
  EXPECT_EQ(counts["a"] + counts["b"] + counts["c"], 10);
  std::multiset<int> shares = {counts["a"], counts["b"], counts["c"]};
  EXPECT_THAT(shares, ElementsAre(3, 3, 4));

  table.Expire("b");
  for (const char* r : {"a", "c"}) table.Round(r, {"a", "c"});
  counts = table.Counts();
  EXPECT_EQ(counts["a"], 5);
  EXPECT_EQ(counts["c"], 5);
  EXPECT_EQ(counts.count("b"), 0u);
}

}  // namespace
}  // namespace kpr::store
