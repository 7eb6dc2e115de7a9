# kpr_outcomes_decisions: what each fact, timer and call writes (records, tally differences,
# events, timers) and what each read shows, computed without I/O and unit-tested beside it.
add_library(kpr_outcomes_decisions STATIC
  versioned_records.cc
  draft.cc
  cohort_facts.cc
  funnel_facts.cc
  outcome_timers.cc
  attendance_recording.cc
  questionnaire_submission.cc
  report_query.cc)
target_include_directories(kpr_outcomes_decisions PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_outcomes_decisions
  PUBLIC kpr_outcomes_store kpr_outcomes_reports kpr_outcomes_domain
         kpr_bus kpr_identity kpr_validation kpr_proto
         absl::flat_hash_map absl::status absl::statusor absl::strings absl::time)

foreach(t draft cohort_facts funnel_facts outcome_timers attendance_recording
          questionnaire_submission report_query)
  kpr_test(outcomes_${t}_test SOURCES ${t}_test.cc LIBS kpr_outcomes_decisions)
endforeach()

# kpr_outcomes: the desks (application layer) over their shared context, their gRPC and event
# adapters and the server wiring; kpr-outcomes is main.cc over it.
add_library(kpr_outcomes STATIC
  outcomes_context.cc
  facts_desk.cc
  attendance_desk.cc
  questionnaire_desk.cc
  report_desk.cc
  facts_handler.cc
  outcomes_access_policy.cc
  outcomes_grpc_service.cc
  outcomes_server.cc)
target_include_directories(kpr_outcomes PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_outcomes
  PUBLIC kpr_outcomes_decisions kpr_outcomes_store kpr_outcomes_reports kpr_outcomes_domain
         kpr_host kpr_timer kpr_bus kpr_rpc kpr_privacy kpr_audit kpr_observe kpr_proto
         kpr_store kpr_validation
         absl::status absl::statusor absl::strings absl::time)

kpr_service_binaries(outcomes kpr_outcomes)  # kpr-outcomes and kpr-outcomes-sim

kpr_test(outcomes_access_policy_test SOURCES outcomes_access_policy_test.cc outcomes_access_policy.cc
         LIBS kpr_rpc absl::strings)
