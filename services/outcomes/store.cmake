# kpr_outcomes_store: the outcomes service's Redis state (records with versions, report tallies,
# indexes, processed-event markers); every change one Lua script with its outbox events and timers.
add_library(kpr_outcomes_store STATIC
  outcomes_store.cc
  outcomes_store_lua.cc)
target_include_directories(kpr_outcomes_store PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_outcomes_store
  PUBLIC
    kpr_bus
    kpr_store
    kpr_timer
    kpr_proto
    absl::flat_hash_map
    absl::flat_hash_set
    absl::status
    absl::statusor
    absl::str_format
    absl::strings
    absl::time)

kpr_test(outcomes_scripts_test SOURCES outcomes_scripts_test.cc LIBS kpr_outcomes_store)
kpr_test(outcomes_store_redistest SOURCES outcomes_store_redistest.cc LIBS kpr_outcomes_store)
