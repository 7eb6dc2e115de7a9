#include "tools/kprctl/scheduling_format.h"

#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "tools/kprctl/enrolment_format.h"

namespace kpr::kprctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

template <typename M>
M Text(const std::string& text) {
  M m;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &m)) << text;
  return m;
}

sv1::WeeklyHours Hours(int weekday, int start, int end) {
  sv1::WeeklyHours h;
  h.set_weekday(weekday);
  h.set_start_minute(start);
  h.set_end_minute(end);
  return h;
}

TEST(Pieces, TimesDaysAndWeeks) {
  EXPECT_EQ(FormatMinute(570), "09:30");
  EXPECT_EQ(FormatMinute(0), "00:00");
  EXPECT_EQ(FormatTimeSpan(540, 660), "09:00-11:00");
  EXPECT_EQ(WeekdayOf("2027-01-18"), "Mon");
  EXPECT_EQ(WeekdayOf("2027-01-24"), "Sun");
  EXPECT_EQ(WeekdayOf("someday"), "");
  EXPECT_EQ(CohortStatusName(sv1::COHORT_STATUS_RUNNING), "running");
  EXPECT_EQ(SessionStatusName(sv1::SESSION_STATUS_CANCELLED), "cancelled");
  EXPECT_EQ(InstitutionKindName(sv1::INSTITUTION_KIND_VIKING_VILLAGE), "viking_village");
}

TEST(Pieces, WeeklyHoursGroupConsecutiveEqualDays) {
  google::protobuf::RepeatedPtrField<sv1::WeeklyHours> hours;
  for (int d = 1; d <= 5; ++d) *hours.Add() = Hours(d, 540, 960);
  *hours.Add() = Hours(6, 600, 840);
  EXPECT_EQ(FormatWeeklyHours(hours), "Mon-Fri 09:00-16:00; Sat 10:00-14:00");

  google::protobuf::RepeatedPtrField<sv1::WeeklyHours> split;
  *split.Add() = Hours(3, 780, 900);  // out of order on purpose
  *split.Add() = Hours(1, 540, 720);
  *split.Add() = Hours(3, 540, 720);
  EXPECT_EQ(FormatWeeklyHours(split), "Mon 09:00-12:00; Wed 09:00-12:00,13:00-15:00");
  EXPECT_EQ(FormatWeeklyHours({}), "-");
}

TEST(Pieces, CompressWeeksJoinsRunsAcrossYearEnds) {
  EXPECT_EQ(CompressWeeks({"2026-W44", "2026-W42", "2026-W43", "2027-W02", "2026-W43"}),
            "2026-W42..W44, 2027-W02");
  EXPECT_EQ(CompressWeeks({"2026-W52", "2026-W53", "2027-W01"}), "2026-W52..2027-W01");
  EXPECT_EQ(CompressWeeks({"2027-W05", "later"}), "2027-W05, later");
  EXPECT_EQ(CompressWeeks({}), "");
}

TEST(FormatPlan, FeasibleShowsTimetableScoreAndSoftConstraints) {
  auto plan = Text<sv1::PlanCohortResponse>(R"pb(
    feasible: true
    score: 1.5
    sessions {
      index: 1
      week_index: 0
      activity_id: "music"
      day: "2027-01-21"
      start_minute: 600
      end_minute: 720
      institution_id: "musik"
      venue_id: "sal-1"
      instructor_id: "ins-b"
    }
    sessions {
      index: 0
      week_index: 0
      activity_id: "intro"
      day: "2027-01-18"
      start_minute: 540
      end_minute: 660
      institution_id: "sundhedshus"
      venue_id: "lokale-2"
      instructor_id: "ins-a"
    }
    soft_violations {
      constraint: "habit"
      penalty: 1.5
      detail: "Thursday, not Monday"
      session_index: 1
    }
  )pb");
  std::string out = FormatPlan(plan);
  EXPECT_EQ(
      out,
      "Proposed timetable: 2 sessions, 2027-01-18 to 2027-01-21, score 1.50 (0 is perfect)\n"
      "\n"
      "#  WEEK  ISO WEEK  DAY         WD   TIME         ACTIVITY  INSTITUTION  VENUE     "
      "INSTRUCTOR\n"
      "1     1  2027-W03  2027-01-18  Mon  09:00-11:00  intro     sundhedshus  lokale-2  ins-a\n"
      "2     1  2027-W03  2027-01-21  Thu  10:00-12:00  music     musik        sal-1     ins-b\n"
      "\n"
      "Soft constraints given up:\n"
      "  CONSTRAINT  PENALTY  SESSION  DETAIL\n"
      "  habit          1.50        2  Thursday, not Monday\n");
}

TEST(FormatPlan, InfeasibleListsTheObstacles) {
  auto plan = Text<sv1::PlanCohortResponse>(R"pb(
    feasible: false
    obstacles {
      constraint: "venue_booked"
      institution_id: "musik"
      weeks: "2027-W05"
      weeks: "2027-W03"
      weeks: "2027-W04"
      message: "Every room at musik is booked on Tuesday mornings."
    }
    obstacles { constraint: "closed" weeks: "2027-W07" message: "Vinterferie." }
  )pb");
  std::string out = FormatPlan(plan);
  EXPECT_EQ(out,
            "No timetable exists. What stands in the way:\n"
            "  CONSTRAINT    INSTITUTION  WEEKS          MESSAGE\n"
            "  venue_booked  musik        2027-W03..W05  Every room at musik is booked on Tuesday "
            "mornings.\n"
            "  closed        -            2027-W07       Vinterferie.\n");
  EXPECT_THAT(FormatPlan(Text<sv1::PlanCohortResponse>("feasible: false")),
              HasSubstr("gave no reason"));
}

TEST(FormatTimetable, ShowsIdsVersionsAndNotesOnceBooked) {
  auto resp = Text<sv1::CreateCohortResponse>(R"pb(
    created: true
    cohort {
      cohort_id: "0165-C1"
      name: "Forår A"
      program_id: "kultur-6"
      status: COHORT_STATUS_OPEN
      start_iso_year: 2027
      start_iso_week: 3
      first_day: "2027-01-18"
      last_day: "2027-02-26"
      capacity: 12
      min_size: 6
      enrolled_count: 0
      session_count: 1
      version: 1
    }
    sessions {
      session_id: "0165-S1"
      index: 0
      activity_id: "intro"
      day: "2027-01-18"
      start_minute: 540
      end_minute: 660
      institution_id: "sundhedshus"
      venue_id: "l2"
      instructor_id: "ins-a"
      version: 1
      status: SESSION_STATUS_SCHEDULED
    }
  )pb");
  std::string out = FormatCreatedCohort(resp);
  EXPECT_THAT(out, HasSubstr("Created cohort 0165-C1.\n"));
  EXPECT_THAT(out, HasSubstr("status:      open\n"));
  EXPECT_THAT(out, HasSubstr("seats:       0 of 12 taken (at least 6 to run)\n"));
  EXPECT_THAT(out, HasSubstr("start week:  2027-W03\n"));
  EXPECT_THAT(out, HasSubstr("SESSION  V  NOTE\n"));
  EXPECT_THAT(out, HasSubstr("ins-a       0165-S1  1\n"));
  resp.set_created(false);
  EXPECT_THAT(FormatCreatedCohort(resp), HasSubstr("Already created"));
}

TEST(FormatCohortList, OneRowPerCohortAndTheNextPage) {
  auto list = Text<sv1::ListCohortsResponse>(R"pb(
    cohorts {
      cohort_id: "C1"
      name: "A"
      program_id: "p"
      status: COHORT_STATUS_RUNNING
      start_iso_year: 2027
      start_iso_week: 3
      first_day: "2027-01-18"
      last_day: "2027-02-26"
      capacity: 15
      enrolled_count: 14
      session_count: 12
      score: 0
      version: 7
    }
    next_page_token: "tok2"
  )pb");
  EXPECT_EQ(FormatCohortList(list),
            "COHORT  NAME  PROGRAM  STATUS   START     FIRST DAY   LAST DAY    SEATS  SESSIONS  "
            "SCORE  V\n"
            "C1      A     p        running  2027-W03  2027-01-18  2027-02-26  14/15        12   "
            "0.00  7\n"
            "(more: --page-token tok2, or --all)\n");
  EXPECT_EQ(FormatCohortList({}), "No cohorts.\n");
}

TEST(FormatWeekView, GroupsByWeekAndDayInTimeOrder) {
  auto resp = Text<sv1::ListSessionsResponse>(R"pb(
    sessions {
      session_id: "S3"
      cohort_id: "C2"
      activity_id: "art"
      day: "2027-01-25"
      start_minute: 540
      end_minute: 660
      institution_id: "kunst"
      venue_id: "v1"
      instructor_id: "x"
      version: 1
    }
    sessions {
      session_id: "S2"
      cohort_id: "C1"
      activity_id: "music"
      day: "2027-01-19"
      start_minute: 600
      end_minute: 720
      institution_id: "musik"
      venue_id: "sal"
      instructor_id: "y"
      version: 2
      status: SESSION_STATUS_CANCELLED
      change_reason: "storm"
    }
    sessions {
      session_id: "S1"
      cohort_id: "C2"
      activity_id: "music"
      day: "2027-01-19"
      start_minute: 540
      end_minute: 600
      institution_id: "musik"
      venue_id: "sal"
      instructor_id: "y"
      version: 1
    }
  )pb");
  EXPECT_EQ(FormatWeekView(resp.sessions()),
            "    TIME         ACTIVITY  COHORT  INSTITUTION  VENUE  INSTRUCTOR  SESSION  V  NOTE\n"
            "Week 2027-W03\n"
            "  Tue 2027-01-19\n"
            "    09:00-10:00  music     C2      musik        sal    y           S1       1\n"
            "    10:00-12:00  music     C1      musik        sal    y           S2       2  "
            "cancelled: storm\n"
            "Week 2027-W04\n"
            "  Mon 2027-01-25\n"
            "    09:00-11:00  art       C2      kunst        v1     x           S3       1\n");
  EXPECT_EQ(FormatWeekView({}), "No sessions.\n");
}

TEST(FormatRepair, MovedCancelledAndPast) {
  auto repair = Text<sv1::RepairResponse>(R"pb(
    moved {
      session_id: "S1"
      cohort_id: "C1"
      activity_id: "music"
      day: "2027-02-03"
      start_minute: 600
      end_minute: 720
      institution_id: "musik"
      venue_id: "sal-2"
      instructor_id: "y"
      change_reason: "sal-1 closed: new floor"
    }
    cancelled {
      session_id: "S2"
      cohort_id: "C1"
      activity_id: "music"
      day: "2027-02-05"
      start_minute: 600
      end_minute: 720
      institution_id: "musik"
      venue_id: "sal-1"
      instructor_id: "y"
      status: SESSION_STATUS_CANCELLED
      change_reason: "no free room that week"
    }
    past_untouched: 2
  )pb");
  std::string out = FormatRepair(repair);
  EXPECT_THAT(out, HasSubstr("Moved 1 session:\n  SESSION  COHORT"));
  EXPECT_THAT(out, HasSubstr("  S1       C1      2027-02-03  Wed  10:00-12:00  music     musik     "
                             "   sal-2  y           sal-1 closed: new floor\n"));
  EXPECT_THAT(out, HasSubstr("\nCancelled 1 session (no free slot found):\n"));
  EXPECT_THAT(out, HasSubstr("no free room that week\n"));
  EXPECT_THAT(out, HasSubstr("2 affected sessions had already taken place"));
  EXPECT_EQ(FormatRepair({}), "No future session was affected.\n");
}

TEST(FormatSessionChange, WhereItIsNowOrThatItIsCancelled) {
  auto s = Text<sv1::Session>(R"pb(session_id: "S1"
                                   cohort_id: "C1"
                                   day: "2027-01-20"
                                   start_minute: 630
                                   end_minute: 750
                                   institution_id: "musik"
                                   venue_id: "sal-2"
                                   instructor_id: "y"
                                   version: 4
                                   status: SESSION_STATUS_SCHEDULED)pb");
  EXPECT_EQ(FormatSessionChange(s),
            "Session S1 of cohort C1 is now Wed 2027-01-20 10:30-12:30 at musik / sal-2 with y "
            "(version 4).\n");
  s.set_status(sv1::SESSION_STATUS_CANCELLED);
  EXPECT_THAT(FormatSessionChange(s), HasSubstr("is cancelled (version 4)"));
}

TEST(FormatEnrolment, EnrolledWaitlistedUnenrolled) {
  auto waitlisted = Text<sv1::EnrollResponse>(
      R"pb(waitlisted { program_id: "P" referral_id: "R" position: 3 })pb");
  EXPECT_EQ(FormatEnroll(waitlisted),
            "No free seat: referral R is number 3 on the waitlist of program P.\n");
  auto enrolled =
      Text<sv1::EnrollResponse>(R"pb(enrollment { cohort_id: "C" referral_id: "R" })pb");
  EXPECT_THAT(FormatEnroll(enrolled), HasSubstr("Referral R is enrolled in cohort C"));

  auto req = Text<sv1::UnenrollRequest>(R"pb(cohort_id: "C" referral_id: "R")pb");
  auto given = Text<sv1::UnenrollResponse>(R"pb(seat_given_to { referral_id: "R2" })pb");
  EXPECT_EQ(
      FormatUnenroll(req, given),
      "Referral R is no longer in cohort C.\nThe seat went to referral R2 from the waitlist.\n");
  EXPECT_THAT(FormatUnenroll(req, {}), HasSubstr("The seat is free"));
}

TEST(FormatEnrolment, WaitlistAndParticipants) {
  auto wl = Text<sv1::GetWaitlistResponse>(R"pb(
    entries { referral_id: "R1" citizen_id: "Z1" position: 1 }
    entries { referral_id: "R2" citizen_id: "Z2" position: 2 })pb");
  EXPECT_EQ(FormatWaitlist("P", wl),
            "2 referrals wait for program P:\n"
            "  #  REFERRAL  CITIZEN  SINCE\n"
            "  1  R1        Z1       -\n"
            "  2  R2        Z2       -\n");
  EXPECT_EQ(FormatWaitlist("P", {}), "Nobody is waiting for program P.\n");

  auto coordinator = Text<sv1::ListParticipantsResponse>(
      R"pb(participants { referral_id: "R1" citizen_id: "Z1" })pb");
  EXPECT_EQ(FormatParticipants(coordinator), "REFERRAL  CITIZEN\nR1        Z1\n");
  auto instructor = Text<sv1::ListParticipantsResponse>(
      R"pb(participants { referral_id: "R1" first_name: "Ebbe" })pb");
  EXPECT_EQ(FormatParticipants(instructor),
            "REFERRAL  CITIZEN  FIRST NAME\nR1        -        Ebbe\n");
}

TEST(FormatCatalog, InstitutionsWithVenuesProgramsWithActivitiesAndTheCalendar) {
  auto inst = Text<sv1::ListInstitutionsResponse>(R"pb(
    institutions {
      institution_id: "musik"
      name: "Ølby Musikskole"
      kind: INSTITUTION_KIND_MUSIC_SCHOOL
      version: 2
      venues {
        venue_id: "sal-1"
        name: "Store sal"
        capacity: 40
        opening_hours { weekday: 1 start_minute: 480 end_minute: 960 }
        closures { first_day: "2027-07-01" last_day: "2027-07-31" reason: "Sommer" }
      }
    })pb");
  std::string out = FormatInstitutions(inst);
  EXPECT_THAT(out, HasSubstr("musik        Ølby Musikskole  music_school       1  2\n"));
  EXPECT_THAT(out, HasSubstr("musik        sal-1  Store sal     40  Mon 08:00-16:00  "
                             "2027-07-01..2027-07-31 Sommer\n"));

  auto programs = Text<sv1::ListProgramsResponse>(R"pb(
    programs {
      program_id: "kultur-6"
      name: "Kultur på recept"
      weeks: 6
      min_sessions_per_week: 1
      max_sessions_per_week: 2
      min_cohort_size: 6
      max_cohort_size: 12
      is_default: true
      version: 1
      first_activity_id: "intro"
      last_activity_id: "intro"
      activities {
        activity_id: "intro"
        name: "Introduktion"
        duration_minutes: 90
        institution_ids: "sundhedshus"
      }
      activities {
        activity_id: "music"
        name: "Musik"
        duration_minutes: 120
        institution_ids: "musik"
        institution_ids: "kulturhus"
      }
    })pb");
  out = FormatPrograms(programs);
  EXPECT_THAT(out,
              HasSubstr("kultur-6  Kultur på recept      6  1-2       6-12  -      yes      1\n"));
  EXPECT_THAT(out, HasSubstr("intro     Introduktion       90  sundhedshus      first and last\n"));
  EXPECT_THAT(out, HasSubstr("musik,kulturhus"));

  auto cal = Text<sv1::MunicipalityCalendar>(R"pb(municipality: "0165"
                                                  version: 3
                                                  closed_periods {
                                                    first_day: "2027-10-11"
                                                    last_day: "2027-10-17"
                                                    reason: "Efterårsferie"
                                                  })pb");
  out = FormatCalendar(cal);
  EXPECT_THAT(out, HasSubstr("municipality 0165 (version 3)"));
  EXPECT_THAT(out, HasSubstr("2027-10-11  2027-10-17     7  Efterårsferie\n"));
  EXPECT_THAT(FormatCalendar({}), HasSubstr("No closed periods."));

  auto instructors = Text<sv1::ListInstructorsResponse>(R"pb(
    instructors {
      instructor_id: "ins-a"
      display_name: "Anna Testesen"
      institution_id: "musik"
      availability { weekday: 2 start_minute: 540 end_minute: 720 }
      version: 1
    })pb");
  EXPECT_THAT(FormatInstructors(instructors),
              HasSubstr("ins-a       Anna Testesen  musik        Tue 09:00-12:00  1\n"));
  EXPECT_THAT(FormatInstructors(instructors), Not(HasSubstr("  -\n")));  // no absences: blank
}

}  // namespace
}  // namespace kpr::kprctl
