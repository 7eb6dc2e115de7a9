// Concurrency through the real gRPC service on the harness's Redis: 20 coordinators creating
// cohorts at once for the same weeks never double-book a venue or an instructor (the booking is
// checked inside one Redis script, not read-then-write), and 50 enrolments at once into a
// 15-seat cohort enrol exactly 15 and waitlist the other 35 first come, first served; a freed
// seat goes to the first on the waitlist.

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/rpc/auth.h"
#include "tests/support/scheduling_fixture.h"

namespace kpr::testing {
namespace {

namespace v1 = ::kpr::scheduling::v1;
using identity::Role;

class SchedulingConcurrency : public SchedulingServiceTest {};

TEST_F(SchedulingConcurrency, TwentyParallelCreateCohortCallsNeverDoubleBook) {
  const std::string token = Token(Role::kCoordinator);
  absl::Mutex mu;
  std::vector<grpc::StatusCode> codes;
  std::vector<std::string> refusals;
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      // Half each program, all starting in the same weeks, all in 0165: the same health house,
      // music school, library ... for everyone.
      v1::CreateCohortRequest req;
      req.set_municipality("0165");
      req.set_program_id(i % 2 == 0 ? "sund-med-kultur" : "kultur-paa-recept");
      req.set_start_iso_year(2027);
      req.set_start_iso_week(10 + i % 3);
      req.set_request_id(absl::StrCat("coordinator-", i));
      v1::CreateCohortResponse resp;
      auto stub = v1::SchedulingService::NewStub(channel_);
      Ctx c(token);
      grpc::Status st = stub->CreateCohort(&c.ctx, req, &resp);
      absl::MutexLock lock(&mu);
      codes.push_back(st.error_code());
      if (!st.ok()) refusals.push_back(st.error_message());
    });
  }
  for (auto& t : threads) t.join();

  int created = 0;
  for (size_t i = 0; i < codes.size(); ++i) {
    if (codes[i] == grpc::StatusCode::OK) {
      ++created;
    } else {
      // Refused only because no timetable is left, and said so.
      EXPECT_EQ(codes[i], grpc::StatusCode::FAILED_PRECONDITION);
    }
  }
  for (const auto& r : refusals) EXPECT_NE(r.find("no timetable"), std::string::npos) << r;
  EXPECT_GE(created, 4) << absl::StrJoin(refusals, "\n");

  std::vector<CohortTimetable> timetables = Timetables("0165");
  EXPECT_EQ(static_cast<int>(timetables.size()), created);
  std::vector<std::string> violations = HardViolations(catalog_, "0165", timetables);
  EXPECT_TRUE(violations.empty()) << absl::StrJoin(violations, "\n");
}

TEST_F(SchedulingConcurrency, FiftyParallelEnrolmentsFillFifteenSeatsAndWaitlistTheRestInOrder) {
  const std::string token = Token(Role::kCoordinator);
  v1::CreateCohortRequest create;
  create.set_municipality("0183");
  create.set_program_id("kultur-paa-recept");
  create.set_start_iso_year(2027);
  create.set_start_iso_week(14);
  create.set_capacity(15);
  create.set_request_id("enrolment-cohort");
  v1::CreateCohortResponse cohort;
  {
    Ctx c(token);
    grpc::Status st = stub_->CreateCohort(&c.ctx, create, &cohort);
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_EQ(cohort.cohort().status(), v1::COHORT_STATUS_OPEN);
  }

  absl::Mutex mu;
  std::vector<std::string> enrolled;
  std::map<int, std::string> position_of;  // position returned -> referral
  std::vector<std::string> errors;
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      v1::EnrollRequest req;
      req.set_municipality("0183");
      req.set_program_id("kultur-paa-recept");
      req.set_referral_id(absl::StrCat("0183-ref-", i));
      req.set_citizen_id(absl::StrCat("citizen-", i));
      v1::EnrollResponse resp;
      auto stub = v1::SchedulingService::NewStub(channel_);
      Ctx c(token);
      grpc::Status st = stub->Enroll(&c.ctx, req, &resp);
      absl::MutexLock lock(&mu);
      if (!st.ok()) {
        errors.push_back(st.error_message());
      } else if (resp.has_enrollment()) {
        enrolled.push_back(resp.enrollment().referral_id());
      } else if (resp.has_waitlisted()) {
        position_of[resp.waitlisted().position()] = resp.waitlisted().referral_id();
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(errors.empty()) << absl::StrJoin(errors, "\n");
  EXPECT_EQ(enrolled.size(), 15u);
  ASSERT_EQ(position_of.size(), 35u);  // 35 distinct positions
  EXPECT_EQ(position_of.begin()->first, 1);
  EXPECT_EQ(position_of.rbegin()->first, 35);

  v1::GetCohortRequest get;
  get.set_municipality("0183");
  get.set_cohort_id(cohort.cohort().cohort_id());
  v1::Cohort after;
  {
    Ctx c(token);
    ASSERT_TRUE(stub_->GetCohort(&c.ctx, get, &after).ok());
  }
  EXPECT_EQ(after.enrolled_count(), 15);

  // The waitlist is in the order the enrolments were taken: each one's position when it joined.
  v1::GetWaitlistRequest wreq;
  wreq.set_municipality("0183");
  wreq.set_program_id("kultur-paa-recept");
  v1::GetWaitlistResponse waitlist;
  {
    Ctx c(token);
    ASSERT_TRUE(stub_->GetWaitlist(&c.ctx, wreq, &waitlist).ok());
  }
  ASSERT_EQ(waitlist.entries_size(), 35);
  for (int k = 0; k < 35; ++k) {
    EXPECT_EQ(waitlist.entries(k).position(), k + 1);
    EXPECT_EQ(waitlist.entries(k).referral_id(), position_of[k + 1]) << "position " << k + 1;
  }

  // A freed seat goes to the first in line.
  v1::UnenrollRequest unenroll;
  unenroll.set_municipality("0183");
  unenroll.set_cohort_id(cohort.cohort().cohort_id());
  unenroll.set_referral_id(enrolled.front());
  unenroll.set_reason("moved away");
  v1::UnenrollResponse freed;
  {
    Ctx c(token);
    grpc::Status st = stub_->Unenroll(&c.ctx, unenroll, &freed);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  EXPECT_EQ(freed.seat_given_to().referral_id(), position_of[1]);
  {
    Ctx c(token);
    ASSERT_TRUE(stub_->GetWaitlist(&c.ctx, wreq, &waitlist).ok());
  }
  ASSERT_EQ(waitlist.entries_size(), 34);
  EXPECT_EQ(waitlist.entries(0).referral_id(), position_of[2]);
}

}  // namespace
}  // namespace kpr::testing
