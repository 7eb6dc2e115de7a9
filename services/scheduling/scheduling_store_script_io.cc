#include "services/scheduling/scheduling_store_script_io.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "libs/identity/municipality.h"
#include "libs/store/retry_on_conflict.h"

namespace kpr::scheduling::script_io {

std::string Prefix(absl::string_view m) { return keys::Prefix(m); }

absl::Status CheckMunicipality(absl::string_view m) {
  if (!identity::IsMunicipalityCode(m)) {
    return absl::InvalidArgumentError("municipality must be a 4-digit code");
  }
  return absl::OkStatus();
}

absl::Status Require(bool ok, absl::string_view what) {
  return ok ? absl::OkStatus() : absl::InvalidArgumentError(what);
}

absl::StatusOr<int64_t> DayNumber(absl::string_view day) {
  absl::CivilDay d;
  if (!absl::ParseCivilTime(day, &d) || absl::FormatCivilTime(d) != day) {
    return absl::InvalidArgumentError(absl::StrCat("not an ISO day: \"", day, "\""));
  }
  return d - absl::CivilDay(1970, 1, 1);
}
int64_t DayNumber(absl::CivilDay d) { return d - absl::CivilDay(1970, 1, 1); }

google::protobuf::Timestamp ToTimestamp(int64_t unix_micros) {
  google::protobuf::Timestamp ts;
  int64_t s = unix_micros / 1000000, us = unix_micros % 1000000;
  if (us < 0) {
    s -= 1;
    us += 1000000;
  }
  ts.set_seconds(s);
  ts.set_nanos(static_cast<int32_t>(us * 1000));
  return ts;
}
int64_t Micros(const google::protobuf::Timestamp& ts) {
  return ts.seconds() * 1000000 + ts.nanos() / 1000;
}

v1::Enrollment MakeEnrollment(absl::string_view cohort_id, absl::string_view referral_id,
                              absl::string_view citizen_id, absl::Time now,
                              absl::Time accepted_at) {
  v1::Enrollment e;
  e.set_cohort_id(std::string(cohort_id));
  e.set_referral_id(std::string(referral_id));
  e.set_citizen_id(std::string(citizen_id));
  *e.mutable_enrolled_at() = ToTimestamp(absl::ToUnixMicros(now));
  *e.mutable_accepted_at() =
      ToTimestamp(absl::ToUnixMicros(accepted_at == absl::InfinitePast() ? now : accepted_at));
  return e;
}

absl::Status CheckEvents(const std::vector<OutboxEvent>& events) {
  for (const auto& e : events) {
    if (e.id.empty() || e.subject.empty()) {
      return absl::InvalidArgumentError("an event lacks its id or subject");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTimers(absl::string_view m, const std::vector<timer::Timer>& timers) {
  for (const auto& t : timers) {
    if (t.id.empty() || t.municipality != m || t.due == absl::InfinitePast() ||
        t.due == absl::InfiniteFuture()) {
      return absl::InvalidArgumentError("a timer lacks its id, municipality or finite due time");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSeats(const std::vector<WaitlistSeat>& seats) {
  for (const auto& s : seats) {
    if (s.referral_id.empty()) return absl::InvalidArgumentError("a seat lacks its referral id");
    if (auto st = CheckEvents({s.enrolled_event}); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status AddSession(Args& a, const v1::Session& s, absl::string_view m,
                        absl::string_view cohort_id, bool with_version) {
  if (s.session_id().empty()) return absl::InvalidArgumentError("a session lacks its id");
  if (!s.cohort_id().empty() && s.cohort_id() != cohort_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", s.session_id(), " belongs to another cohort"));
  }
  if (!s.municipality().empty() && s.municipality() != m) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", s.session_id(), " belongs to another municipality"));
  }
  if (s.start_minute() < 0 || s.end_minute() <= s.start_minute() || s.end_minute() > 24 * 60) {
    return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), ": bad time"));
  }
  if (s.venue_id().empty() || s.instructor_id().empty() || s.institution_id().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("session ", s.session_id(), " lacks venue, instructor or institution"));
  }
  if (s.status() != v1::SESSION_STATUS_SCHEDULED && s.status() != v1::SESSION_STATUS_CANCELLED) {
    return absl::InvalidArgumentError(absl::StrCat("session ", s.session_id(), ": bad status"));
  }
  auto dn = DayNumber(s.day());
  if (!dn.ok()) return dn.status();
  v1::Session stored = s;
  stored.set_cohort_id(std::string(cohort_id));
  stored.set_municipality(std::string(m));
  stored.clear_version();
  a.Add(s.session_id());
  if (with_version) a.Int(s.version());
  a.Int(s.index());
  a.Add(stored.SerializeAsString());
  a.Int(s.status());
  a.Add(s.change_reason());
  a.Add(s.day());
  a.Int(*dn);
  a.Int(s.start_minute());
  a.Int(s.end_minute());
  a.Add(s.institution_id());
  a.Add(s.venue_id());
  a.Add(s.instructor_id());
  return absl::OkStatus();
}

void AddSessionKeys(Args& a, const v1::Session& s, absl::string_view m) {
  a.Key(keys::Session(m, s.session_id()));
  a.Keys(keys::PlaceKeys(m, {s.day(), s.institution_id(), s.venue_id(), s.instructor_id()}));
}

namespace {
absl::Mutex hook_mu;
std::function<void()>* between_read_and_write ABSL_GUARDED_BY(hook_mu) = nullptr;
}  // namespace

void SetBetweenReadAndWriteForTesting(std::function<void()> hook) {
  absl::MutexLock lock(&hook_mu);
  delete between_read_and_write;
  between_read_and_write = hook ? new std::function<void()>(std::move(hook)) : nullptr;
}

absl::StatusOr<store::RedisReply> UntilFresh(store::RedisPool& pool,
                                             const std::function<Prepared()>& prepare) {
  for (int i = 1;; ++i) {
    if (i > 1) absl::SleepFor(store::ConflictBackoff(i));
    Prepared call = prepare();
    if (!call.ok()) return call.status();
    if (!call->has_value()) return store::RedisReply();
    std::function<void()> hook;
    {
      absl::MutexLock lock(&hook_mu);
      if (between_read_and_write != nullptr) hook = *between_read_and_write;
    }
    if (hook) hook();
    const store::RedisPool::ScriptCall& c = **call;
    absl::StatusOr<store::RedisReply> reply = pool.Eval(*c.script, c.keys, c.args);
    if (!reply.ok() || Code(*reply) != "stale") return reply;
    if (i >= store::kMaxConflictAttempts) {
      return absl::AbortedError(
          absl::StrCat("scheduling: kept changing while read: ", reply->element(1).str()));
    }
  }
}

absl::StatusOr<std::vector<store::RedisReply>> Read(
    store::RedisPool& pool, const std::vector<std::vector<std::string>>& commands) {
  auto replies = pool.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const store::RedisReply& r : *replies) {
    if (r.is_error()) return store::RedisErrorStatus(r.str());
  }
  return replies;
}

absl::StatusOr<std::string> CohortProgram(store::RedisPool& pool, absl::string_view m,
                                          absl::string_view cohort_id) {
  auto r = pool.Command({"HGET", keys::Cohort(m, cohort_id), "prog"});
  if (!r.ok()) return r.status();
  return r->string();
}

absl::StatusOr<std::string> EnrolledCohort(store::RedisPool& pool, absl::string_view m,
                                           absl::string_view program_id,
                                           absl::string_view referral_id) {
  auto r = pool.Command({"HGET", keys::ProgramEnrolments(m, program_id), std::string(referral_id)});
  if (!r.ok()) return r.status();
  return r->string();
}

void AddCohortAndProgram(Args& a, absl::string_view m, absl::string_view cohort_id,
                         const std::string& program_id) {
  a.Add(program_id);
  a.Keys(keys::CohortKeys(m, cohort_id));
  a.Keys(keys::ProgramKeys(m, program_id));
}

absl::Status ResolveBookedCohorts(store::RedisPool& pool, absl::string_view m,
                                  std::vector<BookingConflict>& conflicts) {
  std::vector<std::vector<std::string>> cmds;
  std::vector<BookingConflict*> asked;
  for (BookingConflict& c : conflicts) {
    if (c.booked_cohort_id != "*") continue;
    cmds.push_back({"HGET", keys::Session(m, c.booked_session_id), "c"});
    asked.push_back(&c);
  }
  if (cmds.empty()) return absl::OkStatus();
  auto replies = pool.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < asked.size(); ++i) asked[i]->booked_cohort_id = (*replies)[i].string();
  return absl::OkStatus();
}

int64_t Int(const store::RedisReply& r) {
  if (r.is_integer()) return r.integer();
  int64_t v = 0;
  (void)absl::SimpleAtoi(r.str(), &v);
  return v;
}

absl::StatusOr<v1::Cohort> DecodeCohort(const store::RedisReply& r, size_t at) {
  if (r.size() < at + kCohortRow) return absl::InternalError("scheduling: short cohort row");
  v1::Cohort c;
  if (!Parse(c, r.element(at))) return absl::DataLossError("a cohort does not decode");
  c.set_version(Int(r.element(at + 1)));
  c.set_status(static_cast<v1::CohortStatus>(Int(r.element(at + 2))));
  c.set_cancel_reason(r.element(at + 3).string());
  c.set_capacity(static_cast<int32_t>(Int(r.element(at + 4))));
  if (!r.element(at + 5).str().empty()) c.set_first_day(r.element(at + 5).string());
  if (!r.element(at + 6).str().empty()) c.set_last_day(r.element(at + 6).string());
  c.set_session_count(static_cast<int32_t>(Int(r.element(at + 7))));
  c.set_enrolled_count(static_cast<int32_t>(Int(r.element(at + 8))));
  return c;
}

absl::StatusOr<v1::Session> DecodeSession(const store::RedisReply& r, size_t at) {
  if (r.size() < at + kSessionRow) return absl::InternalError("scheduling: short session row");
  v1::Session s;
  if (!Parse(s, r.element(at))) return absl::DataLossError("a session does not decode");
  s.set_version(Int(r.element(at + 1)));
  s.set_status(static_cast<v1::SessionStatus>(Int(r.element(at + 2))));
  s.set_change_reason(r.element(at + 3).string());
  return s;
}

absl::StatusOr<std::vector<v1::Session>> DecodeSessions(const store::RedisReply& r, size_t at,
                                                        size_t count) {
  std::vector<v1::Session> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    auto s = DecodeSession(r, at + i * kSessionRow);
    if (!s.ok()) return s.status();
    out.push_back(*std::move(s));
  }
  return out;
}

absl::StatusOr<v1::Enrollment> DecodeEnrollment(const store::RedisReply& r) {
  v1::Enrollment e;
  if (!Parse(e, r)) return absl::DataLossError("an enrolment does not decode");
  return e;
}

absl::StatusOr<v1::WaitlistEntry> DecodeWaitlistEntry(const store::RedisReply& r, size_t at,
                                                      int position) {
  v1::WaitlistEntry w;
  if (!Parse(w, r.element(at))) return absl::DataLossError("a waitlist entry does not decode");
  w.set_position(position);
  *w.mutable_waitlisted_at() = ToTimestamp(Int(r.element(at + 1)));
  return w;
}

std::vector<BookingConflict> DecodeConflicts(const store::RedisReply& r, size_t at) {
  std::vector<BookingConflict> out;
  for (size_t i = at; i + 8 <= r.size(); i += 8) {
    BookingConflict c;
    c.session_id = r.element(i).string();
    c.booked_session_id = r.element(i + 1).string();
    c.booked_cohort_id = r.element(i + 2).string();
    c.resource = r.element(i + 3).str() == "i" ? BookingConflict::Resource::kInstructor
                                               : BookingConflict::Resource::kVenue;
    c.resource_id = r.element(i + 4).string();
    c.day = r.element(i + 5).string();
    c.start_minute = static_cast<int>(Int(r.element(i + 6)));
    c.end_minute = static_cast<int>(Int(r.element(i + 7)));
    out.push_back(std::move(c));
  }
  return out;
}

std::string Code(const store::RedisReply& r) {
  if (!r.is_array() || r.size() == 0) return "";
  return r.element(0).string();
}

absl::Status ScriptError(const store::RedisReply& r, absl::string_view script) {
  std::string code = Code(r);
  std::string msg = r.size() > 1 ? r.element(1).string() : code;
  if (code == "not_found") return absl::NotFoundError(msg);
  if (code == "aborted") return absl::AbortedError(msg);
  if (code == "precondition") return absl::FailedPreconditionError(msg);
  if (code == "exists") return absl::AlreadyExistsError(msg);
  if (code == "invalid") return absl::InvalidArgumentError(msg);
  return absl::InternalError(absl::StrCat(script, ": unexpected reply \"", code, "\""));
}

}  // namespace kpr::scheduling::script_io
