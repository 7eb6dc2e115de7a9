#include "services/referral/referral_lifecycle.h"

#include <set>
#include <utility>

#include "gtest/gtest.h"

namespace kpr::referral {
namespace {

using namespace ::kpr::referral::v1;  // NOLINT: enum values read better unqualified here

TEST(ReferralLifecycle, AllowsExactlyTheDocumentedTransitions) {
  const std::set<std::pair<ReferralStatus, ReferralStatus>> allowed = {
      {REFERRAL_STATUS_RECEIVED, REFERRAL_STATUS_UNDER_REVIEW},
      {REFERRAL_STATUS_RECEIVED, REFERRAL_STATUS_DECLINED},
      {REFERRAL_STATUS_RECEIVED, REFERRAL_STATUS_WITHDRAWN},
      {REFERRAL_STATUS_UNDER_REVIEW, REFERRAL_STATUS_ACCEPTED},
      {REFERRAL_STATUS_UNDER_REVIEW, REFERRAL_STATUS_DECLINED},
      {REFERRAL_STATUS_UNDER_REVIEW, REFERRAL_STATUS_WITHDRAWN},
      {REFERRAL_STATUS_ACCEPTED, REFERRAL_STATUS_ENROLLED},
      {REFERRAL_STATUS_ACCEPTED, REFERRAL_STATUS_WITHDRAWN},
      {REFERRAL_STATUS_ENROLLED, REFERRAL_STATUS_COMPLETED},
      {REFERRAL_STATUS_ENROLLED, REFERRAL_STATUS_DROPPED_OUT},
      {REFERRAL_STATUS_ENROLLED, REFERRAL_STATUS_WITHDRAWN},
      {REFERRAL_STATUS_WAITLISTED, REFERRAL_STATUS_ENROLLED},
      {REFERRAL_STATUS_WAITLISTED, REFERRAL_STATUS_ACCEPTED},
      {REFERRAL_STATUS_WAITLISTED, REFERRAL_STATUS_WITHDRAWN},
  };
  for (int f = REFERRAL_STATUS_RECEIVED; f <= REFERRAL_STATUS_WAITLISTED; ++f) {
    for (int t = REFERRAL_STATUS_RECEIVED; t <= REFERRAL_STATUS_WAITLISTED; ++t) {
      auto from = static_cast<ReferralStatus>(f);
      auto to = static_cast<ReferralStatus>(t);
      absl::Status s = CheckTransition(from, to, STATUS_REASON_OTHER);
      if (to == REFERRAL_STATUS_WAITLISTED) {
        // Only scheduling's waitlisted fact sets it, never a staff decision.
        EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << StatusName(from);
      } else if (allowed.count({from, to})) {
        EXPECT_TRUE(s.ok()) << StatusName(from) << "->" << StatusName(to) << ": " << s;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition)
            << StatusName(from) << "->" << StatusName(to);
      }
    }
  }
}

TEST(ReferralLifecycle, DeclineAndWithdrawNeedAReason) {
  absl::Status s = CheckTransition(REFERRAL_STATUS_RECEIVED, REFERRAL_STATUS_DECLINED,
                                   STATUS_REASON_UNSPECIFIED);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("reason"), absl::string_view::npos);
  EXPECT_EQ(CheckTransition(REFERRAL_STATUS_ACCEPTED, REFERRAL_STATUS_WITHDRAWN,
                            STATUS_REASON_UNSPECIFIED)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckTransition(REFERRAL_STATUS_RECEIVED, REFERRAL_STATUS_UNDER_REVIEW,
                              STATUS_REASON_UNSPECIFIED)
                  .ok());
}

TEST(ReferralLifecycle, ClosedStatusesAreFinal) {
  for (auto closed : {REFERRAL_STATUS_COMPLETED, REFERRAL_STATUS_DROPPED_OUT,
                      REFERRAL_STATUS_DECLINED, REFERRAL_STATUS_WITHDRAWN}) {
    EXPECT_FALSE(IsOpen(closed));
    absl::Status s = CheckTransition(closed, REFERRAL_STATUS_WITHDRAWN, STATUS_REASON_OTHER);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(s.message().find("closed"), absl::string_view::npos);
  }
}

TEST(ReferralLifecycle, FunnelStagesAreCumulative) {
  EXPECT_LT(FunnelStage(REFERRAL_STATUS_RECEIVED), FunnelStage(REFERRAL_STATUS_UNDER_REVIEW));
  EXPECT_LT(FunnelStage(REFERRAL_STATUS_UNDER_REVIEW), FunnelStage(REFERRAL_STATUS_ACCEPTED));
  EXPECT_LT(FunnelStage(REFERRAL_STATUS_ACCEPTED), FunnelStage(REFERRAL_STATUS_ENROLLED));
  EXPECT_LT(FunnelStage(REFERRAL_STATUS_ENROLLED), FunnelStage(REFERRAL_STATUS_COMPLETED));
  EXPECT_EQ(FunnelStage(REFERRAL_STATUS_DROPPED_OUT), FunnelStage(REFERRAL_STATUS_ENROLLED));
  EXPECT_EQ(FunnelStage(REFERRAL_STATUS_DECLINED), 0);
}

TEST(ReferralLifecycle, EveryStatusHasItsFhirTaskCode) {
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_RECEIVED), "requested");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_UNDER_REVIEW), "received");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_ACCEPTED), "accepted");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_WAITLISTED), "on-hold");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_ENROLLED), "in-progress");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_COMPLETED), "completed");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_DROPPED_OUT), "failed");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_DECLINED), "rejected");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_WITHDRAWN), "cancelled");
  EXPECT_EQ(FhirTaskStatus(REFERRAL_STATUS_UNSPECIFIED), "");
}

TEST(ReferralLifecycle, NamesRoundTrip) {
  ReferralStatus s;
  ASSERT_TRUE(ParseStatus("under_review", &s));
  EXPECT_EQ(s, REFERRAL_STATUS_UNDER_REVIEW);
  ASSERT_TRUE(ParseStatus("REFERRAL_STATUS_ENROLLED", &s));
  EXPECT_EQ(StatusName(s), "ENROLLED");
  EXPECT_FALSE(ParseStatus("nonsense", &s));
  EXPECT_FALSE(ParseStatus("unspecified", &s));
  EXPECT_EQ(SpecificEventName(REFERRAL_STATUS_ACCEPTED), "accepted");
  EXPECT_EQ(SpecificEventName(REFERRAL_STATUS_UNDER_REVIEW), "");
}

}  // namespace
}  // namespace kpr::referral
