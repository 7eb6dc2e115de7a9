#include "services/outcomes/questionnaire_schedule.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/timestamp.pb.h"

namespace kpr::outcomes {
namespace {

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

bool IsFollowUp(v1::TimePoint tp) {
  return tp == v1::TIME_POINT_FOLLOWUP_1M || tp == v1::TIME_POINT_FOLLOWUP_12M;
}

// Calendar months later; a day that month lacks becomes its last day.
absl::CivilDay AddMonths(absl::CivilDay day, int months) {
  const absl::CivilMonth month = absl::CivilMonth(day) + months;
  const int last = (absl::CivilDay(month + 1) - 1).day();
  return absl::CivilDay(month.year(), month.month(), std::min(day.day(), last));
}

// The enum's name, or its number if this build does not know it.
std::string InstrumentName(v1::Instrument i) {
  const std::string& name = v1::Instrument_Name(i);
  return name.empty() ? absl::StrCat(static_cast<int>(i)) : name;
}

std::string LocalDay(absl::Time t, absl::TimeZone tz) {
  return absl::FormatTime("%Y-%m-%d", t, tz);
}

}  // namespace

ScheduleOptions DefaultScheduleOptions() { return ScheduleOptions(); }

std::vector<v1::Instrument> InstrumentsAt(v1::TimePoint tp) {
  switch (tp) {
    case v1::TIME_POINT_BASELINE:
      return {v1::INSTRUMENT_WHO5, v1::INSTRUMENT_WORK_ABILITY_INDEX,
              v1::INSTRUMENT_EMPLOYMENT_STATUS};
    case v1::TIME_POINT_END:
      return {v1::INSTRUMENT_WHO5, v1::INSTRUMENT_WORK_ABILITY_INDEX};
    case v1::TIME_POINT_FOLLOWUP_1M:
    case v1::TIME_POINT_FOLLOWUP_12M:
      return {v1::INSTRUMENT_EMPLOYMENT_STATUS, v1::INSTRUMENT_WHO5};
    default:
      return {};
  }
}

std::optional<absl::Time> TimePointOpens(const v1::CohortRecord& cohort, v1::TimePoint tp,
                                         const ScheduleOptions& o) {
  const v1::SessionRef* first = nullptr;
  const v1::SessionRef* last = nullptr;
  for (const v1::SessionRef& s : cohort.sessions()) {
    if (s.cancelled()) continue;
    if (first == nullptr || s.index() < first->index()) first = &s;
    if (last == nullptr || s.index() > last->index()) last = &s;
  }
  if (first == nullptr) return std::nullopt;
  const v1::SessionRef& session = tp == v1::TIME_POINT_BASELINE ? *first : *last;
  absl::CivilDay day;
  if (!absl::ParseCivilTime(session.day(), &day)) return std::nullopt;
  switch (tp) {
    case v1::TIME_POINT_BASELINE:
    case v1::TIME_POINT_END:
      // CivilMinute normalises 600 minutes past midnight to 10:00.
      return absl::FromCivil(
          absl::CivilMinute(day.year(), day.month(), day.day(), 0, session.start_minute()), o.tz);
    case v1::TIME_POINT_FOLLOWUP_1M:
      return absl::FromCivil(AddMonths(day, 1), o.tz);
    case v1::TIME_POINT_FOLLOWUP_12M:
      return absl::FromCivil(AddMonths(day, 12), o.tz);
    default:
      return std::nullopt;
  }
}

v1::TimePointSchedule MakeTimePoint(const std::string& referral_id, const std::string& cohort_id,
                                    v1::TimePoint tp, absl::Time opens_at,
                                    const ScheduleOptions& o) {
  v1::TimePointSchedule s;
  s.set_referral_id(referral_id);
  s.set_cohort_id(cohort_id);
  s.set_time_point(tp);
  s.set_state(v1::TIME_POINT_STATE_SCHEDULED);
  SetTimestamp(opens_at, s.mutable_opens_at());
  SetTimestamp(opens_at + o.grace, s.mutable_overdue_at());
  SetTimestamp(opens_at + (IsFollowUp(tp) ? o.followup_window : o.window), s.mutable_closes_at());
  for (v1::Instrument i : InstrumentsAt(tp)) s.add_instruments(i);
  return s;
}

v1::TimePointState StateAt(const v1::TimePointSchedule& s, absl::Time now) {
  if (now < ToTime(s.opens_at())) return v1::TIME_POINT_STATE_SCHEDULED;
  if (now >= ToTime(s.closes_at())) return v1::TIME_POINT_STATE_CLOSED;
  const bool all_answered = std::all_of(s.instruments().begin(), s.instruments().end(), [&](int i) {
    return std::find(s.answered().begin(), s.answered().end(), i) != s.answered().end();
  });
  if (all_answered) return v1::TIME_POINT_STATE_ANSWERED;
  if (now >= ToTime(s.overdue_at())) return v1::TIME_POINT_STATE_OVERDUE;
  return v1::TIME_POINT_STATE_DUE;
}

absl::Status CheckSubmission(const v1::TimePointSchedule& s, v1::Instrument instrument,
                             absl::Time now, absl::TimeZone tz) {
  const std::string tp = v1::TimePoint_Name(s.time_point());
  if (instrument == v1::INSTRUMENT_UNSPECIFIED) {
    return absl::InvalidArgumentError("instrument: missing");
  }
  if (std::find(s.instruments().begin(), s.instruments().end(), instrument) ==
      s.instruments().end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("instrument: ", InstrumentName(instrument), " is not asked at ", tp));
  }
  if (now < ToTime(s.opens_at())) {
    return absl::FailedPreconditionError(
        absl::StrCat(tp, " opens ", LocalDay(ToTime(s.opens_at()), tz)));
  }
  if (now >= ToTime(s.closes_at())) {
    return absl::FailedPreconditionError(
        absl::StrCat(tp, " closed on ", LocalDay(ToTime(s.closes_at()), tz)));
  }
  return absl::OkStatus();
}

}  // namespace kpr::outcomes
