#ifndef KPR_SERVICES_SCHEDULING_SCHEDULING_DESKS_H_
#define KPR_SERVICES_SCHEDULING_SCHEDULING_DESKS_H_

// The scheduling service's desks over one shared context: what the gRPC service, the event
// routers and the timer worker are wired to (scheduling_server.cc). See desk_context.h for what
// every desk does the same way.

#include <utility>

#include "services/scheduling/catalog_desk.h"
#include "services/scheduling/cohort_desk.h"
#include "services/scheduling/desk_context.h"
#include "services/scheduling/enrolment_desk.h"
#include "services/scheduling/timetable_desk.h"

namespace kpr::scheduling {

struct SchedulingDesks {
  explicit SchedulingDesks(DeskContext ctx)
      : context(std::move(ctx)),
        catalog(context),
        cohorts(context),
        timetable(context),
        enrolment(context) {}
  SchedulingDesks(const SchedulingDesks&) = delete;
  SchedulingDesks& operator=(const SchedulingDesks&) = delete;

  const DeskContext context;  // first: the desks refer to it
  CatalogDesk catalog;
  CohortDesk cohorts;
  TimetableDesk timetable;
  EnrolmentDesk enrolment;
};

}  // namespace kpr::scheduling

#endif  // KPR_SERVICES_SCHEDULING_SCHEDULING_DESKS_H_
