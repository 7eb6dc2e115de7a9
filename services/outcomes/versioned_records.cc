#include "services/outcomes/versioned_records.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace kpr::outcomes {

absl::StatusOr<Cohort> ParseCohort(const std::optional<StoredRecord>& stored,
                                   const std::string& cohort_id) {
  Cohort c;
  if (!stored) return c;
  c.version = stored->version;
  if (!c.record.ParseFromString(stored->data)) {
    return absl::DataLossError(absl::StrCat("cohort record ", cohort_id, " does not decode"));
  }
  return c;
}

absl::StatusOr<Funnel> ParseFunnel(const std::optional<StoredRecord>& stored) {
  Funnel f;
  if (!stored) return f;
  f.version = stored->version;
  if (!f.record.ParseFromString(stored->data))
    return absl::DataLossError("funnel record does not decode");
  return f;
}

v1::TimePointSchedule* FindTimePoint(v1::ParticipantRecord& p, v1::TimePoint tp) {
  for (v1::TimePointSchedule& s : *p.mutable_schedule()) {
    if (s.time_point() == tp) return &s;
  }
  return nullptr;
}

v1::Questionnaire* FindAnswer(v1::ParticipantRecord& p, v1::Instrument instrument,
                              v1::TimePoint tp) {
  for (v1::Questionnaire& q : *p.mutable_answers()) {
    if (q.instrument() == instrument && q.time_point() == tp) return &q;
  }
  return nullptr;
}

bool ParseDay(const std::string& s, absl::CivilDay* day) { return absl::ParseCivilTime(s, day); }

int64_t DaysSinceEpoch(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds());
}

}  // namespace kpr::outcomes
