# kpr-bench-outcomes: national-scale outcomes data loaded through the service's real write paths,
# then GetProgramReport latency (p50/p99 against an echo server in the same run) and Redis memory.
# Built only when the outcomes service library exists.
if(TARGET kpr_outcomes)
  add_executable(kpr-bench-outcomes outcomes_report_bench.cc outcomes_load.cc)
  target_include_directories(kpr-bench-outcomes PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(kpr-bench-outcomes PRIVATE kpr_outcomes kpr_referral_testing absl::flags_parse)
  kpr_use_service_allocator(kpr-bench-outcomes)
else()
  message(STATUS "kpr-bench-outcomes not built: needs kpr_outcomes")
endif()
