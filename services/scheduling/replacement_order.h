#ifndef KPR_SERVICES_SCHEDULING_REPLACEMENT_ORDER_H_
#define KPR_SERVICES_SCHEDULING_REPLACEMENT_ORDER_H_

// A cohort cancelled before its start leaves its participants without a place; they are placed
// again, one by one, in the next open cohort of the program with a seat or on its waitlist. The
// order is fair to them: first accepted, first placed (the acceptance time each enrolment keeps;
// an enrolment from before it was kept counts from its enrolment), ties by referral id. Pure.

#include <vector>

#include "kpr/scheduling/v1/events.pb.h"

namespace kpr::scheduling {

std::vector<v1::Enrollment> ReplacementOrder(const v1::CohortCancelled& cancelled);

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_REPLACEMENT_ORDER_H_
