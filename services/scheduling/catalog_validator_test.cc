#include "services/scheduling/catalog_validator.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::scheduling {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

std::vector<std::string> Fields(const FieldViolations& violations) {
  std::vector<std::string> fields;
  for (const auto& v : violations) fields.push_back(v.field());
  return fields;
}

std::string Description(const FieldViolations& violations, absl::string_view field) {
  for (const auto& v : violations) {
    if (v.field() == field) return v.description();
  }
  return "<none>";
}

v1::WeeklyHours Hours(int weekday, int start, int end) {
  v1::WeeklyHours h;
  h.set_weekday(weekday);
  h.set_start_minute(start);
  h.set_end_minute(end);
  return h;
}

v1::DateRange Range(std::string first, std::string last, std::string reason) {
  v1::DateRange r;
  r.set_first_day(std::move(first));
  r.set_last_day(std::move(last));
  r.set_reason(std::move(reason));
  return r;
}

v1::Institution GoodInstitution() {
  v1::Institution inst;
  inst.set_municipality("0165");
  inst.set_institution_id("art-school");
  inst.set_name("Billedskolen");
  inst.set_kind(v1::INSTITUTION_KIND_ART_SCHOOL);
  for (int i = 0; i < 2; ++i) {
    v1::Venue* v = inst.add_venues();
    v->set_venue_id(i == 0 ? "atelier" : "studio_2");
    v->set_name(i == 0 ? "Atelieret" : "Studie 2");
    v->set_capacity(15);
    v->set_address("Testvej 1, 2620 Albertslund");
    *v->add_opening_hours() = Hours(1, 480, 720);
    *v->add_opening_hours() = Hours(1, 720, 960);  // touching, not overlapping
    *v->add_opening_hours() = Hours(7, 0, 1440);
    *v->add_closures() = Range("2026-10-12", "2026-10-16", "Udstilling");
  }
  return inst;
}

v1::Instructor GoodInstructor() {
  v1::Instructor ins;
  ins.set_municipality("0165");
  ins.set_instructor_id("instr-7");
  ins.set_institution_id("art-school");
  ins.set_display_name("Testa Tegnelærer");
  *ins.add_availability() = Hours(2, 540, 780);
  *ins.add_absences() = Range("2026-11-02", "2026-11-02", "Kursus");
  return ins;
}

v1::MunicipalityCalendar GoodCalendar() {
  v1::MunicipalityCalendar cal;
  cal.set_municipality("0165");
  *cal.add_closed_periods() = Range("2026-10-12", "2026-10-18", "Efterårsferie");
  *cal.add_closed_periods() = Range("2026-12-21", "2027-01-01", "Jul");
  return cal;
}

const absl::flat_hash_set<std::string> kKnown = {"health", "art-school", "library"};

v1::ProgramTemplate GoodProgram() {
  v1::ProgramTemplate p;
  p.set_municipality("0165");
  p.set_program_id("kultur-6");
  p.set_name("Kultur på recept, 6 uger");
  p.set_weeks(6);
  p.set_min_sessions_per_week(1);
  p.set_max_sessions_per_week(2);
  struct A {
    const char* id;
    int duration;
    std::vector<std::string> hosts;
  };
  for (const A& a : {A{"intro", 90, {"health"}}, A{"art", 120, {"art-school", "library"}},
                     A{"outro", 90, {"health"}}}) {
    v1::Activity* act = p.add_activities();
    act->set_activity_id(a.id);
    act->set_name(std::string("Aktivitet ") + a.id);
    act->set_duration_minutes(a.duration);
    for (const auto& h : a.hosts) act->add_institution_ids(h);
  }
  p.set_first_activity_id("intro");
  p.set_last_activity_id("outro");
  for (int wd = 1; wd <= 5; ++wd) *p.add_allowed_hours() = Hours(wd, 540, 780);
  p.set_min_cohort_size(4);
  p.set_max_cohort_size(12);
  return p;
}

// ---- helpers ----

TEST(CatalogValidatorTest, IdsAndMunicipalities) {
  EXPECT_TRUE(IsValidId("a"));
  EXPECT_TRUE(IsValidId("Music_School-2"));
  EXPECT_TRUE(IsValidId(std::string(64, 'x')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId(std::string(65, 'x')));
  for (const char* bad : {"a b", "a.b", "a/b", "æøå", "a:b", "a{b}", "a\n"}) {
    EXPECT_FALSE(IsValidId(bad)) << bad;
  }
}

TEST(CatalogValidatorTest, ViolationsToStatus) {
  EXPECT_TRUE(ViolationsToStatus({}).ok());
  v1::Institution inst = GoodInstitution();
  inst.set_name("");
  inst.mutable_venues(0)->set_capacity(0);
  absl::Status s = ViolationsToStatus(ValidateInstitution(inst));
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("institution.name: is required"));
  EXPECT_THAT(s.message(), HasSubstr("institution.venues[0].capacity: must be positive"));
}

// ---- institution ----

TEST(ValidateInstitutionTest, GoodIsValid) {
  EXPECT_THAT(ValidateInstitution(GoodInstitution()), IsEmpty());
  v1::Institution no_venues = GoodInstitution();
  no_venues.clear_venues();
  EXPECT_THAT(ValidateInstitution(no_venues), IsEmpty());
  v1::Institution no_address = GoodInstitution();
  no_address.mutable_venues(0)->clear_address();
  EXPECT_THAT(ValidateInstitution(no_address), IsEmpty());
}

TEST(ValidateInstitutionTest, EachRuleNamesItsField) {
  struct Rule {
    const char* what;
    std::function<void(v1::Institution&)> mutate;
    std::vector<std::string> fields;
  };
  const std::vector<Rule> rules = {
      {"municipality 3 digits",
       [](auto& i) { i.set_municipality("165"); },
       {"institution.municipality"}},
      {"municipality letters",
       [](auto& i) { i.set_municipality("01a5"); },
       {"institution.municipality"}},
      {"id missing", [](auto& i) { i.clear_institution_id(); }, {"institution.institution_id"}},
      {"id chars",
       [](auto& i) { i.set_institution_id("art school"); },
       {"institution.institution_id"}},
      {"id too long",
       [](auto& i) { i.set_institution_id(std::string(65, 'a')); },
       {"institution.institution_id"}},
      {"name blank", [](auto& i) { i.set_name("   "); }, {"institution.name"}},
      {"name too long", [](auto& i) { i.set_name(std::string(201, 'n')); }, {"institution.name"}},
      {"name control", [](auto& i) { i.set_name("Bad\x01name"); }, {"institution.name"}},
      {"kind unset",
       [](auto& i) { i.set_kind(v1::INSTITUTION_KIND_UNSPECIFIED); },
       {"institution.kind"}},
      {"kind unknown value",
       [](auto& i) { i.set_kind(static_cast<v1::InstitutionKind>(99)); },
       {"institution.kind"}},
      {"venue id missing",
       [](auto& i) { i.mutable_venues(1)->clear_venue_id(); },
       {"institution.venues[1].venue_id"}},
      {"venue id chars",
       [](auto& i) { i.mutable_venues(1)->set_venue_id("sal#1"); },
       {"institution.venues[1].venue_id"}},
      {"venue id duplicate",
       [](auto& i) { i.mutable_venues(1)->set_venue_id("atelier"); },
       {"institution.venues[1].venue_id"}},
      {"venue name",
       [](auto& i) { i.mutable_venues(0)->clear_name(); },
       {"institution.venues[0].name"}},
      {"capacity zero",
       [](auto& i) { i.mutable_venues(1)->set_capacity(0); },
       {"institution.venues[1].capacity"}},
      {"capacity negative",
       [](auto& i) { i.mutable_venues(1)->set_capacity(-3); },
       {"institution.venues[1].capacity"}},
      {"address too long",
       [](auto& i) { i.mutable_venues(0)->set_address(std::string(301, 'a')); },
       {"institution.venues[0].address"}},
      {"weekday 0",
       [](auto& i) { i.mutable_venues(0)->mutable_opening_hours(2)->set_weekday(0); },
       {"institution.venues[0].opening_hours[2].weekday"}},
      {"weekday 8",
       [](auto& i) { i.mutable_venues(0)->mutable_opening_hours(2)->set_weekday(8); },
       {"institution.venues[0].opening_hours[2].weekday"}},
      {"start negative",
       [](auto& i) { i.mutable_venues(1)->mutable_opening_hours(0)->set_start_minute(-30); },
       {"institution.venues[1].opening_hours[0].start_minute"}},
      {"start 1440",
       [](auto& i) { *i.mutable_venues(1)->mutable_opening_hours(0) = Hours(2, 1440, 1440); },
       {"institution.venues[1].opening_hours[0].start_minute"}},
      {"end before start",
       [](auto& i) { *i.mutable_venues(1)->mutable_opening_hours(0) = Hours(2, 600, 540); },
       {"institution.venues[1].opening_hours[0].end_minute"}},
      {"end equals start",
       [](auto& i) { *i.mutable_venues(1)->mutable_opening_hours(0) = Hours(2, 600, 600); },
       {"institution.venues[1].opening_hours[0].end_minute"}},
      {"end past midnight",
       [](auto& i) { *i.mutable_venues(1)->mutable_opening_hours(0) = Hours(2, 600, 1441); },
       {"institution.venues[1].opening_hours[0].end_minute"}},
      {"overlapping hours",
       [](auto& i) { *i.mutable_venues(0)->add_opening_hours() = Hours(1, 700, 800); },
       {"institution.venues[0].opening_hours[3]"}},
      {"closure first day",
       [](auto& i) { i.mutable_venues(0)->mutable_closures(0)->set_first_day("2026-13-01"); },
       {"institution.venues[0].closures[0].first_day"}},
      {"closure last day",
       [](auto& i) { i.mutable_venues(0)->mutable_closures(0)->set_last_day("16-10-2026"); },
       {"institution.venues[0].closures[0].last_day"}},
      {"closure reversed",
       [](auto& i) { i.mutable_venues(1)->mutable_closures(0)->set_last_day("2026-10-01"); },
       {"institution.venues[1].closures[0].last_day"}},
      {"closure reason",
       [](auto& i) { i.mutable_venues(1)->mutable_closures(0)->clear_reason(); },
       {"institution.venues[1].closures[0].reason"}},
  };
  for (const Rule& r : rules) {
    v1::Institution inst = GoodInstitution();
    r.mutate(inst);
    FieldViolations v = ValidateInstitution(inst);
    EXPECT_THAT(Fields(v), ::testing::UnorderedElementsAreArray(r.fields)) << r.what;
  }
}

TEST(ValidateInstitutionTest, NamesEveryBadFieldAtOnce) {
  v1::Institution inst = GoodInstitution();
  inst.set_municipality("");
  inst.clear_name();
  inst.mutable_venues(0)->set_capacity(0);
  inst.mutable_venues(1)->set_capacity(-1);
  *inst.mutable_venues(1)->mutable_opening_hours(1) = Hours(9, 600, 500);
  FieldViolations v = ValidateInstitution(inst);
  EXPECT_THAT(Fields(v), UnorderedElementsAre("institution.municipality", "institution.name",
                                              "institution.venues[0].capacity",
                                              "institution.venues[1].capacity",
                                              "institution.venues[1].opening_hours[1].weekday",
                                              "institution.venues[1].opening_hours[1].end_minute"));
  EXPECT_EQ(Description(v, "institution.venues[1].opening_hours[1].weekday"),
            "must be 1 (Monday) .. 7 (Sunday)");
}

TEST(ValidateInstitutionTest, DescriptionsSayWhy) {
  v1::Institution inst = GoodInstitution();
  inst.mutable_venues(1)->set_venue_id("atelier");
  *inst.mutable_venues(0)->add_opening_hours() = Hours(1, 700, 800);
  inst.mutable_venues(0)->mutable_closures(0)->set_last_day("2026-10-01");
  FieldViolations v = ValidateInstitution(inst);
  EXPECT_EQ(Description(v, "institution.venues[1].venue_id"),
            "duplicates institution.venues[0].venue_id");
  EXPECT_EQ(Description(v, "institution.venues[0].opening_hours[3]"),
            "overlaps institution.venues[0].opening_hours[0]");
  EXPECT_EQ(Description(v, "institution.venues[0].closures[0].last_day"), "is before first_day");
}

TEST(ValidateInstitutionTest, VenueIdsAreUniqueInTheMunicipality) {
  const absl::flat_hash_map<std::string, std::string> owners = {
      {"atelier", "art-school"},  // our own venue: fine (a replace)
      {"studio_2", "library"},    // another institution's
  };
  FieldViolations v = ValidateInstitution(GoodInstitution(), &owners);
  EXPECT_THAT(Fields(v), ElementsAre("institution.venues[1].venue_id"));
  EXPECT_THAT(v[0].description(), HasSubstr("institution library"));
}

// ---- instructor ----

TEST(ValidateInstructorTest, GoodIsValid) {
  EXPECT_THAT(ValidateInstructor(GoodInstructor()), IsEmpty());
  EXPECT_THAT(ValidateInstructor(GoodInstructor(), &kKnown), IsEmpty());
  v1::Instructor unavailable = GoodInstructor();
  unavailable.clear_availability();
  unavailable.clear_absences();
  EXPECT_THAT(ValidateInstructor(unavailable), IsEmpty());
}

TEST(ValidateInstructorTest, EachRuleNamesItsField) {
  struct Rule {
    const char* what;
    std::function<void(v1::Instructor&)> mutate;
    std::vector<std::string> fields;
  };
  const std::vector<Rule> rules = {
      {"municipality", [](auto& i) { i.set_municipality("12345"); }, {"instructor.municipality"}},
      {"id missing", [](auto& i) { i.clear_instructor_id(); }, {"instructor.instructor_id"}},
      {"id chars", [](auto& i) { i.set_instructor_id("a@b"); }, {"instructor.instructor_id"}},
      {"institution missing",
       [](auto& i) { i.clear_institution_id(); },
       {"instructor.institution_id"}},
      {"institution chars",
       [](auto& i) { i.set_institution_id("art school"); },
       {"instructor.institution_id"}},
      {"name", [](auto& i) { i.set_display_name(""); }, {"instructor.display_name"}},
      {"availability weekday",
       [](auto& i) { i.mutable_availability(0)->set_weekday(-1); },
       {"instructor.availability[0].weekday"}},
      {"availability end",
       [](auto& i) { i.mutable_availability(0)->set_end_minute(2000); },
       {"instructor.availability[0].end_minute"}},
      {"availability overlap",
       [](auto& i) { *i.add_availability() = Hours(2, 600, 660); },
       {"instructor.availability[1]"}},
      {"absence reversed",
       [](auto& i) { i.mutable_absences(0)->set_first_day("2026-11-03"); },
       {"instructor.absences[0].last_day"}},
      {"absence bad day",
       [](auto& i) { i.mutable_absences(0)->set_last_day("2026-02-30"); },
       {"instructor.absences[0].last_day"}},
      {"absence reason",
       [](auto& i) { i.mutable_absences(0)->set_reason(" "); },
       {"instructor.absences[0].reason"}},
  };
  for (const Rule& r : rules) {
    v1::Instructor ins = GoodInstructor();
    r.mutate(ins);
    EXPECT_THAT(Fields(ValidateInstructor(ins)), ::testing::UnorderedElementsAreArray(r.fields))
        << r.what;
  }
}

TEST(ValidateInstructorTest, InstitutionMustBeKnownWhenGiven) {
  v1::Instructor ins = GoodInstructor();
  ins.set_institution_id("museum");
  EXPECT_THAT(ValidateInstructor(ins), IsEmpty());  // not checked without the list
  FieldViolations v = ValidateInstructor(ins, &kKnown);
  EXPECT_THAT(Fields(v), ElementsAre("instructor.institution_id"));
  EXPECT_EQ(v[0].description(), "is not an institution of the municipality");
}

// ---- calendar ----

TEST(ValidateCalendarTest, Rules) {
  EXPECT_THAT(ValidateCalendar(GoodCalendar()), IsEmpty());
  v1::MunicipalityCalendar empty;
  empty.set_municipality("0183");
  EXPECT_THAT(ValidateCalendar(empty), IsEmpty());

  v1::MunicipalityCalendar cal = GoodCalendar();
  cal.set_municipality("");
  cal.mutable_closed_periods(0)->set_first_day("2026-10-19");  // after last_day
  cal.mutable_closed_periods(1)->set_first_day("");
  cal.mutable_closed_periods(1)->set_last_day("2027-1-1");
  cal.mutable_closed_periods(1)->set_reason("");
  FieldViolations v = ValidateCalendar(cal);
  EXPECT_THAT(Fields(v),
              UnorderedElementsAre("calendar.municipality", "calendar.closed_periods[0].last_day",
                                   "calendar.closed_periods[1].first_day",
                                   "calendar.closed_periods[1].last_day",
                                   "calendar.closed_periods[1].reason"));
  EXPECT_EQ(Description(v, "calendar.closed_periods[1].first_day"), "must be a day YYYY-MM-DD");
  EXPECT_EQ(Description(v, "calendar.closed_periods[1].reason"), "is required");
}

TEST(ValidateDateRangeTest, UsesThePath) {
  EXPECT_THAT(ValidateDateRange(Range("2026-10-12", "2026-10-12", "Lukket"), "closure"), IsEmpty());
  EXPECT_THAT(Fields(ValidateDateRange(Range("2026-10-12", "2026-10-11", ""), "absence")),
              UnorderedElementsAre("absence.last_day", "absence.reason"));
}

// ---- program ----

TEST(ValidateProgramTest, GoodIsValid) {
  EXPECT_THAT(ValidateProgram(GoodProgram(), kKnown), IsEmpty());
  v1::ProgramTemplate simple = GoodProgram();
  simple.clear_first_activity_id();
  simple.clear_last_activity_id();
  simple.set_min_cohort_size(0);
  EXPECT_THAT(ValidateProgram(simple, kKnown), IsEmpty());
  // The same activity first and last in a one-session program is possible.
  v1::ProgramTemplate one = GoodProgram();
  one.set_weeks(1);
  one.set_min_sessions_per_week(1);
  one.set_max_sessions_per_week(1);
  one.set_last_activity_id("intro");
  EXPECT_THAT(ValidateProgram(one, kKnown), IsEmpty());
  // Ishøj-like: 10 weeks, 3 a week, max 15; a duration filling the window exactly.
  v1::ProgramTemplate ishoj = GoodProgram();
  ishoj.set_weeks(10);
  ishoj.set_min_sessions_per_week(3);
  ishoj.set_max_sessions_per_week(3);
  ishoj.set_max_cohort_size(15);
  ishoj.mutable_activities(1)->set_duration_minutes(240);
  EXPECT_THAT(ValidateProgram(ishoj, kKnown), IsEmpty());
}

TEST(ValidateProgramTest, EachRuleNamesItsField) {
  struct Rule {
    const char* what;
    std::function<void(v1::ProgramTemplate&)> mutate;
    std::vector<std::string> fields;
  };
  const std::vector<Rule> rules = {
      {"municipality", [](auto& p) { p.set_municipality("x"); }, {"program.municipality"}},
      {"id missing", [](auto& p) { p.clear_program_id(); }, {"program.program_id"}},
      {"id chars", [](auto& p) { p.set_program_id("kultur 6"); }, {"program.program_id"}},
      {"name", [](auto& p) { p.clear_name(); }, {"program.name"}},
      {"weeks 0", [](auto& p) { p.set_weeks(0); }, {"program.weeks"}},
      {"weeks 53", [](auto& p) { p.set_weeks(53); }, {"program.weeks"}},
      {"min 0", [](auto& p) { p.set_min_sessions_per_week(0); }, {"program.min_sessions_per_week"}},
      {"max 0", [](auto& p) { p.set_max_sessions_per_week(0); }, {"program.max_sessions_per_week"}},
      {"max 8", [](auto& p) { p.set_max_sessions_per_week(8); }, {"program.max_sessions_per_week"}},
      {"min > max",
       [](auto& p) { p.set_min_sessions_per_week(3); },
       {"program.min_sessions_per_week"}},
      {"max > allowed weekdays",
       [](auto& p) {
         p.set_min_sessions_per_week(2);
         p.set_max_sessions_per_week(6);
       },
       {"program.max_sessions_per_week"}},
      {"max > weekdays when two spans share a day",
       [](auto& p) {
         p.clear_allowed_hours();
         *p.add_allowed_hours() = Hours(2, 540, 660);
         *p.add_allowed_hours() = Hours(2, 720, 900);
       },
       {"program.max_sessions_per_week"}},
      {"max cohort 0", [](auto& p) { p.set_max_cohort_size(0); }, {"program.max_cohort_size"}},
      {"min cohort negative",
       [](auto& p) { p.set_min_cohort_size(-1); },
       {"program.min_cohort_size"}},
      {"min cohort > max", [](auto& p) { p.set_min_cohort_size(13); }, {"program.min_cohort_size"}},
      {"no activities",
       [](auto& p) {
         p.clear_activities();
         p.clear_first_activity_id();
         p.clear_last_activity_id();
       },
       {"program.activities"}},
      {"activity id missing",
       [](auto& p) { p.mutable_activities(1)->clear_activity_id(); },
       {"program.activities[1].activity_id"}},
      {"activity id chars",
       [](auto& p) { p.mutable_activities(1)->set_activity_id("a+b"); },
       {"program.activities[1].activity_id"}},
      {"activity id duplicate",
       [](auto& p) { p.mutable_activities(2)->set_activity_id("art"); },
       {"program.activities[2].activity_id", "program.last_activity_id"}},
      {"activity name",
       [](auto& p) { p.mutable_activities(0)->set_name(""); },
       {"program.activities[0].name"}},
      {"duration 0",
       [](auto& p) { p.mutable_activities(1)->set_duration_minutes(0); },
       {"program.activities[1].duration_minutes"}},
      {"duration negative",
       [](auto& p) { p.mutable_activities(1)->set_duration_minutes(-60); },
       {"program.activities[1].duration_minutes"}},
      {"duration longer than every window",
       [](auto& p) { p.mutable_activities(1)->set_duration_minutes(241); },
       {"program.activities[1].duration_minutes"}},
      {"duration fits only off the 30-minute grid",
       [](auto& p) {
         for (auto& h : *p.mutable_allowed_hours()) h.set_start_minute(545);  // 09:05-13:00
         p.mutable_activities(1)->set_duration_minutes(230);  // 09:05-12:55 would fit
       },
       {"program.activities[1].duration_minutes"}},
      {"no hosts",
       [](auto& p) { p.mutable_activities(1)->clear_institution_ids(); },
       {"program.activities[1].institution_ids"}},
      {"unknown host",
       [](auto& p) { p.mutable_activities(1)->add_institution_ids("museum"); },
       {"program.activities[1].institution_ids[2]"}},
      {"bad host id",
       [](auto& p) { p.mutable_activities(1)->set_institution_ids(0, "art/2"); },
       {"program.activities[1].institution_ids[0]"}},
      {"empty host id",
       [](auto& p) { p.mutable_activities(1)->set_institution_ids(1, ""); },
       {"program.activities[1].institution_ids[1]"}},
      {"duplicate host",
       [](auto& p) { p.mutable_activities(1)->add_institution_ids("art-school"); },
       {"program.activities[1].institution_ids[2]"}},
      {"first activity unknown",
       [](auto& p) { p.set_first_activity_id("welcome"); },
       {"program.first_activity_id"}},
      {"last activity unknown",
       [](auto& p) { p.set_last_activity_id("goodbye"); },
       {"program.last_activity_id"}},
      {"first and last in a one-session program",
       [](auto& p) {
         p.set_weeks(1);
         p.set_max_sessions_per_week(1);
       },
       {"program.last_activity_id"}},
      {"no allowed hours", [](auto& p) { p.clear_allowed_hours(); }, {"program.allowed_hours"}},
      {"allowed weekday",
       [](auto& p) { p.mutable_allowed_hours(4)->set_weekday(0); },
       {"program.allowed_hours[4].weekday"}},
      {"allowed end",
       [](auto& p) { p.mutable_allowed_hours(0)->set_end_minute(500); },
       {"program.allowed_hours[0].end_minute"}},
      {"allowed start",
       [](auto& p) { p.mutable_allowed_hours(0)->set_start_minute(-1); },
       {"program.allowed_hours[0].start_minute"}},
      {"allowed overlap",
       [](auto& p) { *p.add_allowed_hours() = Hours(3, 600, 900); },
       {"program.allowed_hours[5]"}},
  };
  for (const Rule& r : rules) {
    v1::ProgramTemplate p = GoodProgram();
    r.mutate(p);
    FieldViolations v = ValidateProgram(p, kKnown);
    EXPECT_THAT(Fields(v), ::testing::UnorderedElementsAreArray(r.fields)) << r.what;
  }
}

TEST(ValidateProgramTest, DescriptionsSayWhy) {
  v1::ProgramTemplate p = GoodProgram();
  p.set_max_sessions_per_week(3);
  p.clear_allowed_hours();
  *p.add_allowed_hours() = Hours(2, 540, 780);
  *p.add_allowed_hours() = Hours(4, 540, 780);
  p.mutable_activities(1)->add_institution_ids("museum");
  p.mutable_activities(2)->set_duration_minutes(300);
  FieldViolations v = ValidateProgram(p, kKnown);
  EXPECT_EQ(Description(v, "program.max_sessions_per_week"),
            "exceeds the 2 weekday(s) with allowed_hours (at most one session a day)");
  EXPECT_EQ(Description(v, "program.activities[1].institution_ids[2]"),
            "is not an institution of the municipality");
  EXPECT_THAT(Description(v, "program.activities[2].duration_minutes"),
              HasSubstr("does not fit into any allowed_hours window"));
}

TEST(ValidateProgramTest, NamesEveryBadFieldAtOnce) {
  v1::ProgramTemplate p = GoodProgram();
  p.set_weeks(0);
  p.set_min_cohort_size(20);
  p.mutable_activities(0)->set_institution_ids(0, "nowhere");
  p.mutable_activities(1)->set_duration_minutes(0);
  p.mutable_allowed_hours(2)->set_end_minute(1500);
  p.set_first_activity_id("missing");
  EXPECT_THAT(
      Fields(ValidateProgram(p, kKnown)),
      UnorderedElementsAre("program.weeks", "program.min_cohort_size",
                           "program.activities[0].institution_ids[0]",
                           "program.activities[1].duration_minutes",
                           "program.allowed_hours[2].end_minute", "program.first_activity_id"));
}

TEST(ValidateProgramTest, EmptyKnownSetRejectsEveryHost) {
  EXPECT_THAT(Fields(ValidateProgram(GoodProgram(), {})),
              UnorderedElementsAre("program.activities[0].institution_ids[0]",
                                   "program.activities[1].institution_ids[0]",
                                   "program.activities[1].institution_ids[1]",
                                   "program.activities[2].institution_ids[0]"));
}

}  // namespace
}  // namespace kpr::scheduling
