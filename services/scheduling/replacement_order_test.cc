#include "services/scheduling/replacement_order.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kpr::scheduling {
namespace {

v1::Enrollment Participant(const std::string& referral, int64_t accepted, int64_t enrolled) {
  v1::Enrollment e;
  e.set_referral_id(referral);
  if (accepted > 0) e.mutable_accepted_at()->set_seconds(accepted);
  e.mutable_enrolled_at()->set_seconds(enrolled);
  return e;
}

std::vector<std::string> Ids(const std::vector<v1::Enrollment>& v) {
  std::vector<std::string> out;
  for (const auto& e : v) out.push_back(e.referral_id());
  return out;
}

TEST(ReplacementOrderTest, FirstAcceptedFirstPlaced) {
  v1::CohortCancelled c;
  // Enrolled in another order than accepted (a seat from the waitlist came later, say).
  *c.add_participants() = Participant("0165-C", 300, 400);
  *c.add_participants() = Participant("0165-A", 100, 500);
  *c.add_participants() = Participant("0165-B", 200, 100);
  // Without an acceptance time: its enrolment counts.
  *c.add_participants() = Participant("0165-D", 0, 150);
  // A tie: by referral id.
  *c.add_participants() = Participant("0165-E", 200, 50);
  *c.add_participants() = Participant("", 1, 1);  // no referral: nobody to place
  EXPECT_THAT(Ids(ReplacementOrder(c)),
              ::testing::ElementsAre("0165-A", "0165-D", "0165-B", "0165-E", "0165-C"));
}

}  // namespace
}  // namespace kpr::scheduling
