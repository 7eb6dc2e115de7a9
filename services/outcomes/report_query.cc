#include "services/outcomes/report_query.h"

#include <optional>

#include "absl/status/status.h"
#include "libs/validation/period.h"
#include "services/outcomes/outcome_report.h"
#include "services/outcomes/versioned_records.h"

namespace kpr::outcomes {

absl::StatusOr<ReportPeriod> ProgramReportPeriod(const v1::GetProgramReportRequest& req,
                                                 absl::Time now, absl::TimeZone tz) {
  if (req.program_id().empty()) return absl::InvalidArgumentError("program_id: missing");
  // Default: the current calendar year. Checked and capped (5 years) before any loop over it.
  const absl::CivilYear year = absl::ToCivilYear(now, tz);
  absl::Time default_from = absl::FromCivil(absl::CivilDay(year), tz);
  if (req.has_from()) {
    auto t = validation::CheckTimestamp("from", req.from());
    if (!t.ok()) return t.status();
    default_from = absl::FromCivil(absl::CivilDay(absl::ToCivilYear(*t, tz)), tz);
  }
  auto period = validation::CheckPeriod(
      req.has_from() ? std::optional(req.from()) : std::nullopt,
      req.has_to() ? std::optional(req.to()) : std::nullopt, default_from,
      absl::FromCivil(absl::CivilDay(absl::ToCivilYear(default_from, tz) + 1), tz),
      validation::kMaxReportPeriod);
  if (!period.ok()) return period.status();
  ReportPeriod out{absl::ToCivilDay(period->from, tz), absl::ToCivilDay(period->to, tz)};
  if (out.to <= out.from) return absl::InvalidArgumentError("to: must be after from");
  return out;
}

std::pair<double, double> CohortIndexRange(const ReportPeriod& period) {
  return {static_cast<double>(DaysSinceEpoch(period.from)),
          static_cast<double>(DaysSinceEpoch(period.to) - 1)};
}

std::vector<std::string> FunnelMonths(const ReportPeriod& period) {
  std::vector<std::string> months;
  for (absl::CivilMonth mo(period.from); mo <= absl::CivilMonth(period.to - 1); ++mo)
    months.push_back(absl::FormatCivilTime(mo));
  return months;
}

v1::OutcomeReport CohortReport(const std::string& m, const v1::CohortRecord& cohort,
                               const TallyFields& tally, const ReportSettings& settings,
                               absl::Time now) {
  v1::OutcomeReport r = BuildReport(OutcomeTally::FromFields(tally), nullptr, settings.policy,
                                    settings.suppression_threshold);
  r.set_municipality(m);
  r.set_program_id(cohort.program_id());
  r.set_cohort_id(cohort.cohort_id());
  r.set_cohorts(1);
  absl::CivilDay first, last;
  if (ParseDay(cohort.first_day(), &first) && ParseDay(cohort.last_day(), &last)) {
    *r.mutable_from() = ToProto(absl::FromCivil(first, settings.tz));
    *r.mutable_to() = ToProto(absl::FromCivil(last + 1, settings.tz));
  }
  *r.mutable_generated_at() = ToProto(now);
  return r;
}

v1::OutcomeReport ProgramReport(const std::string& m, const std::string& program_id,
                                const ReportPeriod& period,
                                const std::vector<TallyFields>& cohort_tallies,
                                const std::vector<TallyFields>& funnel_months,
                                const ReportSettings& settings, absl::Time now) {
  OutcomeTally tally;
  int started = 0;
  for (const TallyFields& fields : cohort_tallies) {
    OutcomeTally t = OutcomeTally::FromFields(fields);
    if (t.participants > 0) ++started;
    tally += t;
  }
  FunnelTally funnel;
  for (const TallyFields& fields : funnel_months) funnel += FunnelTally::FromFields(fields);
  v1::OutcomeReport r =
      BuildReport(tally, &funnel, settings.policy, settings.suppression_threshold);
  r.set_municipality(m);
  r.set_program_id(program_id);
  r.set_cohorts(started);
  *r.mutable_from() = ToProto(absl::FromCivil(period.from, settings.tz));
  *r.mutable_to() = ToProto(absl::FromCivil(period.to, settings.tz));
  *r.mutable_generated_at() = ToProto(now);
  return r;
}

}  // namespace kpr::outcomes
