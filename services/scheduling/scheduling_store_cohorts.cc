// SchedulingStore's cohorts and sessions: booking a cohort, its timetable and the week views,
// moving and cancelling sessions, and the cohort's lifecycle.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_store_lua.h"
#include "services/scheduling/scheduling_store_script_io.h"

namespace kpr::scheduling {
namespace {

using script_io::AddSession;
using script_io::Args;
using script_io::CheckEvents;
using script_io::CheckMunicipality;
using script_io::CheckSeats;
using script_io::CheckTimers;
using script_io::Code;
using script_io::DayNumber;
using script_io::DecodeCohort;
using script_io::DecodeConflicts;
using script_io::DecodeEnrollment;
using script_io::DecodeSession;
using script_io::DecodeSessions;
using script_io::Int;
using script_io::kCohortRow;
using script_io::kSessionRow;
using script_io::Prefix;
using script_io::Require;
using script_io::ScriptError;
using script_io::WriteKeys;
using store::RedisReply;

constexpr int kListScanLimit = 5000;

// The outcome and the cohort of a transition or cancel script's reply {code, cohort row, ...}.
absl::StatusOr<TransitionResult> DecodeLifecycleReply(const RedisReply& r,
                                                      absl::string_view cohort_id,
                                                      absl::string_view script) {
  std::string code = Code(r);
  if (code != "ok" && code != "same" && code != "dup") return ScriptError(r, script);
  if (r.size() < 1 + kCohortRow) return absl::NotFoundError(absl::StrCat("cohort ", cohort_id));
  TransitionResult result;
  result.outcome = code == "ok"     ? TransitionResult::Outcome::kChanged
                   : code == "same" ? TransitionResult::Outcome::kAlreadyThere
                                    : TransitionResult::Outcome::kDuplicateTrigger;
  auto cohort = DecodeCohort(r, 1);
  if (!cohort.ok()) return cohort.status();
  result.cohort = *std::move(cohort);
  return result;
}

}  // namespace

absl::StatusOr<CommitResult> SchedulingStore::CommitCohort(const CohortCommit& commit) {
  const v1::Cohort& c = commit.cohort;
  const std::string& m = c.municipality();
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!c.cohort_id().empty() && !c.program_id().empty(),
                       "cohort lacks its id or program");
      !s.ok()) {
    return s;
  }
  if (auto s = Require(!commit.request_id.empty(), "request_id required"); !s.ok()) return s;
  if (auto s =
          Require(c.status() == v1::COHORT_STATUS_PLANNED || c.status() == v1::COHORT_STATUS_OPEN,
                  "a new cohort is PLANNED or OPEN");
      !s.ok()) {
    return s;
  }
  if (auto s = Require(c.capacity() > 0, "capacity must be positive"); !s.ok()) return s;
  if (auto s = Require(!commit.sessions.empty(), "a cohort needs sessions"); !s.ok()) return s;
  if (auto s = CheckEvents(commit.events); !s.ok()) return s;
  if (auto s = CheckTimers(m, commit.timers); !s.ok()) return s;
  if (auto s = Require(c.status() == v1::COHORT_STATUS_OPEN || commit.fill_from_waitlist.empty(),
                       "fill_from_waitlist only for a cohort created OPEN");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckSeats(commit.fill_from_waitlist); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;

  absl::Time now = clock_();
  Args a(m, "", now);
  a.Add(commit.request_id);
  a.Add(c.cohort_id());
  v1::Cohort stored = c;
  stored.clear_version();
  stored.clear_enrolled_count();
  stored.clear_cancel_reason();
  a.Add(stored.SerializeAsString());
  a.Int(c.status());
  a.Int(c.capacity());
  a.Add(c.program_id());
  a.Int(commit.sessions.size());
  absl::flat_hash_set<std::string> ids;
  for (const v1::Session& s : commit.sessions) {
    if (s.status() != v1::SESSION_STATUS_SCHEDULED) {
      return absl::InvalidArgumentError("new sessions must be SCHEDULED");
    }
    if (!ids.insert(s.session_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), " twice"));
    }
    if (auto st = AddSession(a, s, m, c.cohort_id(), false); !st.ok()) return st;
  }
  a.Events(commit.events);
  a.Timers(commit.timers);
  a.Seats(c.cohort_id(), commit.fill_from_waitlist, now);

  auto reply = pool_.Eval(lua::Commit(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  CommitResult result;
  if (code == "conflict") {
    result.outcome = CommitResult::Outcome::kConflict;
    result.conflicts = DecodeConflicts(*reply, 1);
    return result;
  }
  if (code != "ok" && code != "dupreq") return ScriptError(*reply, "scheduling_commit");
  result.outcome =
      code == "ok" ? CommitResult::Outcome::kCreated : CommitResult::Outcome::kAlreadyCommitted;
  auto cohort = DecodeCohort(*reply, 1);
  if (!cohort.ok()) return cohort.status();
  result.cohort = *std::move(cohort);
  size_t n = static_cast<size_t>(Int(reply->element(1 + kCohortRow)));
  auto sessions = DecodeSessions(*reply, 2 + kCohortRow, n);
  if (!sessions.ok()) return sessions.status();
  result.sessions = *std::move(sessions);
  for (size_t i = 2 + kCohortRow + n * kSessionRow; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    result.filled.push_back(*std::move(e));
  }
  return result;
}

absl::StatusOr<v1::Cohort> SchedulingStore::GetCohort(absl::string_view municipality,
                                                      absl::string_view cohort_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::GetCohorts(), {}, {Prefix(municipality), std::string(cohort_id)});
  if (!reply.ok()) return reply.status();
  if (reply->size() < 1 || reply->element(0).str() != "1") {
    return absl::NotFoundError(absl::StrCat("cohort ", cohort_id));
  }
  return DecodeCohort(*reply, 1);
}

absl::StatusOr<CohortPage> SchedulingStore::ListCohorts(const CohortQuery& q) {
  if (auto s = CheckMunicipality(q.municipality); !s.ok()) return s;
  std::string cursor_score, cursor_id;
  if (!q.page_token.empty()) {
    size_t colon = q.page_token.find(':');
    int64_t score;
    if (colon == std::string::npos || colon + 1 == q.page_token.size() ||
        !absl::SimpleAtoi(absl::string_view(q.page_token).substr(0, colon), &score)) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    cursor_score = q.page_token.substr(0, colon);
    cursor_id = q.page_token.substr(colon + 1);
  }
  std::string index = "cohorts";
  if (!q.program_id.empty()) {
    index = q.status == v1::COHORT_STATUS_OPEN ? absl::StrCat("open:", q.program_id)
                                               : absl::StrCat("cohorts:p:", q.program_id);
  }
  int size = q.page_size <= 0 ? 100 : std::min(q.page_size, 500);
  auto reply = pool_.Eval(
      lua::ListCohorts(), {},
      {Prefix(q.municipality), index, std::to_string(q.status), std::to_string(size), cursor_score,
       cursor_id, q.descending ? "1" : "0", std::to_string(kListScanLimit)});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != 2) {
    return absl::InternalError("scheduling_list_cohorts: unexpected reply");
  }
  CohortPage page;
  RedisReply rows = reply->element(0);
  for (size_t i = 0; i + kCohortRow <= rows.size(); i += kCohortRow) {
    auto c = DecodeCohort(rows, i);
    if (!c.ok()) return c.status();
    page.cohorts.push_back(*std::move(c));
  }
  page.next_page_token = reply->element(1).string();
  return page;
}

absl::StatusOr<v1::Session> SchedulingStore::GetSession(absl::string_view municipality,
                                                        absl::string_view session_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::GetSessions(), {}, {Prefix(municipality), std::string(session_id)});
  if (!reply.ok()) return reply.status();
  if (reply->size() < 1 || reply->element(0).str() != "1") {
    return absl::NotFoundError(absl::StrCat("session ", session_id));
  }
  return DecodeSession(*reply, 1);
}

absl::StatusOr<std::vector<v1::Session>> SchedulingStore::ListSessions(const SessionQuery& q) {
  if (auto s = CheckMunicipality(q.municipality); !s.ok()) return s;
  if (q.id.empty()) return absl::InvalidArgumentError("ListSessions: empty id");
  std::string p = Prefix(q.municipality);
  const char* inc = q.include_cancelled ? "1" : "0";
  if (q.by == SessionQuery::By::kCohort) {
    auto reply = pool_.Eval(lua::CohortSessions(), {}, {p, q.id, inc});
    if (!reply.ok()) return reply.status();
    if (Code(*reply) != "ok") return absl::NotFoundError(absl::StrCat("cohort ", q.id));
    return DecodeSessions(*reply, 1, (reply->size() - 1) / kSessionRow);
  }
  if (q.from > q.to) return absl::InvalidArgumentError("ListSessions: from after to");
  std::string index;
  switch (q.by) {
    case SessionQuery::By::kInstitution:
      index = absl::StrCat("sn:", q.id);
      break;
    case SessionQuery::By::kVenue:
      index = absl::StrCat("sv:", q.id);
      break;
    default:
      index = absl::StrCat("si:", q.id);
      break;
  }
  auto reply = pool_.Eval(lua::RangeSessions(), {},
                          {p, index, std::to_string(DayNumber(q.from) * 1440),
                           std::to_string((DayNumber(q.to) + 1) * 1440), inc});
  if (!reply.ok()) return reply.status();
  return DecodeSessions(*reply, 0, reply->size() / kSessionRow);
}

absl::StatusOr<std::vector<v1::Session>> SchedulingStore::LoadBookings(
    absl::string_view municipality, absl::CivilDay from, absl::CivilDay to) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  if (from > to) return std::vector<v1::Session>();
  auto reply = pool_.Eval(lua::RangeSessions(), {},
                          {Prefix(municipality), "sd", std::to_string(DayNumber(from) * 1440),
                           std::to_string((DayNumber(to) + 1) * 1440), "0"});
  if (!reply.ok()) return reply.status();
  return DecodeSessions(*reply, 0, reply->size() / kSessionRow);
}

absl::StatusOr<SessionsUpdateResult> SchedulingStore::UpdateSessions(const SessionsUpdate& u) {
  const std::string& m = u.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!u.cohort_id.empty() && !u.sessions.empty(),
                       "UpdateSessions: cohort id and sessions required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(u.events); !s.ok()) return s;
  if (auto s = CheckTimers(m, u.timers); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;

  Args a(m, u.trigger_id, clock_());
  a.Add(u.cohort_id);
  if (u.cohort.has_value()) {
    v1::Cohort stored = *u.cohort;
    stored.clear_version();
    stored.clear_enrolled_count();
    stored.clear_cancel_reason();
    a.Add("1");
    a.Add(stored.SerializeAsString());
  } else {
    a.Add("0");
    a.Add("");
  }
  a.Int(u.sessions.size());
  absl::flat_hash_set<std::string> ids;
  for (const v1::Session& s : u.sessions) {
    if (!ids.insert(s.session_id()).second) {
      return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), " twice"));
    }
    if (auto st = AddSession(a, s, m, u.cohort_id, true); !st.ok()) return st;
  }
  a.Events(u.events);
  a.Timers(u.timers);
  a.List(u.cancel_timer_ids);

  auto reply = pool_.Eval(lua::UpdateSessions(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  SessionsUpdateResult result;
  if (code == "dup") {
    result.outcome = SessionsUpdateResult::Outcome::kDuplicateTrigger;
    return result;
  }
  if (code == "conflict") {
    result.outcome = SessionsUpdateResult::Outcome::kConflict;
    result.conflicts = DecodeConflicts(*reply, 1);
    return result;
  }
  if (code != "ok") return ScriptError(*reply, "scheduling_update_sessions");
  for (const v1::Session& s : u.sessions) {
    v1::Session stored = s;
    stored.set_cohort_id(u.cohort_id);
    stored.set_municipality(m);
    stored.set_version(s.version() + 1);
    result.sessions.push_back(std::move(stored));
  }
  return result;
}

absl::StatusOr<TransitionResult> SchedulingStore::TransitionCohort(const CohortTransition& t) {
  const std::string& m = t.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!t.cohort_id.empty(), "cohort id required"); !s.ok()) return s;
  if (auto s = Require(t.to == v1::COHORT_STATUS_OPEN || t.to == v1::COHORT_STATUS_RUNNING ||
                           t.to == v1::COHORT_STATUS_COMPLETED,
                       "TransitionCohort goes to OPEN, RUNNING or COMPLETED");
      !s.ok()) {
    return s;
  }
  if (auto s = Require(t.to == v1::COHORT_STATUS_OPEN || t.fill_from_waitlist.empty(),
                       "fill_from_waitlist only with to == OPEN");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(t.events); !s.ok()) return s;
  if (auto s = CheckTimers(m, t.timers); !s.ok()) return s;
  if (auto s = CheckSeats(t.fill_from_waitlist); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;

  absl::Time now = clock_();
  Args a(m, t.trigger_id, now);
  a.Add(t.cohort_id);
  a.Int(t.to);
  a.Int(t.expected_version);
  std::vector<std::string> allowed;
  for (v1::CohortStatus st : t.allowed_from) allowed.push_back(std::to_string(st));
  a.List(allowed);
  a.Events(t.events);
  a.Timers(t.timers);
  a.List(t.cancel_timer_ids);
  a.Seats(t.cohort_id, t.fill_from_waitlist, now);

  auto reply = pool_.Eval(lua::Transition(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  auto result = DecodeLifecycleReply(*reply, t.cohort_id, "scheduling_transition");
  if (!result.ok()) return result;
  for (size_t i = 1 + kCohortRow; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    result->filled.push_back(*std::move(e));
  }
  return result;
}

absl::StatusOr<TransitionResult> SchedulingStore::CancelCohort(const CohortCancel& c) {
  const std::string& m = c.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!c.cohort_id.empty(), "cohort id required"); !s.ok()) return s;
  if (auto s = CheckEvents(c.events); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  Args a(m, c.trigger_id, clock_());
  a.Add(c.cohort_id);
  a.Add(c.reason);
  a.Int(c.expected_version);
  a.Events(c.events);
  auto reply = pool_.Eval(lua::Cancel(), WriteKeys(m), a.args());
  if (!reply.ok()) return reply.status();
  return DecodeLifecycleReply(*reply, c.cohort_id, "scheduling_cancel");
}

}  // namespace kpr::scheduling
