#ifndef KPR_TOOLS_KPRCTL_ENROLMENT_FORMAT_H_
#define KPR_TOOLS_KPRCTL_ENROLMENT_FORMAT_H_

// Plain-text output of kprctl's enrolment commands (enroll, unenroll, waitlist, participants),
// like scheduling_format.h. Pure: each function returns the text, every line ending in "\n".

#include <string>

#include "kpr/scheduling/v1/scheduling_service.pb.h"

namespace kpr::kprctl {

namespace sv1 = ::kpr::scheduling::v1;

// Enrolled in a cohort (since when), or number N on the program's waitlist.
std::string FormatEnroll(const sv1::EnrollResponse& response);
// Out of the cohort, and whether the seat went to someone from the waitlist.
std::string FormatUnenroll(const sv1::UnenrollRequest& request,
                           const sv1::UnenrollResponse& response);
// #, REFERRAL, CITIZEN, SINCE.
std::string FormatWaitlist(const std::string& program_id, const sv1::GetWaitlistResponse& response);
// REFERRAL, CITIZEN (and FIRST NAME when the service sends names).
std::string FormatParticipants(const sv1::ListParticipantsResponse& response);

}  // namespace kpr::kprctl

#endif  // KPR_TOOLS_KPRCTL_ENROLMENT_FORMAT_H_
