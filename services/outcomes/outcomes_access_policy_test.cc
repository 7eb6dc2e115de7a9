#include "services/outcomes/outcomes_access_policy.h"

#include <vector>

#include "gtest/gtest.h"

namespace kpr::outcomes {
namespace {

rpc::Claims As(rpc::Role role) {
  rpc::Claims c;
  c.subject = "someone";
  c.role = role;
  c.municipalities = {"0165"};
  return c;
}

const std::vector<OutcomesRpc> kAll = {
    OutcomesRpc::kRecordAttendance,          OutcomesRpc::kGetAttendance,
    OutcomesRpc::kSubmitQuestionnaire,       OutcomesRpc::kGetQuestionnaires,
    OutcomesRpc::kListQuestionnaireSchedule, OutcomesRpc::kGetCohortReport,
    OutcomesRpc::kGetProgramReport,          OutcomesRpc::kExportReport};

bool Allowed(rpc::Role role, OutcomesRpc rpc) {
  return AuthorizeOutcomes(rpc, As(role), "0165").ok();
}

TEST(OutcomesAccessPolicy, CoordinatorMayDoEverythingInItsMunicipalityOnly) {
  for (OutcomesRpc r : kAll) {
    EXPECT_TRUE(Allowed(rpc::Role::kCoordinator, r));
    EXPECT_EQ(AuthorizeOutcomes(r, As(rpc::Role::kCoordinator), "0183").code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(OutcomesAccessPolicy, AnalystsAndAdminsSeeOnlyReports) {
  for (rpc::Role role : {rpc::Role::kAnalyst, rpc::Role::kAdmin}) {
    for (OutcomesRpc r : kAll) {
      bool report = r == OutcomesRpc::kGetCohortReport || r == OutcomesRpc::kGetProgramReport ||
                    r == OutcomesRpc::kExportReport;
      EXPECT_EQ(Allowed(role, r), report) << static_cast<int>(r);
    }
  }
}

TEST(OutcomesAccessPolicy, InstructorsRecordAndReadAttendanceOnly) {
  for (OutcomesRpc r : kAll) {
    bool attendance = r == OutcomesRpc::kRecordAttendance || r == OutcomesRpc::kGetAttendance;
    EXPECT_EQ(Allowed(rpc::Role::kInstructor, r), attendance) << static_cast<int>(r);
  }
}

TEST(OutcomesAccessPolicy, ServicesSubmitAnswersAndReadTheScheduleButNeverAnswers) {
  EXPECT_TRUE(Allowed(rpc::Role::kService, OutcomesRpc::kSubmitQuestionnaire));
  EXPECT_TRUE(Allowed(rpc::Role::kService, OutcomesRpc::kListQuestionnaireSchedule));
  EXPECT_FALSE(Allowed(rpc::Role::kService, OutcomesRpc::kGetQuestionnaires));
  EXPECT_FALSE(Allowed(rpc::Role::kService, OutcomesRpc::kGetProgramReport));
}

TEST(OutcomesAccessPolicy, CaseworkersAndUnknownRolesGetNothing) {
  for (OutcomesRpc r : kAll) {
    EXPECT_FALSE(Allowed(rpc::Role::kCaseworker, r));
    EXPECT_FALSE(Allowed(rpc::Role::kUnknown, r));
  }
}

}  // namespace
}  // namespace kpr::outcomes
