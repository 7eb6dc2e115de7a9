# kpr_scheduling: the desk (application layer), its gRPC and event adapters and the server
# wiring; kpr-scheduling is main.cc over it.
add_library(kpr_scheduling STATIC
  participant_names.cc
  referral_events_handler.cc
  scheduling_desk.cc
  scheduling_grpc_service.cc
  scheduling_server.cc)
target_include_directories(kpr_scheduling PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_scheduling
  PUBLIC kpr_scheduling_store kpr_scheduling_planner kpr_scheduling_domain kpr_scheduling_calendar
         kpr_host kpr_timer kpr_bus kpr_rpc kpr_privacy kpr_observe kpr_proto
         absl::random_random absl::status absl::statusor absl::strings absl::time)

add_executable(kpr-scheduling main.cc)
kpr_use_service_allocator(kpr-scheduling)
target_link_libraries(kpr-scheduling PRIVATE kpr_scheduling absl::flags_parse)
