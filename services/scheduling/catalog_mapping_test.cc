#include "services/scheduling/catalog_mapping.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/calendar/civil_day.h"

namespace kpr::scheduling {
namespace {

using absl::CivilDay;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

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

v1::Institution MusicSchool(std::string municipality = "0165") {
  v1::Institution inst;
  inst.set_municipality(std::move(municipality));
  inst.set_institution_id("music");
  inst.set_name("Musikskolen");
  inst.set_kind(v1::INSTITUTION_KIND_MUSIC_SCHOOL);
  v1::Venue* hall = inst.add_venues();
  hall->set_venue_id("music-hall");
  hall->set_name("Salen");
  hall->set_capacity(20);
  *hall->add_opening_hours() = Hours(1, 480, 720);
  *hall->add_opening_hours() = Hours(3, 540, 900);
  *hall->add_closures() = Range("2026-10-12", "2026-10-16", "Renovering");
  v1::Venue* room = inst.add_venues();
  room->set_venue_id("music-room");
  room->set_name("Lokale 2");
  room->set_capacity(8);
  return inst;
}

v1::Instructor Teacher(std::string id, std::string institution) {
  v1::Instructor ins;
  ins.set_municipality("0165");
  ins.set_instructor_id(std::move(id));
  ins.set_institution_id(std::move(institution));
  ins.set_display_name("Testa Underviser");
  *ins.add_availability() = Hours(2, 600, 840);
  *ins.add_absences() = Range("2026-11-02", "2026-11-06", "Kursus");
  return ins;
}

TEST(ParseDayTest, AcceptsRealDaysOnly) {
  EXPECT_EQ(*calendar::ParseDay("2026-10-05"), CivilDay(2026, 10, 5));
  EXPECT_EQ(*calendar::ParseDay("2024-02-29"), CivilDay(2024, 2, 29));  // leap year
  EXPECT_EQ(*calendar::ParseDay("0001-01-01"), CivilDay(1, 1, 1));
  for (const char* bad : {"", "2026-1-05", "2026-10-5", "2026/10/05", "20261005", "2026-13-01",
                          "2026-00-10", "2026-02-29", "2026-02-30", "2026-04-31", "2026-10-00",
                          "0000-01-01", "2026-10-05T", " 2026-10-05", "2026-1a-05", "+026-10-05"}) {
    absl::StatusOr<CivilDay> d = calendar::ParseDay(bad);
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseDayTest, FormatRoundTrips) {
  EXPECT_EQ(calendar::FormatDay(CivilDay(2026, 1, 2)), "2026-01-02");
  EXPECT_EQ(calendar::FormatDay(CivilDay(987, 6, 7)), "0987-06-07");
  for (CivilDay d(2024, 1, 1); d <= CivilDay(2026, 12, 31); ++d) {
    ASSERT_EQ(*calendar::ParseDay(calendar::FormatDay(d)), d);
  }
}

TEST(ToWeeklySpansTest, MapsIsoWeekdaysSortsAndMerges) {
  google::protobuf::RepeatedPtrField<v1::WeeklyHours> hours;
  *hours.Add() = Hours(1, 720, 900);  // Monday afternoon
  *hours.Add() = Hours(1, 540, 720);  // Monday morning, touches the afternoon
  *hours.Add() = Hours(7, 600, 660);  // Sunday
  *hours.Add() = Hours(3, 540, 600);  // Wednesday, two separate spans
  *hours.Add() = Hours(3, 660, 720);
  *hours.Add() = Hours(5, 540, 700);  // Friday, overlapping spans
  *hours.Add() = Hours(5, 600, 800);
  absl::StatusOr<WeeklySpans> spans = ToWeeklySpans(hours);
  ASSERT_TRUE(spans.ok()) << spans.status();
  EXPECT_THAT((*spans)[0], ElementsAre(MinuteSpan{540, 900}));
  EXPECT_TRUE((*spans)[1].empty());
  EXPECT_THAT((*spans)[2], ElementsAre(MinuteSpan{540, 600}, MinuteSpan{660, 720}));
  EXPECT_TRUE((*spans)[3].empty());
  EXPECT_THAT((*spans)[4], ElementsAre(MinuteSpan{540, 800}));
  EXPECT_TRUE((*spans)[5].empty());
  EXPECT_THAT((*spans)[6], ElementsAre(MinuteSpan{600, 660}));
}

TEST(ToWeeklySpansTest, RejectsOutOfRange) {
  for (const v1::WeeklyHours& h : {Hours(0, 540, 600), Hours(8, 540, 600), Hours(1, -1, 600),
                                   Hours(1, 600, 600), Hours(1, 700, 600), Hours(1, 0, 1441)}) {
    google::protobuf::RepeatedPtrField<v1::WeeklyHours> hours;
    *hours.Add() = h;
    EXPECT_EQ(ToWeeklySpans(hours).status().code(), absl::StatusCode::kInvalidArgument)
        << h.ShortDebugString();
  }
  google::protobuf::RepeatedPtrField<v1::WeeklyHours> whole_day;
  *whole_day.Add() = Hours(6, 0, 1440);
  EXPECT_THAT((*ToWeeklySpans(whole_day))[5], ElementsAre(MinuteSpan{0, 1440}));
}

TEST(ClosedPeriodTest, RoundTripsAndRejectsReversed) {
  absl::StatusOr<ClosedPeriod> p = ToClosedPeriod(Range("2026-10-12", "2026-10-16", "Ferie"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->first, CivilDay(2026, 10, 12));
  EXPECT_EQ(p->last, CivilDay(2026, 10, 16));
  EXPECT_EQ(p->reason, "Ferie");
  v1::DateRange back = ToDateRangeProto(*p);
  EXPECT_EQ(back.first_day(), "2026-10-12");
  EXPECT_EQ(back.last_day(), "2026-10-16");
  EXPECT_EQ(back.reason(), "Ferie");
  EXPECT_TRUE(ToClosedPeriod(Range("2026-10-12", "2026-10-12", "One day")).ok());
  EXPECT_THAT(ToClosedPeriod(Range("2026-10-16", "2026-10-12", "x")).status().message(),
              HasSubstr("ends before it starts"));
  EXPECT_THAT(ToClosedPeriod(Range("2026-10-32", "2026-11-01", "x")).status().message(),
              HasSubstr("first_day"));
  EXPECT_THAT(ToClosedPeriod(Range("2026-10-01", "", "x")).status().message(),
              HasSubstr("last_day"));
}

TEST(BuildPlanningWorldTest, MapsEverything) {
  v1::Institution library;
  library.set_municipality("0165");
  library.set_institution_id("library");
  library.set_name("Biblioteket");
  library.set_kind(v1::INSTITUTION_KIND_LIBRARY);
  v1::Venue* reading = library.add_venues();
  reading->set_venue_id("library-reading");
  reading->set_name("Læsesalen");
  reading->set_capacity(15);

  v1::MunicipalityCalendar calendar;
  calendar.set_municipality("0165");
  *calendar.add_closed_periods() = Range("2026-10-12", "2026-10-18", "Efterårsferie");

  absl::StatusOr<PlanningWorld> world =
      BuildPlanningWorld("0165", {MusicSchool(), library},
                         {Teacher("t1", "music"), Teacher("t2", "library")}, calendar);
  ASSERT_TRUE(world.ok()) << world.status();
  EXPECT_EQ(world->municipality, "0165");
  ASSERT_EQ(world->institutions.size(), 2u);
  EXPECT_EQ(world->institutions[0].id, "music");
  EXPECT_EQ(world->institutions[0].name, "Musikskolen");
  EXPECT_EQ(world->institutions[1].id, "library");

  ASSERT_EQ(world->venues.size(), 3u);
  const VenueModel& hall = world->venues[0];
  EXPECT_EQ(hall.id, "music-hall");
  EXPECT_EQ(hall.institution_id, "music");
  EXPECT_EQ(hall.name, "Salen");
  EXPECT_EQ(hall.capacity, 20);
  EXPECT_THAT(hall.opening[0], ElementsAre(MinuteSpan{480, 720}));
  EXPECT_THAT(hall.opening[2], ElementsAre(MinuteSpan{540, 900}));
  EXPECT_TRUE(hall.opening[1].empty());
  ASSERT_EQ(hall.closures.size(), 1u);
  EXPECT_EQ(hall.closures[0].first, CivilDay(2026, 10, 12));
  EXPECT_EQ(hall.closures[0].last, CivilDay(2026, 10, 16));
  EXPECT_EQ(hall.closures[0].reason, "Renovering");
  EXPECT_EQ(world->venues[1].id, "music-room");
  EXPECT_EQ(world->venues[1].institution_id, "music");
  for (const auto& day : world->venues[1].opening) EXPECT_TRUE(day.empty());
  EXPECT_EQ(world->venues[2].id, "library-reading");
  EXPECT_EQ(world->venues[2].institution_id, "library");

  ASSERT_EQ(world->instructors.size(), 2u);
  EXPECT_EQ(world->instructors[0].id, "t1");
  EXPECT_EQ(world->instructors[0].institution_id, "music");
  EXPECT_THAT(world->instructors[0].availability[1], ElementsAre(MinuteSpan{600, 840}));
  ASSERT_EQ(world->instructors[0].absences.size(), 1u);
  EXPECT_EQ(world->instructors[0].absences[0].first, CivilDay(2026, 11, 2));
  EXPECT_EQ(world->instructors[1].institution_id, "library");

  ASSERT_EQ(world->calendar.closed_periods().size(), 1u);
  EXPECT_EQ(world->calendar.closed_periods()[0].reason, "Efterårsferie");
  EXPECT_TRUE(world->calendar.IsClosed(CivilDay(2026, 10, 14)));
  EXPECT_FALSE(world->calendar.IsClosed(CivilDay(2026, 10, 19)));
  EXPECT_TRUE(world->calendar.IsClosed(CivilDay(2026, 12, 25)));  // holidays built in
}

TEST(BuildPlanningWorldTest, EmptyCalendarAndNoEntities) {
  absl::StatusOr<PlanningWorld> world =
      BuildPlanningWorld("0165", {}, {}, v1::MunicipalityCalendar());
  ASSERT_TRUE(world.ok()) << world.status();
  EXPECT_TRUE(world->venues.empty());
  EXPECT_TRUE(world->calendar.closed_periods().empty());
}

TEST(BuildPlanningWorldTest, RejectsForeignAndDuplicateEntities) {
  v1::MunicipalityCalendar none;
  auto code = [](const absl::StatusOr<PlanningWorld>& w) { return w.status().code(); };
  auto message = [](const absl::StatusOr<PlanningWorld>& w) {
    return std::string(w.status().message());
  };

  absl::StatusOr<PlanningWorld> w = BuildPlanningWorld("0165", {MusicSchool("0183")}, {}, none);
  EXPECT_EQ(code(w), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message(w), HasSubstr("institution music belongs to municipality 0183"));

  w = BuildPlanningWorld("0165", {MusicSchool(), MusicSchool()}, {}, none);
  EXPECT_THAT(message(w), HasSubstr("institution music is listed twice"));

  v1::Institution other = MusicSchool();
  other.set_institution_id("other");  // same venue ids as the music school
  w = BuildPlanningWorld("0165", {MusicSchool(), other}, {}, none);
  EXPECT_EQ(code(w), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(message(w), HasSubstr("venue music-hall: venue id used twice"));

  v1::Instructor foreign = Teacher("t1", "music");
  foreign.set_municipality("0183");
  w = BuildPlanningWorld("0165", {MusicSchool()}, {foreign}, none);
  EXPECT_THAT(message(w), HasSubstr("instructor t1 belongs to municipality 0183"));

  w = BuildPlanningWorld("0165", {MusicSchool()}, {Teacher("t1", "music"), Teacher("t1", "music")},
                         none);
  EXPECT_THAT(message(w), HasSubstr("instructor t1 is listed twice"));

  v1::MunicipalityCalendar foreign_calendar;
  foreign_calendar.set_municipality("0183");
  w = BuildPlanningWorld("0165", {}, {}, foreign_calendar);
  EXPECT_THAT(message(w), HasSubstr("calendar belongs to municipality 0183"));
}

TEST(BuildPlanningWorldTest, RejectsBadHoursAndDays) {
  v1::MunicipalityCalendar none;
  v1::Institution bad_hours = MusicSchool();
  *bad_hours.mutable_venues(1)->add_opening_hours() = Hours(9, 540, 600);
  absl::StatusOr<PlanningWorld> w = BuildPlanningWorld("0165", {bad_hours}, {}, none);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(w.status().message(), HasSubstr("venue music-room"));

  v1::Institution bad_closure = MusicSchool();
  bad_closure.mutable_venues(0)->mutable_closures(0)->set_last_day("2026-10-01");
  EXPECT_THAT(BuildPlanningWorld("0165", {bad_closure}, {}, none).status().message(),
              HasSubstr("ends before it starts"));

  v1::Instructor bad_absence = Teacher("t1", "music");
  bad_absence.mutable_absences(0)->set_first_day("next week");
  EXPECT_THAT(BuildPlanningWorld("0165", {}, {bad_absence}, none).status().message(),
              HasSubstr("instructor t1: first_day"));

  v1::MunicipalityCalendar no_reason;
  no_reason.set_municipality("0165");
  *no_reason.add_closed_periods() = Range("2026-07-01", "2026-07-31", "");
  EXPECT_THAT(BuildPlanningWorld("0165", {}, {}, no_reason).status().message(),
              HasSubstr("calendar: closed period needs a reason"));
}

TEST(ToProgramModelTest, MapsAllFields) {
  v1::ProgramTemplate p;
  p.set_municipality("0165");
  p.set_program_id("kultur6");
  p.set_name("Kultur på recept");
  p.set_weeks(6);
  p.set_min_sessions_per_week(1);
  p.set_max_sessions_per_week(2);
  v1::Activity* intro = p.add_activities();
  intro->set_activity_id("intro");
  intro->set_name("Introduktion");
  intro->set_duration_minutes(90);
  intro->add_institution_ids("health");
  v1::Activity* music = p.add_activities();
  music->set_activity_id("music");
  music->set_name("Musik");
  music->set_duration_minutes(120);
  music->add_institution_ids("music");
  music->add_institution_ids("library");
  p.set_first_activity_id("intro");
  p.set_last_activity_id("intro");
  for (int wd = 1; wd <= 5; ++wd) *p.add_allowed_hours() = Hours(wd, 540, 780);
  p.set_min_cohort_size(6);
  p.set_max_cohort_size(12);

  absl::StatusOr<ProgramModel> m = ToProgramModel(p);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->id, "kultur6");
  EXPECT_EQ(m->municipality, "0165");
  EXPECT_EQ(m->name, "Kultur på recept");
  EXPECT_EQ(m->weeks, 6);
  EXPECT_EQ(m->min_sessions_per_week, 1);
  EXPECT_EQ(m->max_sessions_per_week, 2);
  ASSERT_EQ(m->activities.size(), 2u);
  EXPECT_EQ(m->activities[0].id, "intro");
  EXPECT_EQ(m->activities[0].name, "Introduktion");
  EXPECT_EQ(m->activities[0].duration_minutes, 90);
  EXPECT_THAT(m->activities[0].institution_ids, ElementsAre("health"));
  EXPECT_THAT(m->activities[1].institution_ids, ElementsAre("music", "library"));
  EXPECT_EQ(m->first_activity_id, "intro");
  EXPECT_EQ(m->last_activity_id, "intro");
  for (int d = 0; d < 5; ++d) EXPECT_THAT(m->allowed_hours[d], ElementsAre(MinuteSpan{540, 780}));
  EXPECT_TRUE(m->allowed_hours[5].empty());
  EXPECT_TRUE(m->allowed_hours[6].empty());
  EXPECT_EQ(m->min_cohort_size, 6);
  EXPECT_EQ(m->max_cohort_size, 12);

  *p.add_allowed_hours() = Hours(1, 800, 700);
  EXPECT_THAT(ToProgramModel(p).status().message(), HasSubstr("program kultur6"));
}

PlannedSession Planned() {
  PlannedSession s;
  s.index = 3;
  s.week_index = 1;
  s.activity_id = "music";
  s.day = CivilDay(2026, 10, 7);
  s.time = MinuteSpan{570, 690};
  s.institution_id = "music";
  s.venue_id = "music-hall";
  s.instructor_id = "t1";
  return s;
}

TEST(SessionMappingTest, PlannedToProtoAndBack) {
  v1::Session s = ToSessionProto(Planned(), "c1", "0165", "c1-3");
  EXPECT_EQ(s.session_id(), "c1-3");
  EXPECT_EQ(s.cohort_id(), "c1");
  EXPECT_EQ(s.municipality(), "0165");
  EXPECT_EQ(s.index(), 3);
  EXPECT_EQ(s.week_index(), 1);
  EXPECT_EQ(s.activity_id(), "music");
  EXPECT_EQ(s.day(), "2026-10-07");
  EXPECT_EQ(s.start_minute(), 570);
  EXPECT_EQ(s.end_minute(), 690);
  EXPECT_EQ(s.institution_id(), "music");
  EXPECT_EQ(s.venue_id(), "music-hall");
  EXPECT_EQ(s.instructor_id(), "t1");
  EXPECT_EQ(s.status(), v1::SESSION_STATUS_SCHEDULED);
  EXPECT_EQ(s.version(), 0);
  EXPECT_TRUE(s.change_reason().empty());

  absl::StatusOr<PlannedSession> back = ToPlannedSession(s);
  ASSERT_TRUE(back.ok()) << back.status();
  const PlannedSession want = Planned();
  EXPECT_EQ(back->index, want.index);
  EXPECT_EQ(back->week_index, want.week_index);
  EXPECT_EQ(back->activity_id, want.activity_id);
  EXPECT_EQ(back->day, want.day);
  EXPECT_EQ(back->time, want.time);
  EXPECT_EQ(back->institution_id, want.institution_id);
  EXPECT_EQ(back->venue_id, want.venue_id);
  EXPECT_EQ(back->instructor_id, want.instructor_id);

  // A dry run has no session id.
  EXPECT_TRUE(ToSessionProto(Planned(), "", "0165", "").session_id().empty());

  s.set_day("2026-10-7");
  EXPECT_EQ(ToPlannedSession(s).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SessionMappingTest, SessionToBooking) {
  v1::Session s = ToSessionProto(Planned(), "c1", "0165", "c1-3");
  absl::StatusOr<Booking> b = SessionToBooking(s);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->session_id, "c1-3");
  EXPECT_EQ(b->cohort_id, "c1");
  EXPECT_EQ(b->day, CivilDay(2026, 10, 7));
  EXPECT_EQ(b->time, (MinuteSpan{570, 690}));
  EXPECT_EQ(b->institution_id, "music");
  EXPECT_EQ(b->venue_id, "music-hall");
  EXPECT_EQ(b->instructor_id, "t1");

  s.set_day("");
  EXPECT_THAT(SessionToBooking(s).status().message(), HasSubstr("session c1-3"));
}

TEST(PlannerResultMappingTest, SoftViolationsAndObstaclesUseTheContractNames) {
  const std::pair<SoftConstraint, const char*> soft[] = {
      {SoftConstraint::kHabit, "habit"},
      {SoftConstraint::kRotation, "rotation"},
      {SoftConstraint::kInstructorContinuity, "instructor_continuity"},
      {SoftConstraint::kInstitutionLoad, "institution_load"},
      {SoftConstraint::kFewerSessions, "fewer_sessions"},
  };
  for (const auto& [c, name] : soft) {
    v1::SoftViolation v =
        ToSoftViolationProto(SoftViolation{c, 2.5, "Thursday 10:00 instead of Tuesday 09:30", 4});
    EXPECT_EQ(v.constraint(), name);
    EXPECT_DOUBLE_EQ(v.penalty(), 2.5);
    EXPECT_EQ(v.detail(), "Thursday 10:00 instead of Tuesday 09:30");
    EXPECT_EQ(v.session_index(), 4);
  }
  EXPECT_EQ(ToSoftViolationProto(SoftViolation{SoftConstraint::kFewerSessions, 5, "", -1})
                .session_index(),
            -1);

  const std::pair<HardConstraint, const char*> hard[] = {
      {HardConstraint::kTimeWindow, "time_window"},
      {HardConstraint::kOpeningHours, "opening_hours"},
      {HardConstraint::kInstructorUnavailable, "instructor_unavailable"},
      {HardConstraint::kVenueBooked, "venue_booked"},
      {HardConstraint::kInstructorBooked, "instructor_booked"},
      {HardConstraint::kCapacity, "capacity"},
      {HardConstraint::kClosed, "closed"},
      {HardConstraint::kNoHost, "no_host"},
      {HardConstraint::kWeeklyRhythm, "weekly_rhythm"},
      {HardConstraint::kFirstSession, "first_session"},
      {HardConstraint::kLastSession, "last_session"},
  };
  for (const auto& [c, name] : hard) {
    v1::PlanObstacle o = ToObstacleProto(
        Obstacle{c, "music", {"2026-W42", "2026-W43"}, "The hall is closed in week 42."});
    EXPECT_EQ(o.constraint(), name);
    EXPECT_EQ(o.institution_id(), "music");
    EXPECT_THAT(o.weeks(), ElementsAre("2026-W42", "2026-W43"));
    EXPECT_EQ(o.message(), "The hall is closed in week 42.");
  }
}

}  // namespace
}  // namespace kpr::scheduling
