# kpr_outcomes_domain: the pure rules of the outcomes service — questionnaire scoring, attendance
# and completion, the questionnaire schedule, and the report tallies. No I/O.
add_library(kpr_outcomes_domain STATIC
  instruments.cc
  attendance_rules.cc
  questionnaire_schedule.cc
  outcome_tally.cc)
target_include_directories(kpr_outcomes_domain PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_outcomes_domain
  PUBLIC
    kpr_calendar
    kpr_proto
    absl::flat_hash_map
    absl::flat_hash_set
    absl::status
    absl::statusor
    absl::strings
    absl::time)

foreach(t instruments attendance_rules questionnaire_schedule outcome_tally)
  kpr_test(outcomes_${t}_test SOURCES ${t}_test.cc LIBS kpr_outcomes_domain)
endforeach()
