#include "tools/kprctl/catalog_bundle.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;

// Invented institutions and staff; lowerCamelCase as the CatalogBundle comment describes.
constexpr char kBundle[] = R"json({
  "institutions": [{
    "municipality": "0165", "institutionId": "musik", "name": "Ølby Musikskole",
    "kind": "INSTITUTION_KIND_MUSIC_SCHOOL",
    "venues": [{"venueId": "sal-1", "name": "Store sal", "capacity": 40,
                "openingHours": [{"weekday": 1, "startMinute": 480, "endMinute": 960}],
                "closures": [{"firstDay": "2027-07-01", "lastDay": "2027-07-31", "reason": "Sommer"}]},
               {"venueId": "sal-2", "name": "Lille sal", "capacity": 15}]
  }],
  "instructors": [{"municipality": "0165", "instructorId": "ins-a", "institutionId": "musik",
                   "displayName": "Anna Testesen",
                   "availability": [{"weekday": 2, "startMinute": 540, "endMinute": 720}]}],
  "calendars": [{"municipality": "0165",
                 "closedPeriods": [{"firstDay": "2027-10-11", "lastDay": "2027-10-17",
                                    "reason": "Efterårsferie"}]}],
  "programs": [{"municipality": "0165", "programId": "kultur-6", "name": "Kultur på recept",
                "weeks": 6, "minSessionsPerWeek": 1, "maxSessionsPerWeek": 2,
                "activities": [{"activityId": "music", "name": "Musik", "durationMinutes": 120,
                                "institutionIds": ["musik"]}],
                "allowedHours": [{"weekday": 1, "startMinute": 540, "endMinute": 780}],
                "minCohortSize": 6, "maxCohortSize": 12, "isDefault": true}]
})json";

TEST(ParseCatalogBundle, LoadsEveryKindOfEntry) {
  auto bundle = ParseCatalogBundle(kBundle);
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  ASSERT_EQ(bundle->institutions_size(), 1);
  const auto& inst = bundle->institutions(0);
  EXPECT_EQ(inst.kind(), kpr::scheduling::v1::INSTITUTION_KIND_MUSIC_SCHOOL);
  ASSERT_EQ(inst.venues_size(), 2);
  EXPECT_EQ(inst.venues(0).opening_hours(0).end_minute(), 960);
  EXPECT_EQ(inst.venues(0).closures(0).reason(), "Sommer");
  EXPECT_EQ(bundle->instructors(0).availability(0).weekday(), 2);
  EXPECT_EQ(bundle->calendars(0).closed_periods(0).first_day(), "2027-10-11");
  const auto& program = bundle->programs(0);
  EXPECT_EQ(program.activities(0).institution_ids(0), "musik");
  EXPECT_EQ(program.max_cohort_size(), 12);
  EXPECT_TRUE(program.is_default());

  EXPECT_EQ(DescribeEntry(inst), "institution 0165/musik \"Ølby Musikskole\", 2 venues");
  EXPECT_EQ(DescribeEntry(bundle->instructors(0)),
            "instructor  0165/ins-a \"Anna Testesen\" at musik");
  EXPECT_EQ(DescribeEntry(bundle->calendars(0)), "calendar    0165, 1 closed period");
  EXPECT_EQ(DescribeEntry(program),
            "program     0165/kultur-6 \"Kultur på recept\", 6 weeks, 1 activity");
}

TEST(ParseCatalogBundle, AcceptsProtoFieldNamesToo) {
  auto bundle = ParseCatalogBundle(
      R"({"institutions": [{"municipality": "0183", "institution_id": "bib", "name": "Bibliotek"}]})");
  ASSERT_TRUE(bundle.ok()) << bundle.status();
  EXPECT_EQ(bundle->institutions(0).institution_id(), "bib");
}

TEST(ParseCatalogBundle, RejectsWhatIsNotABundle) {
  // Protobuf 3.21 reads an object where a list belongs as a one-element list; the empty entry
  // is still refused.
  EXPECT_FALSE(ParseCatalogBundle(R"({"institutions": {}})").ok());
  for (const char* bad : {"", "not json", "[]",
                          R"({"institutions": [{"municipality": "0165", "institutionId": "m",
                              "kind": "INSTITUTION_KIND_CASTLE"}]})"}) {
    auto b = ParseCatalogBundle(bad);
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_THAT(std::string(b.status().message()),
                HasSubstr("not a kpr.scheduling.v1.CatalogBundle"))
        << bad;
  }
  // A misspelt field is an error, not silently dropped.
  auto typo = ParseCatalogBundle(
      R"({"institutions": [{"municipality": "0165", "institutionId": "m", "venue": []}]})");
  ASSERT_FALSE(typo.ok());
  EXPECT_THAT(std::string(typo.status().message()), HasSubstr("venue"));
  EXPECT_THAT(std::string(ParseCatalogBundle("{}").status().message()), HasSubstr("empty"));
}

TEST(ParseCatalogBundle, NamesTheEntryWithoutMunicipalityOrIdOrTwice) {
  EXPECT_EQ(std::string(ParseCatalogBundle(
                            R"({"instructors": [{"municipality": "0165", "instructorId": "a"},
                                                {"municipality": "0165"}]})")
                            .status()
                            .message()),
            "instructors[1]: instructorId is empty");
  EXPECT_EQ(
      std::string(ParseCatalogBundle(R"({"programs": [{"programId": "p"}]})").status().message()),
      "programs[0]: municipality is empty");
  EXPECT_EQ(std::string(ParseCatalogBundle(
                            R"({"institutions": [{"municipality": "0165", "institutionId": "m"},
                                                 {"municipality": "0165", "institutionId": "m"}]})")
                            .status()
                            .message()),
            "institutions[1]: institutionId 0165/m appears twice");
  EXPECT_EQ(
      std::string(ParseCatalogBundle(
                      R"({"calendars": [{"municipality": "0165"}, {"municipality": "0165"}]})")
                      .status()
                      .message()),
      "calendars[1]: a second calendar for municipality 0165");
  // The same id in two municipalities is two entries.
  EXPECT_TRUE(
      ParseCatalogBundle(R"({"institutions": [{"municipality": "0165", "institutionId": "m"},
                                                      {"municipality": "0183", "institutionId": "m"}]})")
          .ok());
}

}  // namespace
}  // namespace kpr::kprctl
