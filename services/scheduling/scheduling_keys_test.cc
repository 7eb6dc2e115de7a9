#include "services/scheduling/scheduling_keys.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::scheduling::keys {
namespace {

using ::testing::ElementsAre;

TEST(SchedulingKeysTest, EntityKeysFollowTheDocumentedLayout) {
  EXPECT_EQ(Prefix("0165"), "kpr:{0165}:scheduling:");
  EXPECT_EQ(Cohort("0165", "c1"), "kpr:{0165}:scheduling:c:c1");
  EXPECT_EQ(Timetable("0165", "c1"), "kpr:{0165}:scheduling:cs:c1");
  EXPECT_EQ(Enrolments("0165", "c1"), "kpr:{0165}:scheduling:enr:c1");
  EXPECT_EQ(Session("0165", "s1"), "kpr:{0165}:scheduling:s:s1");
  EXPECT_EQ(VenueBookings("0165", "sal", "2027-01-18"), "kpr:{0165}:scheduling:bv:sal:2027-01-18");
  EXPECT_EQ(InstructorBookings("0165", "ann", "2027-01-18"),
            "kpr:{0165}:scheduling:bi:ann:2027-01-18");
  EXPECT_EQ(ProgramCohorts("0165", "krp"), "kpr:{0165}:scheduling:cohorts:p:krp");
  EXPECT_EQ(WaitlistClock("0183"), "kpr:{0183}:scheduling:wlclock");
}

// The scripts read these in this order (scheduling_store_lua.cc: the write prelude,
// cohort_keys, program_keys, read_place).
TEST(SchedulingKeysTest, ListsComeInTheOrderTheScriptsReadThem) {
  EXPECT_THAT(WriteKeys("0165"),
              ElementsAre("kpr:{0165}:scheduling:outbox", "kpr:{0165}:scheduling:timers",
                          "kpr:{0165}:scheduling:timers:data", "kpr:{0165}:scheduling:trig",
                          "kpr:{0165}:scheduling:refp", "kpr:{0165}:scheduling:cohorts",
                          "kpr:{0165}:scheduling:wlclock", "kpr:{0165}:scheduling:sd"));
  EXPECT_THAT(CohortKeys("0165", "c1"),
              ElementsAre(Cohort("0165", "c1"), Timetable("0165", "c1"), Enrolments("0165", "c1")));
  EXPECT_THAT(ProgramKeys("0165", "krp"),
              ElementsAre("kpr:{0165}:scheduling:wl:krp", "kpr:{0165}:scheduling:wld:krp",
                          "kpr:{0165}:scheduling:pe:krp", "kpr:{0165}:scheduling:open:krp",
                          "kpr:{0165}:scheduling:cohorts:p:krp"));
  EXPECT_THAT(
      PlaceKeys("0165", {"2027-01-18", "musik", "sal", "ann"}),
      ElementsAre("kpr:{0165}:scheduling:sv:sal", "kpr:{0165}:scheduling:si:ann",
                  "kpr:{0165}:scheduling:sn:musik", "kpr:{0165}:scheduling:bv:sal:2027-01-18",
                  "kpr:{0165}:scheduling:bi:ann:2027-01-18"));
}

// One municipality's keys share a cluster slot: each carries exactly its hash tag.
TEST(SchedulingKeysTest, EveryKeyCarriesTheMunicipalityHashTag) {
  std::vector<std::string> all = WriteKeys("0183");
  for (const auto& list : {CohortKeys("0183", "x}{y"), ProgramKeys("0183", "{p}"),
                           PlaceKeys("0183", {"2027-01-01", "i", "v", "n"})}) {
    all.insert(all.end(), list.begin(), list.end());
  }
  for (const std::string& k : all) {
    EXPECT_EQ(k.find('{'), 4u) << k;
    EXPECT_EQ(k.substr(4, 6), "{0183}") << k;
  }
}

}  // namespace
}  // namespace kpr::scheduling::keys
