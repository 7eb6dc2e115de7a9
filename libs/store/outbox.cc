#include "libs/store/outbox.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/identity/municipality.h"
#include "libs/store/keys.h"

namespace kpr::store {

// outbox_append_many packs kOutboxEventsPerEntry events per entry; the Lua spells the number.
static_assert(kOutboxEventsPerEntry == 8, "update outbox_append_many's `count == 8`");
const char kOutboxAppendLua[] = R"lua(
local function outbox_append(key, id, subject, data)
  return redis.call('XADD', key, '*', 'id', id, 'subject', subject, 'data', data)
end
local function outbox_append_many(key, events)
  local ids, fields, count = {}, {}, 0
  for i = 1, #events, 3 do
    fields[#fields + 1] = 'id'
    fields[#fields + 1] = events[i]
    fields[#fields + 1] = 'subject'
    fields[#fields + 1] = events[i + 1]
    fields[#fields + 1] = 'data'
    fields[#fields + 1] = events[i + 2]
    count = count + 1
    if count == 8 or i + 2 >= #events then
      local sid = redis.call('XADD', key, '*', unpack(fields))
      for _ = 1, count do ids[#ids + 1] = sid end
      fields, count = {}, 0
    end
  end
  return ids
end
)lua";

std::string OutboxKey(absl::string_view municipality, absl::string_view service) {
  return Key(municipality, service, "outbox");
}

std::string OutboxIndexKey(absl::string_view service) {
  return absl::StrCat("kpr:outboxes:", service);
}

namespace {

absl::Status CheckMunicipality(absl::string_view m) {
  if (identity::IsMunicipalityCode(m)) return absl::OkStatus();
  return absl::InvalidArgumentError("municipality must be a 4-digit code");
}

// XRANGE reply: [[stream_id, [field, value, ...]], ...]
absl::StatusOr<std::vector<OutboxEntry>> ParseEntries(const RedisReply& reply) {
  if (reply.is_error()) return RedisErrorStatus(reply.str());
  if (!reply.is_array()) return absl::InternalError("outbox: XRANGE reply is not an array");
  std::vector<OutboxEntry> entries;
  entries.reserve(reply.size());
  for (size_t i = 0; i < reply.size(); ++i) {
    RedisReply item = reply.element(i);
    RedisReply fields = item.element(1);
    if (item.size() != 2 || !item.element(0).is_string() || !fields.is_array()) {
      return absl::InternalError("outbox: malformed stream entry");
    }
    OutboxEntry e;
    e.stream_id = item.element(0).string();
    // A missing field comes back empty rather than failing the read: one bad entry must not
    // block the outbox; the relay decides what to do with it. An "id" after the first starts
    // the entry's next event (outbox_append_many).
    bool started = false;
    for (size_t f = 0; f + 1 < fields.size(); f += 2) {
      absl::string_view name = fields.element(f).str();
      if (name == "id") {
        if (started) {
          entries.push_back(std::move(e));
          e = OutboxEntry{entries.back().stream_id, "", "", ""};
        }
        e.event_id = fields.element(f + 1).string();
      } else if (name == "subject") {
        e.subject = fields.element(f + 1).string();
      } else if (name == "data") {
        e.data = fields.element(f + 1).string();
      }
      started = true;
    }
    entries.push_back(std::move(e));
  }
  return entries;
}

std::vector<std::string> XRangeCommand(absl::string_view municipality, absl::string_view service,
                                       int max_count) {
  return {"XRANGE", OutboxKey(municipality, service),    "-", "+",
          "COUNT",  absl::StrCat(std::max(max_count, 1))};
}

constexpr absl::Duration kRegistrationRefresh = absl::Seconds(10);

}  // namespace

Outbox::Outbox(RedisPool& pool, std::string service)
    : pool_(pool), service_(std::move(service)), index_key_(OutboxIndexKey(service_)) {}

absl::Status Outbox::Register(absl::string_view municipality) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu_);
    auto it = registered_.find(municipality);
    if (it != registered_.end() && absl::Now() - it->second < kRegistrationRefresh) {
      return absl::OkStatus();
    }
  }
  auto reply = pool_.Command({"SADD", index_key_, std::string(municipality)});
  if (!reply.ok()) return reply.status();
  absl::MutexLock lock(&mu_);
  registered_[std::string(municipality)] = absl::Now();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Outbox::Municipalities() {
  auto reply = pool_.Command({"SMEMBERS", index_key_});
  if (!reply.ok()) return reply.status();
  std::vector<std::string> out;
  out.reserve(reply->size());
  for (size_t i = 0; i < reply->size(); ++i) out.push_back(reply->element(i).string());
  std::sort(out.begin(), out.end());
  return out;
}

absl::StatusOr<std::vector<OutboxEntry>> Outbox::Read(absl::string_view municipality,
                                                      int max_count) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Command(XRangeCommand(municipality, service_, max_count));
  if (!reply.ok()) return reply.status();
  return ParseEntries(*reply);
}

absl::StatusOr<std::vector<std::vector<OutboxEntry>>> Outbox::ReadMany(
    const std::vector<std::string>& municipalities, int max_count_each) {
  std::vector<std::vector<std::string>> commands;
  commands.reserve(municipalities.size());
  for (const std::string& m : municipalities) {
    if (auto s = CheckMunicipality(m); !s.ok()) return s;
    commands.push_back(XRangeCommand(m, service_, max_count_each));
  }
  std::vector<std::vector<OutboxEntry>> out;
  if (commands.empty()) return out;
  auto replies = pool_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  out.reserve(replies->size());
  for (const RedisReply& reply : *replies) {
    auto entries = ParseEntries(reply);
    if (!entries.ok()) return entries.status();
    out.push_back(std::move(*entries));
  }
  return out;
}

absl::Status Outbox::Remove(absl::string_view municipality,
                            const std::vector<std::string>& stream_ids) {
  std::vector<OutboxEntry> entries;
  entries.reserve(stream_ids.size());
  for (const std::string& id : stream_ids) entries.push_back(OutboxEntry{id, "", "", ""});
  return RemoveMany({std::string(municipality)}, {entries});
}

absl::Status Outbox::RemoveMany(const std::vector<std::string>& municipalities,
                                const std::vector<std::vector<OutboxEntry>>& entries) {
  if (municipalities.size() != entries.size()) {
    return absl::InvalidArgumentError("outbox: one entry list per municipality");
  }
  std::vector<std::vector<std::string>> commands;
  for (size_t i = 0; i < municipalities.size(); ++i) {
    if (auto s = CheckMunicipality(municipalities[i]); !s.ok()) return s;
    if (entries[i].empty()) continue;
    std::vector<std::string> argv = {"XDEL", OutboxKey(municipalities[i], service_)};
    argv.reserve(entries[i].size() + 2);
    for (const OutboxEntry& e : entries[i]) {
      // The events of one entry (outbox_append_many) share its id: name it once.
      if (argv.back() != e.stream_id) argv.push_back(e.stream_id);
    }
    commands.push_back(std::move(argv));
  }
  if (commands.empty()) return absl::OkStatus();
  auto replies = pool_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const RedisReply& reply : *replies) {
    if (reply.is_error()) return RedisErrorStatus(reply.str());
  }
  return absl::OkStatus();
}

int64_t StreamIdMillis(absl::string_view stream_id) {
  int64_t ms = 0;
  (void)absl::SimpleAtoi(stream_id.substr(0, stream_id.find('-')), &ms);
  return ms;
}

absl::StatusOr<OutboxBacklog> Outbox::Backlog(absl::Time now) {
  auto municipalities = Municipalities();
  if (!municipalities.ok()) return municipalities.status();
  // XINFO STREAM: the length and the first entry in one command (and not an XRANGE, which the
  // relay's reads are counted by).
  std::vector<std::vector<std::string>> commands;
  for (const std::string& m : *municipalities) {
    commands.push_back({"XINFO", "STREAM", OutboxKey(m, service_)});
  }
  OutboxBacklog backlog;
  if (commands.empty()) return backlog;
  auto replies = pool_.Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const RedisReply& info : *replies) {
    if (info.is_error()) {
      if (absl::StrContains(info.str(), "no such key")) continue;  // never written to
      return absl::UnavailableError(absl::StrCat("outbox backlog: ", info.str()));
    }
    for (size_t k = 0; k + 1 < info.size(); k += 2) {
      const std::string field = info.element(k).string();
      const RedisReply& value = info.element(k + 1);
      if (field == "length") backlog.entries += value.integer();
      if (field != "first-entry" || value.size() == 0) continue;
      const int64_t ms = StreamIdMillis(value.element(0).string());
      if (ms > 0) {
        backlog.oldest_age = std::max(backlog.oldest_age, now - absl::FromUnixMillis(ms));
      }
    }
  }
  return backlog;
}

absl::StatusOr<int64_t> Outbox::Length(absl::string_view municipality) {
  if (auto s = CheckMunicipality(municipality); !s.ok()) return s;
  auto reply = pool_.Command({"XLEN", OutboxKey(municipality, service_)});
  if (!reply.ok()) return reply.status();
  return static_cast<int64_t>(reply->integer());
}

}  // namespace kpr::store
