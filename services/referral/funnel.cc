#include "services/referral/funnel.h"

#include <map>

namespace kpr::referral {

void CountFunnel(const std::vector<FunnelRow>& rows, v1::Funnel& funnel) {
  int64_t reached[6] = {0, 0, 0, 0, 0, 0};  // index = stage
  std::map<int, int64_t> by_status;
  std::map<int, std::array<int64_t, 6>> by_source;
  for (const FunnelRow& row : rows) {
    ++by_status[row.status];
    auto& src = by_source.try_emplace(row.source, std::array<int64_t, 6>{}).first->second;
    for (int stage = 1; stage <= 5 && stage <= row.reach; ++stage) {
      ++reached[stage];
      ++src[stage];
    }
  }
  funnel.set_referred(reached[1]);
  funnel.set_contacted(reached[2]);
  funnel.set_accepted(reached[3]);
  funnel.set_enrolled(reached[4]);
  funnel.set_completed(reached[5]);
  funnel.clear_by_status();
  for (const auto& [status, count] : by_status) {
    auto* sc = funnel.add_by_status();
    sc->set_status(static_cast<v1::ReferralStatus>(status));
    sc->set_count(count);
  }
  funnel.clear_by_source();
  for (const auto& [source, stages] : by_source) {
    auto* sc = funnel.add_by_source();
    sc->set_source(static_cast<intake::v1::ReferralSource>(source));
    sc->set_referred(stages[1]);
    sc->set_contacted(stages[2]);
    sc->set_accepted(stages[3]);
    sc->set_enrolled(stages[4]);
    sc->set_completed(stages[5]);
  }
}

}  // namespace kpr::referral
