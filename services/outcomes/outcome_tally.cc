#include "services/outcomes/outcome_tally.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/outcomes/attendance_rules.h"
#include "services/outcomes/instruments.h"

namespace kpr::outcomes {
namespace {

// Each tally's members with their stable field names, so the arithmetic, comparison and
// (de)serialisation are written once and cannot miss a member. Array elements are named
// "<array>.<n>" with n = array index + kBase (the enum value the element counts).
template <typename T>
struct Layout;

template <>
struct Layout<OutcomeTally> {
  using T = OutcomeTally;
  static constexpr std::pair<const char*, double T::*> kScalars[] = {
      {"participants", &T::participants},
      {"completed", &T::completed},
      {"dropped_out", &T::dropped_out},
      {"attendance_n", &T::attendance_n},
      {"attendance_rate_sum", &T::attendance_rate_sum},
      {"attendance_at_least_target", &T::attendance_at_least_target},
      {"who5_baseline_n", &T::who5_baseline_n},
      {"who5_baseline_sum", &T::who5_baseline_sum},
      {"who5_end_n", &T::who5_end_n},
      {"who5_end_sum", &T::who5_end_sum},
      {"who5_paired_n", &T::who5_paired_n},
      {"who5_change_sum", &T::who5_change_sum},
      {"who5_change_sumsq", &T::who5_change_sumsq},
      {"who5_improved", &T::who5_improved},
      {"who5_baseline_at_most_50", &T::who5_baseline_at_most_50},
      {"who5_moved_above_50", &T::who5_moved_above_50},
      {"wai_baseline_n", &T::wai_baseline_n},
      {"wai_baseline_sum", &T::wai_baseline_sum},
      {"wai_end_n", &T::wai_end_n},
      {"wai_end_sum", &T::wai_end_sum},
      {"wai_paired_n", &T::wai_paired_n},
      {"wai_change_sum", &T::wai_change_sum},
      {"wai_change_sumsq", &T::wai_change_sumsq},
      {"employment_1m_n", &T::employment_1m_n},
      {"employment_12m_n", &T::employment_12m_n},
  };
  // Named by EmploymentStatus: "employment_1m.1" counts ORDINARY_WORK.
  static constexpr int kBase = 1;
  static constexpr std::pair<const char*, std::array<double, kEmploymentStatuses> T::*> kArrays[] =
      {{"employment_1m", &T::employment_1m}, {"employment_12m", &T::employment_12m}};
};

template <>
struct Layout<FunnelTally> {
  using T = FunnelTally;
  static constexpr std::pair<const char*, double T::*> kScalars[] = {
      {"referred", &T::referred}, {"contacted", &T::contacted}, {"accepted", &T::accepted},
      {"enrolled", &T::enrolled}, {"completed", &T::completed}, {"dropped_out", &T::dropped_out},
      {"declined", &T::declined}, {"withdrawn", &T::withdrawn},
  };
  // Named by ReferralSource: "referred_by_source.1" counts REFERRAL_SOURCE_JOBCENTER.
  static constexpr int kBase = 0;
  static constexpr std::pair<const char*, std::array<double, 8> T::*> kArrays[] = {
      {"referred_by_source", &T::referred_by_source},
      {"enrolled_by_source", &T::enrolled_by_source}};
};

// Calls f(name, element, a's member, b's member) for every member; element is -1 for a scalar,
// else the number in the array element's field name. Names are only built where needed.
template <typename T, typename A, typename B, typename F>
void Zip(A& a, B& b, F f) {
  for (const auto& [name, m] : Layout<T>::kScalars) f(name, -1, a.*m, b.*m);
  for (const auto& [name, m] : Layout<T>::kArrays) {
    for (size_t i = 0; i < (a.*m).size(); ++i) {
      f(name, static_cast<int>(i) + Layout<T>::kBase, (a.*m)[i], (b.*m)[i]);
    }
  }
}

std::string FieldName(const char* name, int element) {
  return element < 0 ? std::string(name) : absl::StrCat(name, ".", element);
}

template <typename T>
void Add(T& a, const T& b, double sign) {
  Zip<T>(a, b, [sign](const char*, int, double& x, double y) { x += sign * y; });
}

template <typename T>
bool Equal(const T& a, const T& b) {
  bool equal = true;
  Zip<T>(a, b, [&](const char*, int, double x, double y) { equal = equal && x == y; });
  return equal;
}

template <typename T>
std::vector<std::pair<std::string, double>> ToFieldsOf(const T& t) {
  std::vector<std::pair<std::string, double>> fields;
  Zip<T>(t, t, [&](const char* name, int element, double v, double) {
    fields.emplace_back(FieldName(name, element), v);
  });
  return fields;
}

template <typename T>
T FromFieldsOf(const absl::flat_hash_map<std::string, double>& fields) {
  T t;
  Zip<T>(t, t, [&](const char* name, int element, double& v, double&) {
    if (auto it = fields.find(FieldName(name, element)); it != fields.end()) v = it->second;
  });
  return t;
}

// The answer on file for (instrument, time point): the highest revision, should there ever be
// more than one.
const v1::Questionnaire* Latest(const v1::ParticipantRecord& p, v1::Instrument instrument,
                                v1::TimePoint tp) {
  const v1::Questionnaire* latest = nullptr;
  for (const v1::Questionnaire& q : p.answers()) {
    const v1::Instrument of =
        q.instrument() != v1::INSTRUMENT_UNSPECIFIED ? q.instrument() : InstrumentOf(q);
    if (of != instrument || q.time_point() != tp) continue;
    if (latest == nullptr || q.revision() >= latest->revision()) latest = &q;
  }
  return latest;
}

struct Paired {
  double baseline_n = 0, baseline_sum = 0, end_n = 0, end_sum = 0;
  double paired_n = 0, change_sum = 0, change_sumsq = 0;
};

// Baseline, end and (when both exist) the paired change of one score.
Paired PairScores(std::optional<double> baseline, std::optional<double> end) {
  Paired r;
  if (baseline) r.baseline_n = 1, r.baseline_sum = *baseline;
  if (end) r.end_n = 1, r.end_sum = *end;
  if (baseline && end) {
    const double change = *end - *baseline;
    r.paired_n = 1;
    r.change_sum = change;
    r.change_sumsq = change * change;
  }
  return r;
}

void CountEmployment(const v1::Questionnaire* q, double& n,
                     std::array<double, kEmploymentStatuses>& by_status) {
  if (q == nullptr) return;
  const int status = q->employment().status();
  if (status < 1 || status > kEmploymentStatuses) return;  // validated on receipt; be safe
  n = 1;
  by_status[status - 1] = 1;
}

}  // namespace

OutcomeTally& OutcomeTally::operator+=(const OutcomeTally& other) {
  Add(*this, other, 1);
  return *this;
}

OutcomeTally& OutcomeTally::operator-=(const OutcomeTally& other) {
  Add(*this, other, -1);
  return *this;
}

bool OutcomeTally::operator==(const OutcomeTally& other) const { return Equal(*this, other); }

std::vector<std::pair<std::string, double>> OutcomeTally::ToFields() const {
  return ToFieldsOf(*this);
}

OutcomeTally OutcomeTally::FromFields(const absl::flat_hash_map<std::string, double>& fields) {
  return FromFieldsOf<OutcomeTally>(fields);
}

FunnelTally& FunnelTally::operator+=(const FunnelTally& other) {
  Add(*this, other, 1);
  return *this;
}

FunnelTally& FunnelTally::operator-=(const FunnelTally& other) {
  Add(*this, other, -1);
  return *this;
}

bool FunnelTally::operator==(const FunnelTally& other) const { return Equal(*this, other); }

std::vector<std::pair<std::string, double>> FunnelTally::ToFields() const {
  return ToFieldsOf(*this);
}

FunnelTally FunnelTally::FromFields(const absl::flat_hash_map<std::string, double>& fields) {
  return FromFieldsOf<FunnelTally>(fields);
}

OutcomeTally ParticipantContribution(const v1::ParticipantRecord& p, const OutcomePolicy& policy) {
  OutcomeTally t;
  if (!p.started()) return t;
  t.participants = 1;
  t.completed = p.outcome() == v1::PARTICIPATION_OUTCOME_COMPLETED ? 1 : 0;
  t.dropped_out = p.outcome() == v1::PARTICIPATION_OUTCOME_DROPPED_OUT ? 1 : 0;

  if (const AttendanceSummary a = Summarize(p); a.rate.has_value()) {
    t.attendance_n = 1;
    t.attendance_rate_sum = *a.rate;
    t.attendance_at_least_target = *a.rate >= policy.attendance_target ? 1 : 0;
  }

  auto score = [&](v1::Instrument instrument, v1::TimePoint tp) -> std::optional<double> {
    const v1::Questionnaire* q = Latest(p, instrument, tp);
    if (q == nullptr) return std::nullopt;
    return instrument == v1::INSTRUMENT_WHO5 ? q->score().who5_percentage()
                                             : q->score().wai_total();
  };

  const std::optional<double> who5_baseline = score(v1::INSTRUMENT_WHO5, v1::TIME_POINT_BASELINE);
  const std::optional<double> who5_end = score(v1::INSTRUMENT_WHO5, v1::TIME_POINT_END);
  const Paired who5 = PairScores(who5_baseline, who5_end);
  t.who5_baseline_n = who5.baseline_n;
  t.who5_baseline_sum = who5.baseline_sum;
  t.who5_end_n = who5.end_n;
  t.who5_end_sum = who5.end_sum;
  t.who5_paired_n = who5.paired_n;
  t.who5_change_sum = who5.change_sum;
  t.who5_change_sumsq = who5.change_sumsq;
  if (who5.paired_n > 0) {
    t.who5_improved = who5.change_sum >= policy.who5_relevant_change ? 1 : 0;
    if (*who5_baseline <= policy.who5_poor_max) {
      t.who5_baseline_at_most_50 = 1;
      t.who5_moved_above_50 = *who5_end > policy.who5_poor_max ? 1 : 0;
    }
  }

  const Paired wai = PairScores(score(v1::INSTRUMENT_WORK_ABILITY_INDEX, v1::TIME_POINT_BASELINE),
                                score(v1::INSTRUMENT_WORK_ABILITY_INDEX, v1::TIME_POINT_END));
  t.wai_baseline_n = wai.baseline_n;
  t.wai_baseline_sum = wai.baseline_sum;
  t.wai_end_n = wai.end_n;
  t.wai_end_sum = wai.end_sum;
  t.wai_paired_n = wai.paired_n;
  t.wai_change_sum = wai.change_sum;
  t.wai_change_sumsq = wai.change_sumsq;

  CountEmployment(Latest(p, v1::INSTRUMENT_EMPLOYMENT_STATUS, v1::TIME_POINT_FOLLOWUP_1M),
                  t.employment_1m_n, t.employment_1m);
  CountEmployment(Latest(p, v1::INSTRUMENT_EMPLOYMENT_STATUS, v1::TIME_POINT_FOLLOWUP_12M),
                  t.employment_12m_n, t.employment_12m);
  return t;
}

FunnelTally ReferralContribution(const v1::FunnelRecord& r) {
  FunnelTally t;
  if (!r.received()) return t;  // month and source unknown: nowhere to count it
  const bool completed = r.completed();
  const bool dropped_out = r.dropped_out();
  const bool enrolled = r.enrolled() || completed || dropped_out;
  const bool accepted = r.accepted() || enrolled;
  const bool contacted = r.contacted() || accepted;
  t.referred = 1;
  t.contacted = contacted;
  t.accepted = accepted;
  t.enrolled = enrolled;
  t.completed = completed;
  t.dropped_out = dropped_out;
  t.declined = r.declined();
  t.withdrawn = r.withdrawn();
  const int source = r.source();
  if (source >= 0 && source < static_cast<int>(t.referred_by_source.size())) {
    t.referred_by_source[source] = 1;
    t.enrolled_by_source[source] = enrolled;
  }
  return t;
}

}  // namespace kpr::outcomes
