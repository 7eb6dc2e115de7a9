#include "tools/kprctl/enrolment_format.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/text_table.h"

namespace kpr::kprctl {

std::string FormatEnroll(const sv1::EnrollResponse& response) {
  if (response.has_enrollment()) {
    const auto& e = response.enrollment();
    return absl::StrCat("Referral ", e.referral_id(), " is enrolled in cohort ", e.cohort_id(),
                        " (since ", FormatTime(e.enrolled_at()), ").\n");
  }
  if (response.has_waitlisted()) {
    const auto& w = response.waitlisted();
    return absl::StrCat("No free seat: referral ", w.referral_id(), " is number ", w.position(),
                        " on the waitlist of program ", w.program_id(), ".\n");
  }
  return "The service neither enrolled nor waitlisted the referral.\n";
}

std::string FormatUnenroll(const sv1::UnenrollRequest& request,
                           const sv1::UnenrollResponse& response) {
  std::string out = absl::StrCat("Referral ", request.referral_id(), " is no longer in cohort ",
                                 request.cohort_id(), ".\n");
  if (response.has_seat_given_to()) {
    absl::StrAppend(&out, "The seat went to referral ", response.seat_given_to().referral_id(),
                    " from the waitlist.\n");
  } else {
    absl::StrAppend(&out, "The seat is free (nobody was waiting, or the cohort has started).\n");
  }
  return out;
}

std::string FormatWaitlist(const std::string& program_id,
                           const sv1::GetWaitlistResponse& response) {
  if (response.entries().empty()) {
    return absl::StrCat("Nobody is waiting for program ", program_id, ".\n");
  }
  TextTable t({"#", "REFERRAL", "CITIZEN", "SINCE"});
  t.AlignRight(0);
  for (const auto& e : response.entries()) {
    t.AddRow({absl::StrCat(e.position()), e.referral_id(), e.citizen_id(),
              FormatTime(e.waitlisted_at())});
  }
  return absl::StrCat(Plural(response.entries_size(), "referral waits", "referrals wait"),
                      " for program ", program_id, ":\n", t.Render(2));
}

std::string FormatParticipants(const sv1::ListParticipantsResponse& response) {
  if (response.participants().empty()) return "No participants.\n";
  bool names = std::any_of(response.participants().begin(), response.participants().end(),
                           [](const sv1::Participant& p) { return !p.first_name().empty(); });
  std::vector<std::string> header = {"REFERRAL", "CITIZEN"};
  if (names) header.push_back("FIRST NAME");
  TextTable t(header);
  for (const auto& p : response.participants()) {
    std::vector<std::string> row = {p.referral_id(), p.citizen_id()};
    if (names) row.push_back(p.first_name());
    t.AddRow(std::move(row));
  }
  return t.Render();
}

}  // namespace kpr::kprctl
