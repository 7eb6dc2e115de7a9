// SchedulingStore's cohorts and sessions: booking a cohort, moving and cancelling sessions, and
// the cohort's lifecycle (the reads are in scheduling_store_reads.cc).

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/scheduling/scheduling_keys.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_store_lua.h"
#include "services/scheduling/scheduling_store_script_io.h"

namespace kpr::scheduling {
namespace {

using script_io::AddCohortAndProgram;
using script_io::AddSession;
using script_io::AddSessionKeys;
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
using script_io::Require;
using script_io::ResolveBookedCohorts;
using script_io::ScriptError;
using script_io::UntilFresh;
using store::RedisReply;

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

// A cohort's timetable as read (ZRANGE reply): n, the session ids and their keys.
void AddTimetable(Args& a, absl::string_view m, const RedisReply& timetable) {
  a.Int(timetable.size());
  for (size_t i = 0; i < timetable.size(); ++i) {
    a.Add(timetable.element(i).string());
    a.Key(keys::Session(m, timetable.element(i).str()));
  }
}

// A repeated request: the cohort it created then, as it is now.
absl::StatusOr<CommitResult> CommittedBefore(SchedulingStore& store, absl::string_view m,
                                             absl::string_view cohort_id) {
  CommitResult result;
  result.outcome = CommitResult::Outcome::kAlreadyCommitted;
  auto cohort = store.GetCohort(m, cohort_id);
  if (!cohort.ok()) return cohort.status();
  result.cohort = *std::move(cohort);
  SessionQuery q;
  q.municipality = std::string(m);
  q.by = SessionQuery::By::kCohort;
  q.id = std::string(cohort_id);
  q.include_cancelled = true;
  auto sessions = store.ListSessions(q);
  if (!sessions.ok()) return sessions.status();
  result.sessions = *std::move(sessions);
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
  a.Key(keys::Requests(m));
  a.Keys(keys::CohortKeys(m, c.cohort_id()));
  a.Keys(keys::ProgramKeys(m, c.program_id()));
  for (const v1::Session& s : commit.sessions) AddSessionKeys(a, s, m);

  auto reply = pool_.Eval(lua::Commit(), a.keys(), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  CommitResult result;
  if (code == "conflict") {
    result.outcome = CommitResult::Outcome::kConflict;
    result.conflicts = DecodeConflicts(*reply, 1);
    if (auto s = ResolveBookedCohorts(pool_, m, result.conflicts); !s.ok()) return s;
    return result;
  }
  if (code == "dupreq") return CommittedBefore(*this, m, reply->element(1).string());
  if (code != "ok") return ScriptError(*reply, "scheduling_commit");
  result.outcome = CommitResult::Outcome::kCreated;
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
  for (const v1::Session& s : u.sessions) AddSessionKeys(a, s, m);

  // Read the cohort's program and timetable and where the sessions are, to declare their keys.
  auto reply = UntilFresh(pool_, [&]() -> script_io::Prepared {
    const std::string& cid = u.cohort_id;
    std::vector<std::vector<std::string>> reads = {{"HGET", keys::Cohort(m, cid), "prog"},
                                                   {"ZRANGE", keys::Timetable(m, cid), "0", "-1"}};
    for (const v1::Session& s : u.sessions) {
      reads.push_back(
          {"HMGET", keys::Session(m, s.session_id()), "v", "day", "inst", "ven", "ins"});
    }
    auto r = script_io::Read(pool_, reads);
    if (!r.ok()) return r.status();
    Args b = a;
    AddCohortAndProgram(b, m, cid, (*r)[0].string());
    AddTimetable(b, m, (*r)[1]);
    for (size_t i = 0; i < u.sessions.size(); ++i) {
      const RedisReply& o = (*r)[2 + i];
      b.Add(o.element(0).string());
      if (o.element(0).is_nil()) {
        for (int k = 0; k < 5; ++k) b.Key(keys::Session(m, u.sessions[i].session_id()));
      } else {
        b.Keys(keys::PlaceKeys(m, {o.element(1).string(), o.element(2).string(),
                                   o.element(3).string(), o.element(4).string()}));
      }
    }
    return b.Call(lua::UpdateSessions());
  });
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
    if (auto s = ResolveBookedCohorts(pool_, m, result.conflicts); !s.ok()) return s;
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

  auto reply = UntilFresh(pool_, [&]() -> script_io::Prepared {
    auto prog = script_io::CohortProgram(pool_, m, t.cohort_id);
    if (!prog.ok()) return prog.status();
    Args b = a;
    AddCohortAndProgram(b, m, t.cohort_id, *prog);
    return b.Call(lua::Transition());
  });
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
  // Read the cohort's program, its timetable and each session's bookings, to declare their keys.
  auto reply = UntilFresh(pool_, [&]() -> script_io::Prepared {
    auto r = script_io::Read(pool_, {{"HGET", keys::Cohort(m, c.cohort_id), "prog"},
                                     {"ZRANGE", keys::Timetable(m, c.cohort_id), "0", "-1"}});
    if (!r.ok()) return r.status();
    const RedisReply& timetable = (*r)[1];
    std::vector<std::vector<std::string>> reads;
    for (size_t i = 0; i < timetable.size(); ++i) {
      reads.push_back(
          {"HMGET", keys::Session(m, timetable.element(i).str()), "v", "st", "day", "ven", "ins"});
    }
    auto sessions = script_io::Read(pool_, reads);
    if (!sessions.ok()) return sessions.status();
    Args b = a;
    AddCohortAndProgram(b, m, c.cohort_id, (*r)[0].string());
    b.Int(timetable.size());
    for (size_t i = 0; i < timetable.size(); ++i) {
      const std::string sid = timetable.element(i).string();
      const RedisReply& o = (*sessions)[i];
      b.Add(sid);
      b.Key(keys::Session(m, sid));
      b.Add(o.element(0).string());
      if (o.element(1).str() == "1") {  // SCHEDULED: it holds its venue and instructor
        b.Key(keys::VenueBookings(m, o.element(3).str(), o.element(2).str()));
        b.Key(keys::InstructorBookings(m, o.element(4).str(), o.element(2).str()));
      } else {
        b.Key(keys::Session(m, sid));
        b.Key(keys::Session(m, sid));
      }
    }
    return b.Call(lua::Cancel());
  });
  if (!reply.ok()) return reply.status();
  return DecodeLifecycleReply(*reply, c.cohort_id, "scheduling_cancel");
}

}  // namespace kpr::scheduling
