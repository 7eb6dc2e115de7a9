#ifndef KPR_SERVICES_SCHEDULING_PLAN_ASSIGN_H_
#define KPR_SERVICES_SCHEDULING_PLAN_ASSIGN_H_

// Minimum-cost assignment (Hungarian method with potentials, O(rows^2 * cols)): the planner
// gives its sessions their activities with it, so that each activity's sessions land in the
// weeks where its hosts are least loaded.

#include <vector>

namespace kpr::scheduling::plan {

// Assigns each of `rows` rows a distinct column of `cols` (rows <= cols) minimising the sum of
// cost[row * cols + col]; returns the column of each row. Ties go the same way every time.
std::vector<int> MinCostAssignment(int rows, int cols, const std::vector<double>& cost);

}  // namespace kpr::scheduling::plan

#endif  // KPR_SERVICES_SCHEDULING_PLAN_ASSIGN_H_
