#ifndef KPR_SERVICES_OUTCOMES_REPORT_DESK_H_
#define KPR_SERVICES_OUTCOMES_REPORT_DESK_H_

// The report desk: a cohort's and a program's outcome report, read from the running tallies
// (never from participants, so analysts see aggregates only and a report costs a few reads), and
// exported as a file for committees. Small counts are suppressed (suppression_threshold).

#include "absl/status/statusor.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"
#include "libs/identity/caller.h"
#include "services/outcomes/outcomes_context.h"
#include "services/outcomes/report_query.h"

namespace kpr::outcomes {

class ReportDesk {
 public:
  // `context` must outlive the desk.
  explicit ReportDesk(const OutcomesContext& context);

  absl::StatusOr<v1::OutcomeReport> GetCohortReport(const v1::GetCohortReportRequest& req,
                                                    const identity::Caller& caller);
  absl::StatusOr<v1::OutcomeReport> GetProgramReport(const v1::GetProgramReportRequest& req,
                                                     const identity::Caller& caller);
  absl::StatusOr<v1::ExportReportResponse> ExportReport(const v1::ExportReportRequest& req,
                                                        const identity::Caller& caller);

 private:
  const OutcomesContext& ctx_;
  const ReportSettings settings_;
};

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_REPORT_DESK_H_
