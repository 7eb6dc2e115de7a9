# kpr_scheduling_domain: catalog mapping and validation, iCalendar export, access policy.
# Pure (no I/O). Links the planner for its model types and constraint names.
add_library(kpr_scheduling_domain STATIC
  catalog_mapping.cc
  catalog_validator.cc
  ics_export.cc
  replacement_order.cc
  scheduling_access_policy.cc)
target_include_directories(kpr_scheduling_domain PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_scheduling_domain
  PUBLIC
    kpr_scheduling_planner
    kpr_scheduling_calendar
    kpr_validation
    kpr_proto
    kpr_rpc
    absl::flat_hash_map
    absl::flat_hash_set
    absl::status
    absl::statusor
    absl::str_format
    absl::strings
    absl::time)

kpr_test(scheduling_catalog_mapping_test SOURCES catalog_mapping_test.cc
         LIBS kpr_scheduling_domain)
kpr_test(scheduling_catalog_validator_test SOURCES catalog_validator_test.cc
         LIBS kpr_scheduling_domain)
kpr_test(scheduling_ics_export_test SOURCES ics_export_test.cc
         LIBS kpr_scheduling_domain)
kpr_test(scheduling_access_policy_test SOURCES scheduling_access_policy_test.cc
         LIBS kpr_scheduling_domain)
kpr_test(scheduling_replacement_order_test SOURCES replacement_order_test.cc
         LIBS kpr_scheduling_domain)
