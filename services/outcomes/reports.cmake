# kpr_outcomes_reports: statistics (t quantiles, confidence intervals), small-cell suppression,
# building an OutcomeReport from tallies, and exporting it (CSV, JSON, text). Pure (no I/O).
add_library(kpr_outcomes_reports STATIC
  statistics.cc
  outcome_report.cc
  report_export.cc)
target_include_directories(kpr_outcomes_reports PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(kpr_outcomes_reports
  PUBLIC
    kpr_proto
    protobuf::libprotobuf
    absl::strings
    absl::str_format
    absl::time
    kpr_suppression
    kpr_outcomes_domain)  # DanishTimeZone(), the zone report periods are made in

kpr_test(outcomes_statistics_test SOURCES statistics_test.cc LIBS kpr_outcomes_reports)
kpr_test(outcomes_outcome_report_test SOURCES outcome_report_test.cc LIBS kpr_outcomes_reports)
kpr_test(outcomes_report_export_test SOURCES report_export_test.cc LIBS kpr_outcomes_reports)
