# kpr_scheduling: the desks (application layer: catalog, cohorts, timetable, enrolment over one
# shared context), the pure functions deciding what their changes write, the gRPC and event
# adapters and the server wiring; kpr-scheduling is main.cc over it.
add_library(kpr_scheduling STATIC
  catalog_desk.cc
  cohort_desk.cc
  cohort_lifecycle.cc
  desk_context.cc
  enrolment_changes.cc
  enrolment_desk.cc
  event_stamp.cc
  participant_names.cc
  planned_cohort.cc
  planning_input.cc
  referral_events_handler.cc
  scheduling_grpc_service.cc
  scheduling_server.cc
  session_changes.cc
  session_reschedule.cc
  timetable_desk.cc)
target_include_directories(kpr_scheduling PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_scheduling
  PUBLIC kpr_scheduling_store kpr_scheduling_planner kpr_scheduling_domain kpr_scheduling_calendar
         kpr_host kpr_timer kpr_bus kpr_rpc kpr_privacy kpr_observe kpr_proto
         absl::random_random absl::status absl::statusor absl::strings absl::time)

# What a change writes is decided by pure functions; their tests need no servers.
kpr_test(scheduling_cohort_lifecycle_test SOURCES cohort_lifecycle_test.cc LIBS kpr_scheduling)
kpr_test(scheduling_planned_cohort_test SOURCES planned_cohort_test.cc LIBS kpr_scheduling)
kpr_test(scheduling_session_changes_test SOURCES session_changes_test.cc LIBS kpr_scheduling)
kpr_test(scheduling_session_reschedule_test SOURCES session_reschedule_test.cc
         LIBS kpr_scheduling)
kpr_test(scheduling_enrolment_changes_test SOURCES enrolment_changes_test.cc LIBS kpr_scheduling)
kpr_test(scheduling_desk_context_test SOURCES desk_context_test.cc LIBS kpr_scheduling)

kpr_service_binaries(scheduling kpr_scheduling)  # kpr-scheduling and kpr-scheduling-sim
