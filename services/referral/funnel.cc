#include "services/referral/funnel.h"

#include <array>
#include <map>

#include "libs/suppression/suppression.h"

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

namespace {

constexpr int kStages = 5;  // FUNNEL_STAGE_REFERRED .. FUNNEL_STAGE_COMPLETED

// The five stage counts of the whole funnel or of one source.
std::array<int64_t, kStages> StagesOf(const v1::Funnel& f) {
  return {f.referred(), f.contacted(), f.accepted(), f.enrolled(), f.completed()};
}
std::array<int64_t, kStages> StagesOf(const v1::SourceCount& c) {
  return {c.referred(), c.contacted(), c.accepted(), c.enrolled(), c.completed()};
}
template <typename Counts>
void ClearStage(Counts& c, int stage) {
  switch (stage) {
    case 0:
      c.set_referred(0);
      break;
    case 1:
      c.set_contacted(0);
      break;
    case 2:
      c.set_accepted(0);
      break;
    case 3:
      c.set_enrolled(0);
      break;
    case 4:
      c.set_completed(0);
      break;
  }
}

// Adds one funnel's stages as cells, with the hidden "stopped after" differences between them.
std::array<int, kStages> AddStages(const std::array<int64_t, kStages>& counts,
                                   suppression::SuppressionTable& table) {
  std::array<int, kStages> cells;
  for (int s = 0; s < kStages; ++s) cells[s] = table.AddCell(static_cast<double>(counts[s]));
  for (int s = 0; s + 1 < kStages; ++s) {
    const int stopped = table.AddCell(static_cast<double>(counts[s] - counts[s + 1]));
    table.AddSum(cells[s], {cells[s + 1], stopped});
  }
  return cells;
}

}  // namespace

void SuppressSmallCounts(int threshold, v1::Funnel& funnel) {
  funnel.set_suppression_threshold(threshold);
  suppression::SuppressionTable table;
  const std::array<int, kStages> total = AddStages(StagesOf(funnel), table);
  std::vector<int> status_cells;
  int completed_status = -1;
  for (const v1::StatusCount& sc : funnel.by_status()) {
    status_cells.push_back(table.AddCell(static_cast<double>(sc.count())));
    if (sc.status() == v1::REFERRAL_STATUS_COMPLETED) completed_status = status_cells.back();
  }
  if (!status_cells.empty()) table.AddSum(total[0], status_cells);
  if (completed_status >= 0) table.AddSum(total[kStages - 1], {completed_status});
  std::vector<std::array<int, kStages>> source_cells;
  for (const v1::SourceCount& sc : funnel.by_source()) {
    source_cells.push_back(AddStages(StagesOf(sc), table));
  }
  if (!source_cells.empty()) {
    for (int s = 0; s < kStages; ++s) {
      std::vector<int> parts;
      for (const auto& cells : source_cells) parts.push_back(cells[s]);
      table.AddSum(total[s], parts);
    }
  }
  table.Apply(threshold);

  funnel.clear_suppressed_stages();
  for (int s = 0; s < kStages; ++s) {
    if (!table.suppressed(total[s])) continue;
    ClearStage(funnel, s);
    funnel.add_suppressed_stages(static_cast<v1::FunnelStage>(s + 1));
  }
  for (int i = 0; i < funnel.by_status_size(); ++i) {
    if (!table.suppressed(status_cells[i])) continue;
    funnel.mutable_by_status(i)->set_count(0);
    funnel.mutable_by_status(i)->set_suppressed(true);
  }
  for (int i = 0; i < funnel.by_source_size(); ++i) {
    v1::SourceCount& sc = *funnel.mutable_by_source(i);
    sc.clear_suppressed_stages();
    for (int s = 0; s < kStages; ++s) {
      if (!table.suppressed(source_cells[i][s])) continue;
      ClearStage(sc, s);
      sc.add_suppressed_stages(static_cast<v1::FunnelStage>(s + 1));
    }
  }
}

}  // namespace kpr::referral
