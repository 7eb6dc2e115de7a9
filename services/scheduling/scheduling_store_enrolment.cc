// SchedulingStore's enrolment: explicit enrolment and automatic placement, unenrolment and the
// programs' waitlists (the reads are in scheduling_store_reads.cc).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/scheduling/scheduling_keys.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_store_lua.h"
#include "services/scheduling/scheduling_store_script_io.h"

namespace kpr::scheduling {
namespace {

using script_io::Args;
using script_io::CheckEvents;
using script_io::CheckMunicipality;
using script_io::CheckSeats;
using script_io::Code;
using script_io::DecodeEnrollment;
using script_io::Int;
using script_io::MakeEnrollment;
using script_io::Parse;
using script_io::Require;
using script_io::ScriptError;
using script_io::ToTimestamp;
using script_io::UntilFresh;
using store::RedisReply;

// Replies of the enroll and place scripts.
absl::StatusOr<EnrollResult> DecodeEnrollReply(const RedisReply& r, absl::string_view script) {
  std::string code = Code(r);
  EnrollResult result;
  if (code == "enrolled" || code == "already_enrolled") {
    result.outcome = code == "enrolled" ? EnrollResult::Outcome::kEnrolled
                                        : EnrollResult::Outcome::kAlreadyEnrolled;
    auto e = DecodeEnrollment(r.element(2));
    if (!e.ok()) return e.status();
    result.enrollment = *std::move(e);
    return result;
  }
  if (code == "waitlisted" || code == "already_waitlisted") {
    result.outcome = code == "waitlisted" ? EnrollResult::Outcome::kWaitlisted
                                          : EnrollResult::Outcome::kAlreadyWaitlisted;
    v1::WaitlistEntry w;
    if (!Parse(w, r.element(1))) return absl::DataLossError("a waitlist entry does not decode");
    w.set_position(static_cast<int32_t>(Int(r.element(2))));
    *w.mutable_waitlisted_at() = ToTimestamp(Int(r.element(3)));
    result.waitlisted = std::move(w);
    return result;
  }
  return ScriptError(r, script);
}

// A repeated trigger of Enroll or Place wrote nothing: the answer is where the referral is now.
absl::StatusOr<EnrollResult> DuplicateTriggerResult(SchedulingStore& store, absl::string_view m,
                                                    absl::string_view referral_id) {
  EnrollResult result;
  result.outcome = EnrollResult::Outcome::kDuplicateTrigger;
  auto p = store.FindPlacement(m, referral_id);
  if (!p.ok()) return p.status();
  if (p->has_value()) {
    result.enrollment = (*p)->enrollment;
    result.waitlisted = (*p)->waitlisted;
  }
  return result;
}

// The cohort the referral was read enrolled in for the program ("" none) and that cohort's
// enr key (none: the program's pe key, declared anyway, so the count of keys stays fixed).
void AddEnrolledIn(Args& a, absl::string_view m, absl::string_view program_id,
                   const std::string& cohort_id) {
  a.Add(cohort_id);
  a.Key(cohort_id.empty() ? keys::ProgramEnrolments(m, program_id)
                          : keys::Enrolments(m, cohort_id));
}

// Runs `script` after reading the cohort's program: ARGV gets the program, KEYS the cohort's
// and the program's keys.
absl::StatusOr<RedisReply> WithCohortProgram(store::RedisPool& pool, const Args& a,
                                             absl::string_view m, absl::string_view cohort_id,
                                             const store::Script& script) {
  return UntilFresh(pool, [&]() -> script_io::Prepared {
    auto prog = script_io::CohortProgram(pool, m, cohort_id);
    if (!prog.ok()) return prog.status();
    Args b = a;
    script_io::AddCohortAndProgram(b, m, cohort_id, *prog);
    return b.Call(script);
  });
}

}  // namespace

absl::StatusOr<EnrollResult> SchedulingStore::Enroll(const EnrollInCohort& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.cohort_id.empty() && !q.referral_id.empty(),
                       "Enroll: cohort and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents({q.enrolled_event}); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = clock_();
  Args a(m, q.trigger_id, now);
  a.Add(q.cohort_id);
  a.Add(q.referral_id);
  a.Add(MakeEnrollment(q.cohort_id, q.referral_id, q.citizen_id, now).SerializeAsString());
  a.Event(q.enrolled_event);
  // Read the cohort's program and the cohort the referral is in for it, to declare their keys.
  auto reply = UntilFresh(pool_, [&]() -> script_io::Prepared {
    auto prog = script_io::CohortProgram(pool_, m, q.cohort_id);
    if (!prog.ok()) return prog.status();
    auto cur = script_io::EnrolledCohort(pool_, m, *prog, q.referral_id);
    if (!cur.ok()) return cur.status();
    Args b = a;
    script_io::AddCohortAndProgram(b, m, q.cohort_id, *prog);
    AddEnrolledIn(b, m, *prog, *cur);
    return b.Call(lua::Enroll());
  });
  if (!reply.ok()) return reply.status();
  if (Code(*reply) == "dup") return DuplicateTriggerResult(*this, m, q.referral_id);
  return DecodeEnrollReply(*reply, "scheduling_enroll");
}

absl::StatusOr<EnrollResult> SchedulingStore::Place(const Placement& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.program_id.empty() && !q.referral_id.empty(),
                       "Place: program and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents({q.waitlisted_event}); !s.ok()) return s;
  for (const auto& c : q.candidates) {
    if (c.cohort_id.empty()) return absl::InvalidArgumentError("a candidate lacks its cohort id");
    if (auto s = CheckEvents({c.enrolled_event}); !s.ok()) return s;
  }
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = clock_();
  Args a(m, q.trigger_id, now);
  a.Add(q.program_id);
  a.Add(q.referral_id);
  v1::WaitlistEntry entry;
  entry.set_program_id(q.program_id);
  entry.set_referral_id(q.referral_id);
  entry.set_citizen_id(q.citizen_id);
  *entry.mutable_accepted_at() =
      ToTimestamp(absl::ToUnixMicros(q.accepted_at == absl::InfinitePast() ? now : q.accepted_at));
  a.Add(entry.SerializeAsString());
  a.Event(q.waitlisted_event);
  a.Int(q.candidates.size());
  for (const auto& c : q.candidates) {
    a.Add(c.cohort_id);
    a.Add(c.first_day);
    a.Add(MakeEnrollment(c.cohort_id, q.referral_id, q.citizen_id, now, q.accepted_at)
              .SerializeAsString());
    a.Event(c.enrolled_event);
  }
  // Read the cohort the referral is in for the program and the program's OPEN cohorts, to
  // declare their keys.
  auto reply = UntilFresh(pool_, [&]() -> script_io::Prepared {
    auto r =
        script_io::Read(pool_, {{"HGET", keys::ProgramEnrolments(m, q.program_id), q.referral_id},
                                {"ZRANGE", keys::OpenCohorts(m, q.program_id), "0", "-1"}});
    if (!r.ok()) return r.status();
    Args b = a;
    b.Keys(keys::ProgramKeys(m, q.program_id));
    AddEnrolledIn(b, m, q.program_id, (*r)[0].string());
    const RedisReply& open = (*r)[1];
    b.Int(open.size());
    for (size_t i = 0; i < open.size(); ++i) {
      b.Add(open.element(i).string());
      b.Key(keys::Cohort(m, open.element(i).str()));
      b.Key(keys::Enrolments(m, open.element(i).str()));
    }
    return b.Call(lua::Place());
  });
  if (!reply.ok()) return reply.status();
  if (Code(*reply) == "dup") return DuplicateTriggerResult(*this, m, q.referral_id);
  return DecodeEnrollReply(*reply, "scheduling_place");
}

absl::StatusOr<UnenrollResult> SchedulingStore::Unenroll(const Unenrolment& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.cohort_id.empty() && !q.referral_id.empty(),
                       "Unenroll: cohort and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(q.events); !s.ok()) return s;
  if (q.waitlist_head.has_value()) {
    if (auto s = CheckSeats({*q.waitlist_head}); !s.ok()) return s;
  }
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = clock_();
  Args a(m, q.trigger_id, now);
  a.Add(q.cohort_id);
  a.Add(q.referral_id);
  a.Events(q.events);
  if (q.waitlist_head.has_value()) {
    a.Add("1");
    a.Seat(q.cohort_id, *q.waitlist_head, now);
  } else {
    a.Add("0");
  }
  auto reply = WithCohortProgram(pool_, a, m, q.cohort_id, lua::Unenroll());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  UnenrollResult result;
  if (code == "dup") {
    result.outcome = UnenrollResult::Outcome::kDuplicateTrigger;
    return result;
  }
  if (code != "ok") return ScriptError(*reply, "scheduling_unenroll");
  if (!reply->element(1).str().empty()) {
    auto e = DecodeEnrollment(reply->element(1));
    if (!e.ok()) return e.status();
    result.seat_given_to = *std::move(e);
  }
  return result;
}

absl::StatusOr<std::vector<v1::Enrollment>> SchedulingStore::FillFromWaitlist(
    const WaitlistFill& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.cohort_id.empty(), "cohort id required"); !s.ok()) return s;
  if (auto s = CheckSeats(q.heads); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  absl::Time now = clock_();
  Args a(m, q.trigger_id, now);
  a.Add(q.cohort_id);
  a.Seats(q.cohort_id, q.heads, now);
  auto reply = WithCohortProgram(pool_, a, m, q.cohort_id, lua::Fill());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  std::vector<v1::Enrollment> out;
  if (code == "dup") return out;
  if (code != "ok") return ScriptError(*reply, "scheduling_fill");
  for (size_t i = 1; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  return out;
}

absl::Status SchedulingStore::LeaveWaitlist(const WaitlistLeave& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = Require(!q.program_id.empty() && !q.referral_id.empty(),
                       "LeaveWaitlist: program and referral required");
      !s.ok()) {
    return s;
  }
  if (auto s = CheckEvents(q.events); !s.ok()) return s;
  if (auto s = Register(m); !s.ok()) return s;
  Args a(m, q.trigger_id, clock_());
  a.Add(q.program_id);
  a.Add(q.referral_id);
  a.Events(q.events);
  a.Keys(keys::ProgramKeys(m, q.program_id));
  auto reply = pool_.Eval(lua::Leave(), a.keys(), a.args());
  if (!reply.ok()) return reply.status();
  std::string code = Code(*reply);
  if (code == "ok" || code == "dup") return absl::OkStatus();
  return ScriptError(*reply, "scheduling_leave");
}

}  // namespace kpr::scheduling
