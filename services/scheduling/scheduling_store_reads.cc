// SchedulingStore's reads: cohorts, sessions and the week views, enrolments, waitlists and
// where a referral is placed. Where a read walks an index, it reads the index first and then the
// rows with a script that declares each row's keys (scheduling_store_lua.h).

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/scheduling/scheduling_keys.h"
#include "services/scheduling/scheduling_store.h"
#include "services/scheduling/scheduling_store_lua.h"
#include "services/scheduling/scheduling_store_script_io.h"

namespace kpr::scheduling {
namespace {

using script_io::CheckMunicipality;
using script_io::Code;
using script_io::DayNumber;
using script_io::DecodeCohort;
using script_io::DecodeEnrollment;
using script_io::DecodeSession;
using script_io::DecodeWaitlistEntry;
using script_io::Int;
using script_io::kCohortRow;
using script_io::kSessionRow;
using script_io::Micros;
using script_io::Parse;
using script_io::ToTimestamp;
using store::RedisReply;

constexpr int kListScanLimit = 5000;
constexpr int kIndexPage = 200;   // index entries read at a time
constexpr size_t kRowChunk = 50;  // cohort rows read at a time

// The cohorts of `ids` (nullopt: no such cohort), in order.
absl::StatusOr<std::vector<std::optional<v1::Cohort>>> ReadCohorts(
    store::RedisPool& pool, absl::string_view m, const std::vector<std::string>& ids) {
  std::vector<std::optional<v1::Cohort>> out;
  if (ids.empty()) return out;  // a script call must declare a key
  std::vector<std::string> ks;
  for (const std::string& id : ids) {
    ks.push_back(keys::Cohort(m, id));
    ks.push_back(keys::Enrolments(m, id));
  }
  auto reply = pool.Eval(lua::GetCohorts(), ks, {});
  if (!reply.ok()) return reply.status();
  for (size_t at = 0; at < reply->size() && out.size() < ids.size();) {
    if (reply->element(at).str() != "1") {
      out.emplace_back();
      at += 1;
      continue;
    }
    auto c = DecodeCohort(*reply, at + 1);
    if (!c.ok()) return c.status();
    out.emplace_back(*std::move(c));
    at += 1 + kCohortRow;
  }
  if (out.size() != ids.size()) return absl::InternalError("scheduling_get_cohorts: short reply");
  return out;
}

// The sessions of `ids` that exist, in order; cancelled ones only with `include_cancelled`.
absl::StatusOr<std::vector<v1::Session>> ReadSessions(store::RedisPool& pool, absl::string_view m,
                                                      const RedisReply& ids,
                                                      bool include_cancelled) {
  std::vector<v1::Session> out;
  if (ids.size() == 0) return out;  // a script call must declare a key
  std::vector<std::string> ks;
  for (size_t i = 0; i < ids.size(); ++i) ks.push_back(keys::Session(m, ids.element(i).str()));
  auto reply = pool.Eval(lua::GetSessions(), ks, {});
  if (!reply.ok()) return reply.status();
  for (size_t at = 0; at < reply->size();) {
    if (reply->element(at).str() != "1") {
      at += 1;
      continue;
    }
    auto s = DecodeSession(*reply, at + 1);
    if (!s.ok()) return s.status();
    if (include_cancelled || s->status() == v1::SESSION_STATUS_SCHEDULED) {
      out.push_back(*std::move(s));
    }
    at += 1 + kSessionRow;
  }
  return out;
}

// Sessions of a week-view index with score in [from, to).
absl::StatusOr<std::vector<v1::Session>> RangeSessions(store::RedisPool& pool, absl::string_view m,
                                                       const std::string& index, int64_t from,
                                                       int64_t to, bool include_cancelled) {
  auto ids = pool.Command({"ZRANGEBYSCORE", index, std::to_string(from), absl::StrCat("(", to)});
  if (!ids.ok()) return ids.status();
  return ReadSessions(pool, m, *ids, include_cancelled);
}

}  // namespace

absl::StatusOr<v1::Cohort> SchedulingStore::GetCohort(absl::string_view municipality,
                                                      absl::string_view cohort_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto rows = ReadCohorts(pool_, municipality, {std::string(cohort_id)});
  if (!rows.ok()) return rows.status();
  if (!(*rows)[0].has_value()) return absl::NotFoundError(absl::StrCat("cohort ", cohort_id));
  return *std::move((*rows)[0]);
}

absl::StatusOr<CohortPage> SchedulingStore::ListCohorts(const CohortQuery& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
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
  std::string index = keys::Cohorts(m);
  if (!q.program_id.empty()) {
    index = q.status == v1::COHORT_STATUS_OPEN ? keys::OpenCohorts(m, q.program_id)
                                               : keys::ProgramCohorts(m, q.program_id);
  }
  const size_t size = q.page_size <= 0 ? 100 : std::min(q.page_size, 500);
  std::string lo = "-inf", hi = "+inf";
  if (!cursor_score.empty()) (q.descending ? hi : lo) = cursor_score;
  double cursor = 0;
  (void)absl::SimpleAtod(cursor_score, &cursor);

  // Walks the index from the cursor (skipping up to and including it: same score, Redis's
  // member order) and keeps the cohorts of the asked status, up to `size`, looking at no more
  // than kListScanLimit entries (checked per index page).
  CohortPage page;
  std::string last, pos;
  bool skipping = !cursor_score.empty();
  int offset = 0, scanned = 0;
  while (scanned < kListScanLimit) {
    std::vector<std::string> cmd = {q.descending ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE",
                                    index,
                                    q.descending ? hi : lo,
                                    q.descending ? lo : hi,
                                    "WITHSCORES",
                                    "LIMIT",
                                    std::to_string(offset),
                                    std::to_string(kIndexPage)};
    auto entries = pool_.Command(cmd);
    if (!entries.ok()) return entries.status();
    if (entries->size() == 0) {
      page.next_page_token.clear();
      return page;
    }
    std::vector<std::string> ids, taken_pos;
    for (size_t i = 0; i + 1 < entries->size(); i += 2) {
      std::string id = entries->element(i).string();
      std::string score = entries->element(i + 1).string();
      ++offset;
      ++scanned;
      pos = absl::StrCat(score, ":", id);
      if (skipping) {
        double s = 0;
        (void)absl::SimpleAtod(score, &s);
        if (s != cursor) {
          skipping = false;
        } else {
          if (id == cursor_id) skipping = false;
          continue;
        }
      }
      ids.push_back(std::move(id));
      taken_pos.push_back(pos);
    }
    for (size_t from = 0; from < ids.size(); from += kRowChunk) {
      std::vector<std::string> chunk(ids.begin() + from,
                                     ids.begin() + std::min(ids.size(), from + kRowChunk));
      auto rows = ReadCohorts(pool_, m, chunk);
      if (!rows.ok()) return rows.status();
      for (size_t i = 0; i < chunk.size(); ++i) {
        const std::optional<v1::Cohort>& c = (*rows)[i];
        if (!c.has_value()) continue;
        if (q.status != v1::COHORT_STATUS_UNSPECIFIED && c->status() != q.status) continue;
        if (page.cohorts.size() == size) {
          page.next_page_token = last;
          return page;
        }
        page.cohorts.push_back(*c);
        last = taken_pos[from + i];
      }
    }
  }
  page.next_page_token = pos;
  return page;
}

absl::StatusOr<v1::Session> SchedulingStore::GetSession(absl::string_view municipality,
                                                        absl::string_view session_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Eval(lua::GetSessions(), {keys::Session(municipality, session_id)}, {});
  if (!reply.ok()) return reply.status();
  if (reply->size() < 1 || reply->element(0).str() != "1") {
    return absl::NotFoundError(absl::StrCat("session ", session_id));
  }
  return DecodeSession(*reply, 1);
}

absl::StatusOr<std::vector<v1::Session>> SchedulingStore::ListSessions(const SessionQuery& q) {
  const std::string& m = q.municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (q.id.empty()) return absl::InvalidArgumentError("ListSessions: empty id");
  if (q.by == SessionQuery::By::kCohort) {
    std::vector<std::vector<std::string>> reads;
    reads.push_back({"EXISTS", keys::Cohort(m, q.id)});
    reads.push_back({"ZRANGE", keys::Timetable(m, q.id), "0", "-1"});
    auto r = script_io::Read(pool_, reads);
    if (!r.ok()) return r.status();
    if (Int((*r)[0]) == 0) return absl::NotFoundError(absl::StrCat("cohort ", q.id));
    return ReadSessions(pool_, m, (*r)[1], q.include_cancelled);
  }
  if (q.from > q.to) return absl::InvalidArgumentError("ListSessions: from after to");
  std::string index;
  switch (q.by) {
    case SessionQuery::By::kInstitution:
      index = keys::InstitutionSessions(m, q.id);
      break;
    case SessionQuery::By::kVenue:
      index = keys::VenueSessions(m, q.id);
      break;
    default:
      index = keys::InstructorSessions(m, q.id);
      break;
  }
  return RangeSessions(pool_, m, index, DayNumber(q.from) * 1440, (DayNumber(q.to) + 1) * 1440,
                       q.include_cancelled);
}

absl::StatusOr<std::vector<v1::Session>> SchedulingStore::LoadBookings(
    absl::string_view municipality, absl::CivilDay from, absl::CivilDay to) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  if (from > to) return std::vector<v1::Session>();
  return RangeSessions(pool_, municipality, keys::AllSessions(municipality), DayNumber(from) * 1440,
                       (DayNumber(to) + 1) * 1440, false);
}

absl::StatusOr<std::vector<v1::WaitlistEntry>> SchedulingStore::GetWaitlist(
    absl::string_view municipality, absl::string_view program_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  std::vector<std::string> ks = {keys::Waitlist(municipality, program_id),
                                 keys::WaitlistEntries(municipality, program_id)};
  auto reply = pool_.Eval(lua::Waitlist(), ks, {});
  if (!reply.ok()) return reply.status();
  std::vector<v1::WaitlistEntry> out;
  for (size_t i = 0; i + 2 <= reply->size(); i += 2) {
    auto w = DecodeWaitlistEntry(*reply, i, static_cast<int>(i / 2 + 1));
    if (!w.ok()) return w.status();
    out.push_back(*std::move(w));
  }
  return out;
}

absl::StatusOr<std::vector<v1::Enrollment>> SchedulingStore::ListEnrollments(
    absl::string_view municipality, absl::string_view cohort_id) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  std::vector<std::string> ks = {keys::Cohort(municipality, cohort_id),
                                 keys::Enrolments(municipality, cohort_id)};
  auto reply = pool_.Eval(lua::Enrollments(), ks, {});
  if (!reply.ok()) return reply.status();
  if (Code(*reply) != "ok") return absl::NotFoundError(absl::StrCat("cohort ", cohort_id));
  std::vector<v1::Enrollment> out;
  for (size_t i = 1; i < reply->size(); ++i) {
    auto e = DecodeEnrollment(reply->element(i));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const v1::Enrollment& a, const v1::Enrollment& b) {
    int64_t ta = Micros(a.enrolled_at()), tb = Micros(b.enrolled_at());
    return ta != tb ? ta < tb : a.referral_id() < b.referral_id();
  });
  return out;
}

absl::StatusOr<std::optional<ReferralPlacement>> SchedulingStore::FindPlacement(
    absl::string_view municipality, absl::string_view referral_id) {
  const absl::string_view m = municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  const std::string ref(referral_id);
  // Read the referral's program and cohort, then its placement with their keys declared.
  auto reply = script_io::UntilFresh(pool_, [&]() -> script_io::Prepared {
    auto prog = pool_.Command({"HGET", keys::ReferralPrograms(m), ref});
    if (!prog.ok()) return prog.status();
    if (prog->is_nil()) return std::nullopt;  // placed nowhere
    const std::string p = prog->string();
    auto cohort = script_io::EnrolledCohort(pool_, m, p, ref);
    if (!cohort.ok()) return cohort.status();
    store::RedisPool::ScriptCall call;
    call.script = &lua::Placement();
    call.keys = {keys::ReferralPrograms(m), keys::ProgramEnrolments(m, p),
                 cohort->empty() ? keys::ProgramEnrolments(m, p) : keys::Enrolments(m, *cohort),
                 keys::Waitlist(m, p), keys::WaitlistEntries(m, p)};
    call.args = {ref, p, *cohort};
    return call;
  });
  if (!reply.ok()) return reply.status();
  if (Code(*reply) != "ok" || reply->size() < 3) return std::optional<ReferralPlacement>();
  ReferralPlacement p;
  p.program_id = reply->element(1).string();
  std::string kind = reply->element(2).string();
  if (kind == "e") {
    auto e = DecodeEnrollment(reply->element(4));
    if (!e.ok()) return e.status();
    p.enrollment = *std::move(e);
  } else if (kind == "w") {
    v1::WaitlistEntry w;
    if (!Parse(w, reply->element(3))) {
      return absl::DataLossError("a waitlist entry does not decode");
    }
    w.set_position(static_cast<int32_t>(Int(reply->element(4))));
    *w.mutable_waitlisted_at() = ToTimestamp(Int(reply->element(5)));
    p.waitlisted = std::move(w);
  } else {
    return std::optional<ReferralPlacement>();
  }
  return std::optional<ReferralPlacement>(std::move(p));
}

}  // namespace kpr::scheduling
