# kpr_scheduling_planner: the planning model (world, bookings), the cohort planner (greedy
# construction + local search), repair and the coordinator-facing obstacle texts. No I/O.
add_library(kpr_scheduling_planner STATIC
  planning_model.cc
  planner_types.cc
  plan_constraints.cc
  cohort_planner.cc
  plan_repair.cc
  plan_problem.cc
  plan_search.cc
  plan_search_construct.cc
  plan_search_improve.cc
  plan_explain.cc
  plan_format.cc
  plan_assign.cc
  plan_activity_search.cc)
target_include_directories(kpr_scheduling_planner PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_scheduling_planner PUBLIC
  kpr_scheduling_calendar
  absl::flat_hash_map
  absl::span
  absl::strings
  absl::str_format
  absl::time)

kpr_test(scheduling_planning_model_test SOURCES planning_model_test.cc
         LIBS kpr_scheduling_planner)
kpr_test(scheduling_cohort_planner_test SOURCES cohort_planner_test.cc
         LIBS kpr_scheduling_planner)
kpr_test(scheduling_plan_repair_test SOURCES plan_repair_test.cc
         LIBS kpr_scheduling_planner)
