#include "services/scheduling/replacement_order.h"

#include <algorithm>
#include <tuple>

namespace kpr::scheduling {
namespace {

std::tuple<int64_t, int32_t> Key(const google::protobuf::Timestamp& t) {
  return {t.seconds(), t.nanos()};
}

}  // namespace

std::vector<v1::Enrollment> ReplacementOrder(const v1::CohortCancelled& cancelled) {
  std::vector<v1::Enrollment> out;
  for (const v1::Enrollment& p : cancelled.participants()) {
    if (!p.referral_id().empty()) out.push_back(p);
  }
  std::stable_sort(out.begin(), out.end(), [](const v1::Enrollment& a, const v1::Enrollment& b) {
    const auto& ta = a.has_accepted_at() ? a.accepted_at() : a.enrolled_at();
    const auto& tb = b.has_accepted_at() ? b.accepted_at() : b.enrolled_at();
    if (Key(ta) != Key(tb)) return Key(ta) < Key(tb);
    return a.referral_id() < b.referral_id();
  });
  return out;
}

}  // namespace kpr::scheduling
