#ifndef KPR_SERVICES_OUTCOMES_VERSIONED_RECORDS_H_
#define KPR_SERVICES_OUTCOMES_VERSIONED_RECORDS_H_

// The outcomes records as a desk holds them between reading and committing: each with the
// version it was read at, which the commit checks (optimistic concurrency). Plus the small
// look-ups and conversions the decisions share. Pure; no I/O.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "kpr/outcomes/v1/outcomes.pb.h"
#include "kpr/outcomes/v1/records.pb.h"
#include "services/outcomes/outcomes_store.h"

namespace kpr::outcomes {

template <typename T>
struct Versioned {
  T record;
  int64_t version = 0;  // 0 = does not exist yet
};
using Cohort = Versioned<v1::CohortRecord>;
using Participant = Versioned<v1::ParticipantRecord>;  // opened: the stored one is sealed
using Funnel = Versioned<v1::FunnelRecord>;
using Attendance = Versioned<v1::SessionAttendance>;  // opened, like a participant

// A stored cohort record (absent: version 0). DATA_LOSS "cohort record <id> does not decode".
absl::StatusOr<Cohort> ParseCohort(const std::optional<StoredRecord>& stored,
                                   const std::string& cohort_id);
// A stored funnel record (absent: version 0). DATA_LOSS "funnel record does not decode".
absl::StatusOr<Funnel> ParseFunnel(const std::optional<StoredRecord>& stored);

// The participant's entry for the time point, or null.
v1::TimePointSchedule* FindTimePoint(v1::ParticipantRecord& p, v1::TimePoint tp);
// The participant's answer to the instrument at the time point, or null.
v1::Questionnaire* FindAnswer(v1::ParticipantRecord& p, v1::Instrument instrument,
                              v1::TimePoint tp);

// A record's day "YYYY-MM-DD"; false if it is not one.
bool ParseDay(const std::string& s, absl::CivilDay* day);
// The score of a day in the program's cohort index.
int64_t DaysSinceEpoch(absl::CivilDay day);

// Records keep whole seconds.
google::protobuf::Timestamp ToProto(absl::Time t);
absl::Time FromProto(const google::protobuf::Timestamp& ts);

}  // namespace kpr::outcomes

#endif  // KPR_SERVICES_OUTCOMES_VERSIONED_RECORDS_H_
