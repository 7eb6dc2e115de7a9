#include "libs/store/lease_plan.h"

#include <algorithm>

namespace kpr::store {

size_t LeaseQuota(size_t total, std::vector<std::string> live_tokens, absl::string_view me) {
  std::sort(live_tokens.begin(), live_tokens.end());
  live_tokens.erase(std::unique(live_tokens.begin(), live_tokens.end()), live_tokens.end());
  auto it = std::lower_bound(live_tokens.begin(), live_tokens.end(), me);
  if (it == live_tokens.end() || *it != me) it = live_tokens.insert(it, std::string(me));
  const size_t live = live_tokens.size();
  const size_t rank = static_cast<size_t>(it - live_tokens.begin());
  return total / live + (rank < total % live ? 1 : 0);
}

uint64_t LeasePreference(absl::string_view token, absl::string_view municipality) {
  uint64_t h = 14695981039346656037ull;
  auto mix = [&h](absl::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(token);
  mix("/");
  mix(municipality);
  return h;
}

namespace {

// Most preferred first.
std::vector<std::string> ByPreference(std::vector<std::string> ms, absl::string_view me) {
  std::sort(ms.begin(), ms.end(), [me](const std::string& a, const std::string& b) {
    const uint64_t wa = LeasePreference(me, a);
    const uint64_t wb = LeasePreference(me, b);
    return wa != wb ? wa > wb : a < b;
  });
  return ms;
}

}  // namespace

LeasePlan PlanLeases(const std::vector<std::string>& held, const std::vector<std::string>& free,
                     size_t quota, absl::string_view me) {
  LeasePlan plan;
  if (held.size() > quota) {
    std::vector<std::string> ordered = ByPreference(held, me);
    plan.release.assign(ordered.begin() + static_cast<ptrdiff_t>(quota), ordered.end());
    return plan;
  }
  std::vector<std::string> ordered = ByPreference(free, me);
  const size_t want = std::min(quota - held.size(), ordered.size());
  plan.acquire.assign(ordered.begin(), ordered.begin() + static_cast<ptrdiff_t>(want));
  return plan;
}

}  // namespace kpr::store
