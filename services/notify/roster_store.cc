#include "services/notify/roster_store.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/identity/municipality.h"
#include "libs/store/keys.h"
#include "libs/store/script.h"
#include "services/notify/notify_scripts.h"

namespace kpr::notify {
namespace {

std::string RosterKey(const std::string& m, const std::string& cohort_id) {
  return store::Key(m, "notify", absl::StrCat("roster:", cohort_id));
}

}  // namespace

namespace lua {

// KEYS[1] the roster; ARGV pairs of (field, "<version>:<bytes>"): each written unless the
// stored version is higher. Versions compare as numbers.
const store::Script& RosterSessions() {
  static const store::Script* s = new store::Script("notify_roster_sessions", R"(#!lua
for i = 1, #ARGV, 2 do
  local field, value = ARGV[i], ARGV[i + 1]
  local new_version = tonumber(string.match(value, '^(%d+):'))
  local old = redis.call('HGET', KEYS[1], field)
  local old_version = old and tonumber(string.match(old, '^(%d+):')) or -1
  if new_version >= old_version then redis.call('HSET', KEYS[1], field, value) end
end
return 1)");
  return *s;
}

}  // namespace lua

namespace {

absl::Status CheckIds(const std::string& m, const std::string& cohort_id) {
  if (auto st = identity::CheckMunicipality("municipality", m); !st.ok()) return st;
  if (cohort_id.empty()) return absl::InvalidArgumentError("cohort_id: required");
  return absl::OkStatus();
}

}  // namespace

RosterStore::RosterStore(store::RedisPool& pool) : pool_(pool) {}

absl::Status RosterStore::PutCohort(const std::string& m, const std::string& cohort_id,
                                    const std::string& program_id, const std::string& name) {
  if (auto st = CheckIds(m, cohort_id); !st.ok()) return st;
  auto reply = pool_.Command(
      {"HSET", RosterKey(m, cohort_id), "info", absl::StrCat(program_id, "\t", name)});
  return reply.status();
}

absl::Status RosterStore::PutSessions(const std::string& m, const std::string& cohort_id,
                                      const std::vector<v1::CalendarEntry>& sessions) {
  if (auto st = CheckIds(m, cohort_id); !st.ok()) return st;
  if (sessions.empty()) return absl::OkStatus();
  std::vector<std::string> args;
  for (const v1::CalendarEntry& e : sessions) {
    args.push_back(absl::StrCat("s:", e.session_id()));
    args.push_back(absl::StrCat(std::max<int64_t>(e.version(), 0), ":", e.SerializeAsString()));
  }
  return pool_.Eval(lua::RosterSessions(), {RosterKey(m, cohort_id)}, args).status();
}

absl::Status RosterStore::AddParticipant(const std::string& m, const std::string& cohort_id,
                                         const std::string& referral_id) {
  if (auto st = CheckIds(m, cohort_id); !st.ok()) return st;
  return pool_.Command({"HSET", RosterKey(m, cohort_id), absl::StrCat("p:", referral_id), "1"})
      .status();
}

absl::Status RosterStore::RemoveParticipant(const std::string& m, const std::string& cohort_id,
                                            const std::string& referral_id) {
  if (auto st = CheckIds(m, cohort_id); !st.ok()) return st;
  return pool_.Command({"HDEL", RosterKey(m, cohort_id), absl::StrCat("p:", referral_id)}).status();
}

namespace {

// "<version>:" + CalendarEntry.
absl::StatusOr<v1::CalendarEntry> ParseSession(absl::string_view value,
                                               const std::string& cohort_id) {
  size_t colon = value.find(':');
  v1::CalendarEntry entry;
  if (colon == absl::string_view::npos ||
      !entry.ParseFromArray(value.data() + colon + 1, static_cast<int>(value.size() - colon - 1))) {
    return absl::DataLossError(
        absl::StrCat("roster of cohort ", cohort_id, ": a session entry does not decode"));
  }
  return entry;
}

}  // namespace

absl::StatusOr<RosterStore::ReminderView> RosterStore::GetForReminder(
    const std::string& m, const std::string& cohort_id, const std::string& session_id,
    const std::string& referral_id) {
  if (auto st = CheckIds(m, cohort_id); !st.ok()) return st;
  auto reply = pool_.Command({"HMGET", RosterKey(m, cohort_id), "info",
                              absl::StrCat("s:", session_id), absl::StrCat("p:", referral_id)});
  if (!reply.ok()) return reply.status();
  ReminderView view;
  absl::string_view info = reply->element(0).str();
  view.name = std::string(info.substr(std::min(info.size(), info.find('\t') + 1)));
  if (!reply->element(1).is_nil()) {
    absl::StatusOr<v1::CalendarEntry> entry = ParseSession(reply->element(1).str(), cohort_id);
    if (!entry.ok()) return entry.status();
    view.session = *std::move(entry);
  }
  view.enrolled = !reply->element(2).is_nil();
  return view;
}

absl::StatusOr<Roster> RosterStore::Get(const std::string& m, const std::string& cohort_id) {
  if (auto st = CheckIds(m, cohort_id); !st.ok()) return st;
  auto reply = pool_.Command({"HGETALL", RosterKey(m, cohort_id)});
  if (!reply.ok()) return reply.status();
  Roster roster;
  roster.cohort_id = cohort_id;
  for (size_t i = 0; i + 1 < reply->size(); i += 2) {
    absl::string_view field = reply->element(i).str();
    absl::string_view value = reply->element(i + 1).str();
    if (field == "info") {
      std::pair<std::string, std::string> parts = absl::StrSplit(value, absl::MaxSplits('\t', 1));
      roster.program_id = parts.first;
      roster.name = parts.second;
    } else if (absl::ConsumePrefix(&field, "p:")) {
      roster.participants.emplace_back(field);
    } else if (absl::ConsumePrefix(&field, "s:")) {
      absl::StatusOr<v1::CalendarEntry> entry = ParseSession(value, cohort_id);
      if (!entry.ok()) return entry.status();
      roster.sessions.push_back(*std::move(entry));
    }
  }
  std::sort(roster.participants.begin(), roster.participants.end());
  std::sort(roster.sessions.begin(), roster.sessions.end(),
            [](const v1::CalendarEntry& a, const v1::CalendarEntry& b) {
              return std::make_pair(a.start().seconds(), a.session_id()) <
                     std::make_pair(b.start().seconds(), b.session_id());
            });
  return roster;
}

}  // namespace kpr::notify
