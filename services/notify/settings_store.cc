#include "services/notify/settings_store.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/time_util.h"
#include "libs/identity/municipality.h"
#include "libs/store/keys.h"
#include "libs/store/script.h"
#include "services/notify/default_templates.h"
#include "services/notify/delivery_store.h"
#include "services/notify/notify_scripts.h"
#include "services/notify/reminder_offsets.h"

namespace kpr::notify {
namespace {

using google::protobuf::util::TimeUtil;

// Every settings record is saved by this one script: the version check and the write (and, for
// a template, its entry in the municipality's set of saved ones) happen together or not at all.
// KEYS: 1 the record, 2 (optional) a set indexing it.
// ARGV: 1 expected version, 2 the new value ("<expected + 1>:" + bytes), 3 the set member.
// Returns {1, new version}; {0, current version} on a conflict; {-1, 0} when the stored value is
// not a record.
constexpr char kPutLua[] = R"lua(#!lua
local cur = redis.call('GET', KEYS[1])
local v = 0
if cur then
  v = tonumber(string.match(cur, '^(%d+):'))
  if not v then return {-1, 0} end
end
if v ~= tonumber(ARGV[1]) then return {0, v} end
redis.call('SET', KEYS[1], ARGV[2])
if #KEYS > 1 then redis.call('SADD', KEYS[2], ARGV[3]) end
return {1, v + 1}
)lua";

}  // namespace

namespace lua {

const store::Script& SettingsPut() {
  static const store::Script s("notify_settings_put", kPutLua);
  return s;
}

}  // namespace lua

namespace {

std::string K(absl::string_view m, absl::string_view suffix) {
  return store::Key(m, kNotifyService, suffix);
}
std::string TemplateMember(v1::Trigger trigger, v1::Language language) {
  return absl::StrCat(static_cast<int>(trigger), ":", static_cast<int>(language));
}
std::string TemplateKey(absl::string_view m, v1::Trigger trigger, v1::Language language) {
  return K(m, absl::StrCat("tpl:", TemplateMember(trigger, language)));
}
std::string TemplatesKey(absl::string_view m) { return K(m, "tpls"); }
std::string PreferencesKey(absl::string_view m, absl::string_view referral_id) {
  return K(m, absl::StrCat("pref:", referral_id));
}
std::string OffsetsKey(absl::string_view m, absl::string_view program_id) {
  return K(m, absl::StrCat("offsets:", program_id.empty() ? "*" : program_id));
}
std::string CoordinatorKey(absl::string_view m) { return K(m, "coordinator"); }

absl::Status CheckM(absl::string_view m) { return identity::CheckMunicipality("municipality", m); }

// A stored record, or nullopt for a missing key; its version set from the prefix.
template <typename T>
absl::StatusOr<std::optional<T>> Decode(const store::RedisReply& reply, absl::string_view what) {
  if (reply.is_nil()) return std::optional<T>();
  const absl::string_view value = reply.str();
  const size_t colon = value.find(':');
  int64_t version = 0;
  T record;
  if (colon == absl::string_view::npos || !absl::SimpleAtoi(value.substr(0, colon), &version) ||
      !record.ParseFromArray(value.data() + colon + 1,
                             static_cast<int>(value.size() - colon - 1))) {
    return absl::DataLossError(absl::StrCat(what, " is not a record"));
  }
  record.set_version(version);
  return std::optional<T>(std::move(record));
}

template <typename T>
absl::StatusOr<std::optional<T>> GetRecord(store::RedisPool& pool, const std::string& key,
                                           absl::string_view what) {
  auto reply = pool.Command({"GET", key});
  if (!reply.ok()) return reply.status();
  return Decode<T>(*reply, what);
}

// Saves `record` at expected_version + 1 if the stored one is still at expected_version.
// `keys`: the record's key, then optionally an index set that gets `member`.
template <typename T>
absl::StatusOr<T> PutRecord(store::RedisPool& pool, const std::vector<std::string>& keys, T record,
                            int64_t expected_version, absl::Time now, absl::string_view what,
                            const std::string& member = "") {
  record.set_version(expected_version + 1);
  *record.mutable_updated_at() = TimeUtil::MillisecondsToTimestamp(absl::ToUnixMillis(now));
  auto reply = pool.Eval(lua::SettingsPut(), keys,
                         {absl::StrCat(expected_version),
                          absl::StrCat(record.version(), ":", record.SerializeAsString()), member});
  if (!reply.ok()) return reply.status();
  if (!reply->is_array() || reply->size() != 2) {
    return absl::InternalError("settings script answered an unexpected reply");
  }
  switch (reply->element(0).integer()) {
    case 1:
      return record;
    case 0:
      return absl::AbortedError(absl::StrCat(what, " changed meanwhile: it is at version ",
                                             reply->element(1).integer(), ", not ",
                                             expected_version, "; read it again"));
    default:
      return absl::DataLossError(absl::StrCat(what, " is not a record"));
  }
}

std::string TemplateWhat(absl::string_view m, v1::Trigger trigger, v1::Language language) {
  return absl::StrCat("template ", v1::Trigger_Name(trigger), " ", v1::Language_Name(language),
                      " of ", m);
}
std::string OffsetsWhat(absl::string_view m, absl::string_view program_id) {
  return program_id.empty() ? absl::StrCat("default reminder offsets of ", m)
                            : absl::StrCat("reminder offsets of program ", program_id);
}

std::vector<absl::Duration> LongestFirst(const v1::ReminderOffsets& r) {
  std::vector<absl::Duration> out;
  for (const auto& d : r.offsets())
    out.push_back(absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos()));
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
}

}  // namespace

SettingsStore::SettingsStore(store::RedisPool& pool)
    : SettingsStore(pool, [] { return absl::Now(); }) {}

SettingsStore::SettingsStore(store::RedisPool& pool, std::function<absl::Time()> clock)
    : pool_(pool), clock_(std::move(clock)) {}

absl::StatusOr<std::optional<v1::Template>> SettingsStore::GetTemplate(const std::string& m,
                                                                       v1::Trigger trigger,
                                                                       v1::Language language) {
  if (auto s = CheckM(m); !s.ok()) return s;
  return GetRecord<v1::Template>(pool_, TemplateKey(m, trigger, language),
                                 TemplateWhat(m, trigger, language));
}

absl::StatusOr<v1::Template> SettingsStore::TemplateFor(const std::string& m, v1::Trigger trigger,
                                                        v1::Language language) {
  if (language == v1::LANGUAGE_UNSPECIFIED) language = v1::LANGUAGE_DA;
  auto saved = GetTemplate(m, trigger, language);
  if (!saved.ok()) return saved.status();
  if (*saved) return std::move(**saved);
  return DefaultTemplate(m, trigger, language);
}

absl::StatusOr<v1::Template> SettingsStore::PutTemplate(const v1::Template& t,
                                                        int64_t expected_version) {
  const std::string& m = t.municipality();
  if (auto s = CheckM(m); !s.ok()) return s;
  return PutRecord(pool_, {TemplateKey(m, t.trigger(), t.language()), TemplatesKey(m)}, t,
                   expected_version, clock_(), TemplateWhat(m, t.trigger(), t.language()),
                   TemplateMember(t.trigger(), t.language()));
}

absl::StatusOr<std::vector<v1::Template>> SettingsStore::ListSavedTemplates(const std::string& m) {
  if (auto s = CheckM(m); !s.ok()) return s;
  auto members = pool_.Command({"SMEMBERS", TemplatesKey(m)});
  if (!members.ok()) return members.status();
  std::vector<std::pair<int, int>> saved;
  for (size_t i = 0; i < members->size(); ++i) {
    std::pair<std::string, std::string> parts = absl::StrSplit(members->element(i).str(), ':');
    std::pair<int, int> entry;
    if (!absl::SimpleAtoi(parts.first, &entry.first) ||
        !absl::SimpleAtoi(parts.second, &entry.second)) {
      return absl::DataLossError(absl::StrCat("the saved templates of ", m, " are not an index"));
    }
    saved.push_back(entry);
  }
  std::vector<v1::Template> out;
  if (saved.empty()) return out;
  std::sort(saved.begin(), saved.end());  // by trigger, then language
  std::vector<std::string> mget = {"MGET"};
  for (const auto& [trigger, language] : saved) {
    mget.push_back(
        TemplateKey(m, static_cast<v1::Trigger>(trigger), static_cast<v1::Language>(language)));
  }
  auto records = pool_.Command(mget);
  if (!records.ok()) return records.status();
  for (size_t i = 0; i < saved.size(); ++i) {
    auto t = Decode<v1::Template>(records->element(i), mget[i + 1]);
    if (!t.ok()) return t.status();
    if (*t) out.push_back(std::move(**t));
  }
  return out;
}

absl::StatusOr<v1::Preferences> SettingsStore::GetPreferences(const std::string& m,
                                                              const std::string& referral_id) {
  auto many = GetManyPreferences(m, {referral_id});
  if (!many.ok()) return many.status();
  return std::move(many->front());
}

absl::StatusOr<std::vector<v1::Preferences>> SettingsStore::GetManyPreferences(
    const std::string& m, const std::vector<std::string>& referral_ids) {
  if (auto s = CheckM(m); !s.ok()) return s;
  std::vector<v1::Preferences> out;
  if (referral_ids.empty()) return out;
  std::vector<std::string> mget = {"MGET"};
  for (const std::string& id : referral_ids) mget.push_back(PreferencesKey(m, id));
  auto records = pool_.Command(mget);
  if (!records.ok()) return records.status();
  for (size_t i = 0; i < referral_ids.size(); ++i) {
    auto p = Decode<v1::Preferences>(records->element(i),
                                     absl::StrCat("preferences of ", referral_ids[i]));
    if (!p.ok()) return p.status();
    if (*p) {
      out.push_back(std::move(**p));
    } else {
      out.emplace_back().set_referral_id(referral_ids[i]);  // version 0: nothing opted out
    }
  }
  return out;
}

absl::StatusOr<v1::Preferences> SettingsStore::PutPreferences(const std::string& m,
                                                              const v1::Preferences& p,
                                                              int64_t expected_version) {
  if (auto s = CheckM(m); !s.ok()) return s;
  return PutRecord(pool_, {PreferencesKey(m, p.referral_id())}, p, expected_version, clock_(),
                   absl::StrCat("preferences of ", p.referral_id()));
}

absl::StatusOr<std::optional<v1::ReminderOffsets>> SettingsStore::GetReminderOffsets(
    const std::string& m, const std::string& program_id) {
  if (auto s = CheckM(m); !s.ok()) return s;
  return GetRecord<v1::ReminderOffsets>(pool_, OffsetsKey(m, program_id),
                                        OffsetsWhat(m, program_id));
}

absl::StatusOr<std::vector<absl::Duration>> SettingsStore::OffsetsFor(
    const std::string& m, const std::string& program_id) {
  if (auto s = CheckM(m); !s.ok()) return s;
  // The program's and the municipality's in one round trip; the first one saved wins.
  std::vector<std::string> programs = {program_id};
  if (!program_id.empty()) programs.push_back("");
  std::vector<std::string> mget = {"MGET"};
  for (const std::string& p : programs) mget.push_back(OffsetsKey(m, p));
  auto records = pool_.Command(mget);
  if (!records.ok()) return records.status();
  for (size_t i = 0; i < programs.size(); ++i) {
    auto r = Decode<v1::ReminderOffsets>(records->element(i), OffsetsWhat(m, programs[i]));
    if (!r.ok()) return r.status();
    if (*r) return LongestFirst(**r);
  }
  return DefaultReminderOffsets();
}

absl::StatusOr<v1::ReminderOffsets> SettingsStore::PutReminderOffsets(
    const v1::ReminderOffsets& offsets, int64_t expected_version) {
  const std::string& m = offsets.municipality();
  if (auto s = CheckM(m); !s.ok()) return s;
  return PutRecord(pool_, {OffsetsKey(m, offsets.program_id())}, offsets, expected_version,
                   clock_(), OffsetsWhat(m, offsets.program_id()));
}

absl::StatusOr<v1::CoordinatorContact> SettingsStore::GetCoordinatorContact(const std::string& m) {
  if (auto s = CheckM(m); !s.ok()) return s;
  auto saved =
      GetRecord<v1::CoordinatorContact>(pool_, CoordinatorKey(m), "the coordinator contact");
  if (!saved.ok()) return saved.status();
  if (*saved) return std::move(**saved);
  v1::CoordinatorContact none;
  none.set_municipality(m);
  return none;
}

absl::StatusOr<v1::CoordinatorContact> SettingsStore::PutCoordinatorContact(
    const v1::CoordinatorContact& c, int64_t expected_version) {
  const std::string& m = c.municipality();
  if (auto s = CheckM(m); !s.ok()) return s;
  return PutRecord(pool_, {CoordinatorKey(m)}, c, expected_version, clock_(),
                   absl::StrCat("the coordinator contact of ", m));
}

}  // namespace kpr::notify
