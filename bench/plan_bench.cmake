# kpr-bench-plan: the cohort planner on a national semester (time, score, an independent hard
# constraint check) and its gap to the exact optimum on small instances (a MILP solved with
# GLPK). Built only when the planner library exists and GLPK (Debian: libglpk-dev) is found.
find_path(GLPK_INCLUDE_DIR glpk.h)
find_library(GLPK_LIBRARY glpk)
if(GLPK_INCLUDE_DIR AND GLPK_LIBRARY)
  # The benchmark's own judges (world generator, independent checker and score, exact MILP):
  # they use only the plain planning structs, not the planner.
  add_library(kpr_bench_plan_judges STATIC
    plan_world_generator.cc
    plan_checker.cc
    plan_milp.cc)
  target_include_directories(kpr_bench_plan_judges PUBLIC ${PROJECT_SOURCE_DIR}
                             PRIVATE ${GLPK_INCLUDE_DIR})
  target_link_libraries(kpr_bench_plan_judges PUBLIC
    kpr_calendar
    kpr_scheduling_calendar
    ${GLPK_LIBRARY}
    absl::flat_hash_map
    absl::flat_hash_set
    absl::strings
    absl::str_format
    absl::time)
  kpr_test(bench_plan_checker_test SOURCES plan_checker_test.cc LIBS kpr_bench_plan_judges)
endif()
if(TARGET kpr_scheduling_planner AND GLPK_INCLUDE_DIR AND GLPK_LIBRARY)
  add_executable(kpr-bench-plan plan_semester_bench.cc)
  target_include_directories(kpr-bench-plan PRIVATE ${GLPK_INCLUDE_DIR})
  target_link_libraries(kpr-bench-plan PRIVATE kpr_bench_plan_judges kpr_scheduling_planner)
else()
  message(STATUS "kpr-bench-plan not built: needs kpr_scheduling_planner and GLPK (libglpk-dev)")
endif()
