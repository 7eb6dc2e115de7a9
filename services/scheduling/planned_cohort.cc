#include "services/scheduling/planned_cohort.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "kpr/scheduling/v1/events.pb.h"
#include "libs/calendar/iso_week.h"
#include "libs/privacy/sha256.h"
#include "services/scheduling/catalog_mapping.h"
#include "services/scheduling/cohort_lifecycle.h"

namespace kpr::scheduling {
namespace {

google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(t));
}

}  // namespace

std::string CohortIdFor(const std::string& m, const std::string& program_id, int year, int week,
                        const std::string& request_id) {
  std::string program = program_id.substr(0, 24);
  return absl::StrCat(m, "-", program, "-", year, "w", week < 10 ? "0" : "", week, "-",
                      privacy::Sha256Hex(absl::StrCat(m, "|", request_id)).substr(0, 8));
}

std::string SessionIdFor(const std::string& cohort_id, int index) {
  return absl::StrCat(cohort_id, "-s", index + 1 < 10 ? "0" : "", index + 1);
}

CohortCommit PlannedCohortCommit(const NewCohort& in, const ProgramModel& program, const Plan& plan,
                                 const EventStamp& stamp) {
  const std::string& m = stamp.municipality;
  CohortCommit commit;
  commit.request_id = in.request_id;
  v1::Cohort& c = commit.cohort;
  c.set_municipality(m);
  c.set_cohort_id(in.cohort_id);
  c.set_program_id(in.program_id);
  c.set_name(in.name.empty() ? absl::StrCat(program.name, " ",
                                            calendar::IsoWeekLabel(calendar::MondayOfIsoWeek(
                                                in.start_iso_year, in.start_iso_week)))
                             : in.name);
  c.set_status(v1::COHORT_STATUS_PLANNED);
  c.set_start_iso_year(in.start_iso_year);
  c.set_start_iso_week(in.start_iso_week);
  c.set_capacity(in.capacity > 0 ? in.capacity : program.max_cohort_size);
  c.set_min_size(program.min_cohort_size);
  c.set_score(plan.score);
  for (const auto& v : plan.soft_violations) *c.add_soft_violations() = ToSoftViolationProto(v);
  *c.mutable_created_at() = Ts(stamp.at);
  *c.mutable_opens_at() = Ts(in.opens_at);
  for (const auto& s : plan.sessions) {
    commit.sessions.push_back(
        ToSessionProto(s, in.cohort_id, m, SessionIdFor(in.cohort_id, s.index)));
  }
  if (!commit.sessions.empty()) {
    c.set_first_day(commit.sessions.front().day());
    c.set_last_day(commit.sessions.back().day());
    c.set_session_count(static_cast<int>(commit.sessions.size()));
  }
  v1::CohortPlanned planned;
  *planned.mutable_cohort() = c;
  for (const auto& s : commit.sessions) *planned.add_sessions() = s;
  commit.events.push_back(
      StampEvent(stamp, absl::StrCat(in.cohort_id, ":planned"), "cohort_planned", planned));
  for (const auto& s : commit.sessions) {
    v1::SessionScheduled e;
    *e.mutable_session() = s;
    e.mutable_session()->set_version(1);
    commit.events.push_back(
        StampEvent(stamp, absl::StrCat(s.session_id(), ":v1:scheduled"), "session_scheduled", e));
  }
  commit.timers = LifecycleTimers(c, commit.sessions);
  commit.timers.push_back({m, OpenTimerId(in.cohort_id), in.opens_at, "", 0});
  return commit;
}

}  // namespace kpr::scheduling
