#include "libs/store/municipality_leases.h"

#include <algorithm>
#include <random>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/store/keys.h"
#include "libs/store/lease_plan.h"
#include "libs/store/script.h"

namespace kpr::store {
namespace {

// KEYS[1] lease; ARGV[1] token, ARGV[2] ttl ms. Renews the lease if this token holds it.
// Returns 1 renewed (ours), 0 held by another, -1 free.
const Script& UpkeepScript() {
  static const Script* s = new Script("lease_upkeep", R"lua(#!lua
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
return -1
)lua");
  return *s;
}

// KEYS[1] lease; ARGV[1] token. Deletes the lease only if this token holds it.
const Script& ReleaseScript() {
  static const Script* s = new Script("lease_release", R"lua(#!lua
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
)lua");
  return *s;
}

std::string RandomToken() {
  std::random_device rd;
  const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  return absl::StrCat(absl::Hex(v, absl::kZeroPad16));
}

}  // namespace

MunicipalityLeases::MunicipalityLeases(RedisPool& pool, std::string service, std::string kind,
                                       Options options)
    : pool_(pool),
      service_(std::move(service)),
      kind_(std::move(kind)),
      options_(options),
      token_(RandomToken()),
      holders_key_(HoldersKey(service_, kind_)) {}

std::string MunicipalityLeases::LeaseKey(absl::string_view municipality, absl::string_view service,
                                         absl::string_view kind) {
  return Key(municipality, service, absl::StrCat(kind, ":lease"));
}

std::string MunicipalityLeases::HoldersKey(absl::string_view service, absl::string_view kind) {
  return absl::StrCat("kpr:lease-holders:", service, ":", kind);
}

bool MunicipalityLeases::RefreshDue() const {
  absl::MutexLock lock(&mu_);
  return absl::Now() - last_refresh_ >= options_.ttl / 3;
}

bool MunicipalityLeases::Holds(absl::string_view municipality) const {
  absl::MutexLock lock(&mu_);
  auto it = held_.find(municipality);
  return it != held_.end() && absl::Now() < it->second;
}

std::vector<std::string> MunicipalityLeases::Held() const {
  const absl::Time now = absl::Now();
  std::vector<std::string> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [m, valid_until] : held_) {
    if (now < valid_until) out.push_back(m);
  }
  std::sort(out.begin(), out.end());
  return out;
}

absl::Status MunicipalityLeases::Refresh(const std::vector<std::string>& municipalities) {
  const absl::Time start = absl::Now();
  {
    absl::MutexLock lock(&mu_);
    last_refresh_ = start;
  }
  const int64_t now_ms = absl::ToUnixMillis(start);
  const int64_t ttl_ms = absl::ToInt64Milliseconds(options_.ttl);
  const std::string ttl_arg = absl::StrCat(ttl_ms);
  // Counted as valid a little less long than Redis keeps it, so a lease that was not renewed
  // is dropped here before another replica can take it there.
  const absl::Duration validity = options_.ttl - options_.ttl / 5;

  auto beat = pool_.Pipeline(
      {{"ZADD", holders_key_, absl::StrCat(now_ms), token_},
       {"ZREMRANGEBYSCORE", holders_key_, "-inf", absl::StrCat("(", now_ms - ttl_ms)},
       {"ZRANGE", holders_key_, "0", "-1"}});
  if (!beat.ok()) return beat.status();
  for (const RedisReply& r : *beat) {
    if (r.is_error()) return RedisErrorStatus(r.str());
  }
  std::vector<std::string> live;
  for (size_t i = 0; i < (*beat)[2].size(); ++i) live.push_back((*beat)[2].element(i).string());

  std::vector<RedisPool::ScriptCall> upkeep;
  upkeep.reserve(municipalities.size());
  for (const std::string& m : municipalities) {
    upkeep.push_back({&UpkeepScript(), {LeaseKey(m, service_, kind_)}, {token_, ttl_arg}});
  }
  const absl::Time renewed_at = absl::Now();
  auto states = pool_.EvalPipeline(upkeep);
  if (!states.ok()) return states.status();
  std::vector<std::string> held, free;
  absl::Status error;
  for (size_t i = 0; i < municipalities.size(); ++i) {
    const auto& r = (*states)[i];
    if (!r.ok()) {
      error.Update(r.status());
      continue;
    }
    if (r->integer() == 1) held.push_back(municipalities[i]);
    if (r->integer() == -1) free.push_back(municipalities[i]);
  }
  {
    absl::MutexLock lock(&mu_);
    absl::flat_hash_map<std::string, absl::Time> renewed;
    for (const std::string& m : held) renewed[m] = renewed_at + validity;
    held_ = std::move(renewed);
    held_count_ = static_cast<int>(held_.size());
  }
  if (!error.ok()) return error;

  LeasePlan plan = PlanLeases(held, free, LeaseQuota(municipalities.size(), live, token_), token_);
  if (!plan.release.empty()) {
    {
      // Stop counting on them before they are given back.
      absl::MutexLock lock(&mu_);
      for (const std::string& m : plan.release) held_.erase(m);
      held_count_ = static_cast<int>(held_.size());
    }
    std::vector<RedisPool::ScriptCall> releases;
    for (const std::string& m : plan.release) {
      releases.push_back({&ReleaseScript(), {LeaseKey(m, service_, kind_)}, {token_}});
    }
    auto released = pool_.EvalPipeline(releases);
    if (!released.ok()) return released.status();  // they expire by themselves
  }
  if (plan.acquire.empty()) return absl::OkStatus();
  std::vector<std::vector<std::string>> sets;
  for (const std::string& m : plan.acquire) {
    sets.push_back({"SET", LeaseKey(m, service_, kind_), token_, "NX", "PX", ttl_arg});
  }
  const absl::Time acquired_at = absl::Now();
  auto acquired = pool_.Pipeline(sets);
  if (!acquired.ok()) return acquired.status();
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < plan.acquire.size(); ++i) {
    // "OK" when taken; nil when another replica was quicker.
    if ((*acquired)[i].is_status()) held_[plan.acquire[i]] = acquired_at + validity;
  }
  held_count_ = static_cast<int>(held_.size());
  return absl::OkStatus();
}

absl::Status MunicipalityLeases::ReleaseAll() {
  std::vector<RedisPool::ScriptCall> releases;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [m, valid_until] : held_) {
      releases.push_back({&ReleaseScript(), {LeaseKey(m, service_, kind_)}, {token_}});
    }
    held_.clear();
    held_count_ = 0;
  }
  absl::Status status;
  if (!releases.empty()) {
    auto released = pool_.EvalPipeline(releases);
    if (!released.ok()) status.Update(released.status());
  }
  auto left = pool_.Command({"ZREM", holders_key_, token_});
  if (!left.ok()) status.Update(left.status());
  return status;
}

}  // namespace kpr::store
