#include "services/outcomes/outcomes_store.h"

#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "libs/identity/municipality.h"
#include "libs/store/keys.h"
#include "services/outcomes/outcomes_store_lua.h"

namespace kpr::outcomes {
namespace {

using store::RedisReply;

constexpr int64_t kProcessedTtlSeconds = 14 * 24 * 60 * 60;

std::string Prefix(absl::string_view m) { return store::Key(m, kOutcomesService, ""); }

absl::Status CheckMunicipality(absl::string_view m) {
  if (identity::IsMunicipalityCode(m)) return absl::OkStatus();
  return absl::InvalidArgumentError("outcomes: municipality must be a 4-digit code");
}

// Every key a call touches must be one of the municipality's outcomes keys: that keeps the
// script cluster-valid (one slot) and a key built for another municipality out.
absl::Status CheckKey(absl::string_view prefix, absl::string_view key) {
  if (key.size() > prefix.size() && absl::StartsWith(key, prefix)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("outcomes: key \"", key, "\" is not under \"", prefix, "\""));
}

absl::Status CheckKeys(absl::string_view m, const std::vector<std::string>& keys) {
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  std::string prefix = Prefix(m);
  for (const auto& k : keys) {
    if (auto s = CheckKey(prefix, k); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Text that reads back as exactly the same double (Redis parses it with strtold).
std::string Num(double v) { return absl::StrFormat("%.17g", v); }

absl::Status ReplyError(const RedisReply& r) {
  if (r.is_error()) return store::RedisErrorStatus(r.str());
  return absl::OkStatus();
}

absl::StatusOr<absl::flat_hash_map<std::string, double>> ParseHash(const RedisReply& r) {
  if (auto s = ReplyError(r); !s.ok()) return s;
  absl::flat_hash_map<std::string, double> out;
  if (r.is_nil()) return out;
  if (!r.is_array()) return absl::InternalError("outcomes: HGETALL reply is not an array");
  out.reserve(r.size() / 2);
  for (size_t i = 0; i + 1 < r.size(); i += 2) {
    double v = 0;
    if (!absl::SimpleAtod(r.element(i + 1).str(), &v)) {
      return absl::DataLossError(
          absl::StrCat("outcomes: tally field \"", r.element(i).str(), "\" is not a number"));
    }
    out[r.element(i).string()] = v;
  }
  return out;
}

absl::StatusOr<std::vector<absl::flat_hash_map<std::string, double>>> ReadHashes(
    store::RedisPool& pool, const std::vector<std::string>& keys) {
  std::vector<absl::flat_hash_map<std::string, double>> out;
  if (keys.empty()) return out;
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(keys.size());
  for (const auto& k : keys) cmds.push_back({"HGETALL", k});
  auto replies = pool.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  out.reserve(keys.size());
  for (const RedisReply& r : *replies) {
    auto h = ParseHash(r);
    if (!h.ok()) return h.status();
    out.push_back(*std::move(h));
  }
  return out;
}

// "YYYY-MM" with a month 01..12.
bool IsMonth(absl::string_view s) {
  if (s.size() != 7 || s[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int month = (s[5] - '0') * 10 + (s[6] - '0');
  return month >= 1 && month <= 12;
}

absl::Status CheckChange(absl::string_view m, const Change& change) {
  std::string prefix = Prefix(m);
  absl::flat_hash_set<absl::string_view> written;
  for (const RecordWrite& w : change.writes) {
    if (auto s = CheckKey(prefix, w.key); !s.ok()) return s;
    if (w.expected_version < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("outcomes: negative expected version for ", w.key));
    }
    // Two writes of one key cannot both hold their expected version; say so plainly.
    if (!written.insert(w.key).second) {
      return absl::InvalidArgumentError(absl::StrCat("outcomes: ", w.key, " written twice"));
    }
  }
  for (const TallyDelta& t : change.tallies) {
    if (auto s = CheckKey(prefix, t.key); !s.ok()) return s;
    for (const auto& [field, delta] : t.fields) {
      // HINCRBYFLOAT fails on inf/nan, and a script failing half-way keeps its earlier writes.
      if (!std::isfinite(delta)) {
        return absl::InvalidArgumentError(
            absl::StrCat("outcomes: tally ", t.key, " field ", field, ": delta is not finite"));
      }
    }
  }
  for (const IndexAdd& i : change.index) {
    if (auto s = CheckKey(prefix, i.key); !s.ok()) return s;
    if (std::isnan(i.score)) {
      return absl::InvalidArgumentError(absl::StrCat("outcomes: index ", i.key, ": NaN score"));
    }
  }
  for (const HashSet& h : change.hash_sets) {
    if (auto s = CheckKey(prefix, h.key); !s.ok()) return s;
  }
  for (const bus::OutboxEvent& e : change.events) {
    if (e.subject.empty() || e.id.empty()) {
      return absl::InvalidArgumentError("outcomes: an event lacks its id or subject");
    }
  }
  for (const timer::Timer& t : change.timers) {
    if (t.id.empty() || (!t.municipality.empty() && t.municipality != m) ||
        t.due == absl::InfinitePast() || t.due == absl::InfiniteFuture()) {
      return absl::InvalidArgumentError(
          "outcomes: a timer lacks its id or a finite due time, or is for another municipality");
    }
  }
  return absl::OkStatus();
}

}  // namespace

std::string CohortKey(absl::string_view m, absl::string_view cohort_id) {
  return store::Key(m, kOutcomesService, absl::StrCat("cohort:", cohort_id));
}
std::string ParticipantKey(absl::string_view m, absl::string_view referral_id) {
  return store::Key(m, kOutcomesService, absl::StrCat("participant:", referral_id));
}
std::string AttendanceKey(absl::string_view m, absl::string_view session_id) {
  return store::Key(m, kOutcomesService, absl::StrCat("attendance:", session_id));
}
std::string FunnelReferralKey(absl::string_view m, absl::string_view referral_id) {
  return store::Key(m, kOutcomesService, absl::StrCat("funnel:referral:", referral_id));
}
std::string CohortTallyKey(absl::string_view m, absl::string_view cohort_id) {
  return store::Key(m, kOutcomesService, absl::StrCat("tally:cohort:", cohort_id));
}
std::string FunnelTallyKey(absl::string_view m, absl::string_view month) {
  return store::Key(m, kOutcomesService, absl::StrCat("tally:funnel:", month));
}
std::string ProgramCohortsKey(absl::string_view m, absl::string_view program_id) {
  return store::Key(m, kOutcomesService, absl::StrCat("cohorts:", program_id));
}
std::string SessionsKey(absl::string_view m) { return store::Key(m, kOutcomesService, "sessions"); }

OutcomesStore::OutcomesStore(store::RedisPool& pool)
    : pool_(pool), outbox_(pool, kOutcomesService), timers_(pool, kOutcomesService) {}

absl::StatusOr<CommitResult> OutcomesStore::Commit(absl::string_view municipality,
                                                   const Change& change) {
  const absl::string_view m = municipality;
  if (auto s = CheckMunicipality(m); !s.ok()) return s;
  if (auto s = CheckChange(m, change); !s.ok()) return s;

  // The relay and the timer workers find municipalities through these indexes: register before
  // the first entry can exist. Cached, so normally no round trip.
  if (!change.events.empty()) {
    if (auto s = outbox_.Register(m); !s.ok()) return s;
  }
  if (!change.timers.empty()) {
    if (auto s = timers_.Register(m); !s.ok()) return s;
  }

  std::vector<std::string> keys = {store::OutboxKey(m, kOutcomesService),
                                   timer::TimersKey(m, kOutcomesService),
                                   timer::TimerDataKey(m, kOutcomesService)};
  std::vector<std::string> args;
  size_t nargs = 9 + change.writes.size() * 3 + change.index.size() * 2 +
                 change.hash_sets.size() * 2 + change.events.size() * 3 + change.timers.size() * 3;
  for (const auto& t : change.tallies) nargs += 1 + t.fields.size() * 2;
  args.reserve(nargs);
  keys.reserve(4 + change.writes.size() + change.tallies.size() + change.index.size() +
               change.hash_sets.size());

  if (change.applied_event_id.empty()) {
    args.push_back("0");
  } else {
    args.push_back("1");
    keys.push_back(
        store::Key(m, kOutcomesService, absl::StrCat("processed:", change.applied_event_id)));
  }

  args.push_back(absl::StrCat(change.writes.size()));
  for (const RecordWrite& w : change.writes) {
    keys.push_back(w.key);
    args.push_back(absl::StrCat(w.expected_version));
    args.push_back(absl::StrCat(w.expected_version + 1));
    args.push_back(w.data);
  }

  // Zero deltas (and tallies with nothing but zeros) are left out: they change nothing.
  size_t tally_count_at = args.size();
  args.emplace_back();
  size_t tallies = 0;
  for (const TallyDelta& t : change.tallies) {
    size_t nonzero = 0;
    for (const auto& f : t.fields) nonzero += f.second != 0;
    if (nonzero == 0) continue;
    ++tallies;
    keys.push_back(t.key);
    args.push_back(absl::StrCat(nonzero));
    for (const auto& [field, delta] : t.fields) {
      if (delta == 0) continue;
      args.push_back(field);
      args.push_back(Num(delta));
    }
  }
  args[tally_count_at] = absl::StrCat(tallies);

  args.push_back(absl::StrCat(change.index.size()));
  for (const IndexAdd& i : change.index) {
    keys.push_back(i.key);
    args.push_back(Num(i.score));
    args.push_back(i.member);
  }

  args.push_back(absl::StrCat(change.hash_sets.size()));
  for (const HashSet& h : change.hash_sets) {
    keys.push_back(h.key);
    args.push_back(h.field);
    args.push_back(h.value);
  }

  args.push_back(absl::StrCat(change.events.size()));
  for (const bus::OutboxEvent& e : change.events) {
    args.push_back(e.id);
    args.push_back(e.subject);
    args.push_back(e.data);
  }

  args.push_back(absl::StrCat(change.timers.size()));
  for (const timer::Timer& t : change.timers) {
    args.push_back(t.id);
    args.push_back(absl::StrCat(absl::ToUnixMillis(t.due)));
    args.push_back(t.payload);
  }
  args.push_back(absl::StrCat(kProcessedTtlSeconds));

  auto reply = pool_.Eval(lua::Commit(), keys, args);
  if (!reply.ok()) return reply.status();
  absl::string_view code = reply->is_array() ? reply->element(0).str() : "";
  if (code == "ok") return CommitResult::kApplied;
  if (code == "dup") return CommitResult::kAlreadyApplied;
  if (code == "conflict" && reply->size() == 3) {
    size_t i = 0;
    if (absl::SimpleAtoi(reply->element(1).str(), &i) && i >= 1 && i <= change.writes.size()) {
      const RecordWrite& w = change.writes[i - 1];
      return absl::AbortedError(absl::StrCat("version conflict on ", w.key, ": expected ",
                                             w.expected_version, ", found ",
                                             reply->element(2).str()));
    }
  }
  return absl::InternalError("outcomes_commit: unexpected script reply");
}

absl::StatusOr<std::vector<std::optional<StoredRecord>>> OutcomesStore::Read(
    absl::string_view municipality, const std::vector<std::string>& keys) {
  if (auto s = CheckKeys(municipality, keys); !s.ok()) return s;
  std::vector<std::optional<StoredRecord>> out;
  if (keys.empty()) return out;
  std::vector<std::vector<std::string>> cmds;
  cmds.reserve(keys.size());
  for (const auto& k : keys) cmds.push_back({"HMGET", k, "v", "d"});
  auto replies = pool_.Pipeline(cmds);
  if (!replies.ok()) return replies.status();
  out.reserve(keys.size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const RedisReply& r = (*replies)[i];
    if (auto s = ReplyError(r); !s.ok()) return s;
    if (!r.is_array() || r.size() != 2) {
      return absl::InternalError("outcomes: HMGET reply is not a pair");
    }
    RedisReply v = r.element(0);
    if (v.is_nil() && r.element(1).is_nil()) {
      out.push_back(std::nullopt);
      continue;
    }
    StoredRecord rec;
    if (!absl::SimpleAtoi(v.str(), &rec.version)) {
      return absl::DataLossError(absl::StrCat("outcomes: ", keys[i], " has no valid version"));
    }
    rec.data = r.element(1).string();
    out.push_back(std::move(rec));
  }
  return out;
}

absl::StatusOr<std::vector<absl::flat_hash_map<std::string, double>>> OutcomesStore::ReadTallies(
    absl::string_view municipality, const std::vector<std::string>& keys) {
  if (auto s = CheckKeys(municipality, keys); !s.ok()) return s;
  return ReadHashes(pool_, keys);
}

absl::StatusOr<std::vector<std::string>> OutcomesStore::IndexRange(absl::string_view municipality,
                                                                   const std::string& key,
                                                                   double min, double max) {
  if (auto s = CheckKeys(municipality, {key}); !s.ok()) return s;
  if (std::isnan(min) || std::isnan(max)) {
    return absl::InvalidArgumentError("outcomes: NaN index bound");
  }
  auto reply = pool_.Command({"ZRANGEBYSCORE", key, Num(min), Num(max)});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  out.reserve(reply->size());
  for (size_t i = 0; i < reply->size(); ++i) out.push_back(reply->element(i).string());
  return out;
}

absl::StatusOr<std::optional<std::string>> OutcomesStore::HashGet(absl::string_view municipality,
                                                                  const std::string& key,
                                                                  const std::string& field) {
  if (auto s = CheckKeys(municipality, {key}); !s.ok()) return s;
  auto reply = pool_.Command({"HGET", key, field});
  if (!reply.ok()) return reply.status();
  if (reply->is_nil()) return std::nullopt;
  return reply->string();
}

absl::StatusOr<std::vector<absl::flat_hash_map<std::string, double>>>
OutcomesStore::ReadFunnelMonths(absl::string_view municipality,
                                const std::vector<std::string>& months) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  std::vector<std::string> keys;
  keys.reserve(months.size());
  for (const auto& month : months) {
    if (!IsMonth(month)) {
      return absl::InvalidArgumentError(
          absl::StrCat("outcomes: \"", month, "\" is not a month (YYYY-MM)"));
    }
    keys.push_back(FunnelTallyKey(municipality, month));
  }
  return ReadHashes(pool_, keys);
}

}  // namespace kpr::outcomes
