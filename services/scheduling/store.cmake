# kpr_scheduling_store: cohorts, sessions, bookings, enrolments, waitlists and the catalog in
# Redis; every change one Lua script with its outbox events and timers.
add_library(kpr_scheduling_store STATIC
  scheduling_store.cc
  scheduling_store_catalog.cc
  scheduling_store_cohorts.cc
  scheduling_store_enrolment.cc
  scheduling_store_reads.cc
  scheduling_store_script_io.cc
  scheduling_keys.cc
  scheduling_store_lua.cc
  scheduling_cohort_lua.cc
  scheduling_enrolment_lua.cc)
target_include_directories(kpr_scheduling_store PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_scheduling_store
  PUBLIC
    kpr_store
    kpr_timer
    kpr_bus
    kpr_proto
    absl::status
    absl::statusor
    absl::strings
    absl::time)

kpr_test(scheduling_keys_test SOURCES scheduling_keys_test.cc
         LIBS kpr_scheduling_store)
kpr_test(scheduling_scripts_test SOURCES scheduling_scripts_test.cc
         LIBS kpr_scheduling_store)
kpr_test(scheduling_store_redistest SOURCES scheduling_store_redistest.cc
         LIBS kpr_scheduling_store)
kpr_test(scheduling_store_reread_redistest SOURCES scheduling_store_reread_redistest.cc
         LIBS kpr_scheduling_store)
kpr_test(scheduling_store_concurrency_redistest SOURCES scheduling_store_concurrency_redistest.cc
         LIBS kpr_scheduling_store)
