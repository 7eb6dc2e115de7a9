#include "services/outcomes/outcomes_access_policy.h"

#include <vector>

#include "gtest/gtest.h"

namespace kpr::outcomes {
namespace {

identity::Claims As(identity::Role role) {
  identity::Claims c;
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

bool Allowed(identity::Role role, OutcomesRpc rpc) {
  return AuthorizeOutcomes(rpc, As(role), "0165").ok();
}

TEST(OutcomesAccessPolicy, CoordinatorMayDoEverythingInItsMunicipalityOnly) {
  for (OutcomesRpc r : kAll) {
    EXPECT_TRUE(Allowed(identity::Role::kCoordinator, r));
    EXPECT_EQ(AuthorizeOutcomes(r, As(identity::Role::kCoordinator), "0183").code(),
              absl::StatusCode::kPermissionDenied);
  }
}

TEST(OutcomesAccessPolicy, AnalystsAndAdminsSeeOnlyReports) {
  for (identity::Role role : {identity::Role::kAnalyst, identity::Role::kAdmin}) {
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
    EXPECT_EQ(Allowed(identity::Role::kInstructor, r), attendance) << static_cast<int>(r);
  }
}

TEST(OutcomesAccessPolicy, ServicesSubmitAnswersAndReadTheScheduleButNeverAnswers) {
  EXPECT_TRUE(Allowed(identity::Role::kService, OutcomesRpc::kSubmitQuestionnaire));
  EXPECT_TRUE(Allowed(identity::Role::kService, OutcomesRpc::kListQuestionnaireSchedule));
  EXPECT_FALSE(Allowed(identity::Role::kService, OutcomesRpc::kGetQuestionnaires));
  EXPECT_FALSE(Allowed(identity::Role::kService, OutcomesRpc::kGetProgramReport));
}

TEST(OutcomesAccessPolicy, CaseworkersAndUnknownRolesGetNothing) {
  for (OutcomesRpc r : kAll) {
    EXPECT_FALSE(Allowed(identity::Role::kCaseworker, r));
    EXPECT_FALSE(Allowed(identity::Role::kUnknown, r));
  }
}

}  // namespace
}  // namespace kpr::outcomes
