#ifndef KPR_SERVICES_OUTCOMES_REPORT_EXPORT_H_
#define KPR_SERVICES_OUTCOMES_REPORT_EXPORT_H_

// An OutcomeReport as files for committees: CSV, JSON and a plain-text table. A figure that
// is not SHOWN never prints a value ("suppressed" / "no data"; in the text table "suppressed"
// / "-"). Dates are Danish local days (CET/CEST, computed from the EU summer-time rule, so no
// time zone database is read). Pure.

#include <string>

#include "kpr/outcomes/v1/outcomes.pb.h"
#include "kpr/outcomes/v1/outcomes_service.pb.h"

namespace kpr::outcomes {

// RFC 4180 (CRLF line ends, quoting where needed). Header "section,figure,value,state", then
// the report's identity rows (section "report", state empty), one row per figure (value empty
// unless SHOWN; state "shown", "suppressed" or "no data"; counts as integers, means and shares
// with at most one decimal), and per target its value (state "met", "not met", "not enough
// data") and threshold. The funnel is left out when unset; so are the WHO-5-only rows of WAI.
std::string ReportToCsv(const v1::OutcomeReport& r);

// Protobuf JSON with the proto field names, every primitive field printed, indented.
std::string ReportToJson(const v1::OutcomeReport& r);

// A plain-text table for a terminal: title lines (municipality, program/cohort, period,
// cohorts, threshold), then per section aligned "figure  value" columns, then the targets
// with MET / NOT MET / NOT ENOUGH DATA.
std::string ReportToText(const v1::OutcomeReport& r);

// "kpr-<municipality>-<cohort, else program>-<first day>.csv|.json|.txt", lower case, only
// [a-z0-9-.] (anything else becomes '-'); parts that are empty are left out.
std::string ReportFilename(const v1::OutcomeReport& r, v1::ExportFormat format);

// The report as the file ExportReport returns: content, content type and filename in `format`
// (EXPORT_FORMAT_UNSPECIFIED and unknown formats: CSV).
v1::ExportReportResponse ExportedReport(const v1::OutcomeReport& r, v1::ExportFormat format);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_REPORT_EXPORT_H_
