#ifndef KPR_TESTS_SUPPORT_SCHEDULING_TESTING_H_
#define KPR_TESTS_SUPPORT_SCHEDULING_TESTING_H_

// Test support for the scheduling integration tests: the demo catalog (deploy/local/
// demo-catalog.json, invented institutions and staff for 0165 and 0183), loading it over gRPC,
// and a hard-constraint checker written independently of the planner: it reads only the catalog
// protos and the booked sessions, and knows the Danish holidays as a fixed list of official
// dates, not by computing them.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kpr/scheduling/v1/scheduling_service.grpc.pb.h"

namespace kpr::testing {

absl::StatusOr<scheduling::v1::CatalogBundle> LoadDemoCatalog();

// Puts every entry of the bundle (expected_version 0).
absl::Status PutCatalog(scheduling::v1::SchedulingService::Stub& stub, const std::string& token,
                        const scheduling::v1::CatalogBundle& bundle);

// Every booked session of the municipality's cohorts, with the cohorts. Each violation is a line
// naming the session and the rule. Covers: time window and 30-minute grid, activity duration
// and host, venue of the session's institution, opening hours, capacity, instructor of the
// institution, availability and absence, public holidays and customary closing days, the
// municipality's closed periods, venue closures, no venue or instructor double-booked across
// all cohorts, at most one session a day, min..max sessions in every course week, exactly
// `weeks` course weeks with at most 2 paused (closed) weeks, first and last activities.
struct CohortTimetable {
  scheduling::v1::Cohort cohort;
  std::vector<scheduling::v1::Session> sessions;  // SCHEDULED ones
};
std::vector<std::string> HardViolations(const scheduling::v1::CatalogBundle& catalog,
                                        const std::string& municipality,
                                        const std::vector<CohortTimetable>& timetables);

}  // namespace kpr::testing

#endif  // KPR_TESTS_SUPPORT_SCHEDULING_TESTING_H_
