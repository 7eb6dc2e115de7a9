#ifndef KPR_SERVICES_OUTCOMES_OUTCOMES_DESKS_H_
#define KPR_SERVICES_OUTCOMES_OUTCOMES_DESKS_H_

// The outcomes service's desks over one shared context: facts (scheduling and referral events,
// and the timers), attendance, questionnaires and reports. The gRPC service, the event routers
// and the timer worker each call the desk of their use case.

#include <functional>
#include <string>

#include "libs/privacy/audit_trail.h"
#include "services/outcomes/attendance_desk.h"
#include "services/outcomes/facts_desk.h"
#include "services/outcomes/outcomes_context.h"
#include "services/outcomes/outcomes_store.h"
#include "services/outcomes/questionnaire_desk.h"
#include "services/outcomes/report_desk.h"

namespace kpr::outcomes {

struct OutcomesDesks {
  // `store` and `audit` must outlive the desks. `encryption_key`: DataKeys::encryption_key.
  // `on_outbox_write` (may be empty): events were appended to the outbox.
  OutcomesDesks(OutcomesStore& store, privacy::AuditTrail& audit, std::string encryption_key,
                std::function<void()> on_outbox_write, OutcomesOptions options)
      : context(store, audit, std::move(encryption_key), std::move(on_outbox_write),
                std::move(options)),
        facts(context),
        attendance(context),
        questionnaires(context),
        reports(context) {}
  // The desks hold the context by reference.
  OutcomesDesks(const OutcomesDesks&) = delete;
  OutcomesDesks& operator=(const OutcomesDesks&) = delete;

  const OutcomesContext context;  // first: the desks below refer to it
  FactsDesk facts;
  AttendanceDesk attendance;
  QuestionnaireDesk questionnaires;
  ReportDesk reports;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_OUTCOMES_DESKS_H_
