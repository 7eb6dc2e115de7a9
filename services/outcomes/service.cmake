# kpr_outcomes: the desk (application layer), its gRPC and event adapters and the server wiring;
# kpr-outcomes is main.cc over it.
add_library(kpr_outcomes STATIC
  facts_handler.cc
  outcomes_access_policy.cc
  outcomes_desk.cc
  outcomes_grpc_service.cc
  outcomes_server.cc)
target_include_directories(kpr_outcomes PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_outcomes
  PUBLIC kpr_outcomes_store kpr_outcomes_reports kpr_outcomes_domain
         kpr_host kpr_timer kpr_bus kpr_rpc kpr_privacy kpr_audit kpr_observe kpr_proto
         kpr_validation
         absl::status absl::statusor absl::strings absl::time)

add_executable(kpr-outcomes main.cc)
kpr_use_service_allocator(kpr-outcomes)
target_link_libraries(kpr-outcomes PRIVATE kpr_outcomes absl::flags_parse)

kpr_test(outcomes_access_policy_test SOURCES outcomes_access_policy_test.cc outcomes_access_policy.cc
         LIBS kpr_rpc absl::strings)
