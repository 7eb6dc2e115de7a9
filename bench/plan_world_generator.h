#ifndef KPR_BENCH_PLAN_WORLD_GENERATOR_H_
#define KPR_BENCH_PLAN_WORLD_GENERATOR_H_

// Synthetic, deterministic planning worlds for the planner benchmark: a national semester (one
// world per municipality, cohorts staggered so they compete for shared venues and instructors)
// and small instances the exact MILP can solve. Names and ids are invented. Only plain structs
// from planning_model.h are built here (nothing that needs the planner library).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/scheduling/planning_model.h"

namespace kpr::bench {

// splitmix64: the same numbers on every standard library (std:: distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [lo, hi], both inclusive.
  int Uniform(int lo, int hi);
  bool Chance(double p);

 private:
  uint64_t state_;
};

// One cohort to plan: what PlanRequest needs, plus what the checker needs.
struct CohortSpec {
  std::string cohort_id;
  const scheduling::ProgramModel* program = nullptr;
  int start_iso_year = 0;
  int start_iso_week = 0;
  int capacity = 0;
  absl::CivilDay not_before = absl::CivilDay(1970, 1, 1);
};

struct MunicipalityCase {
  scheduling::PlanningWorld world;
  // Ishøj-like: 10 weeks x 3 sessions, 09:00-13:00 weekdays, first/last at the health house.
  std::unique_ptr<scheduling::ProgramModel> ten_week;
  // Albertslund-like: 6 weeks x 1-2 morning sessions, first/last at the health house.
  std::unique_ptr<scheduling::ProgramModel> six_week;
  // The semester: 4 cohorts of `ten_week`, in planning order (start weeks staggered).
  std::vector<CohortSpec> cohorts;
  // One cohort of `six_week`, planned after the semester into the same occupancy.
  std::vector<CohortSpec> extra_cohorts;
};

// `municipalities` worlds for the autumn semester 2026 (autumn holiday week 42, Christmas).
std::vector<std::unique_ptr<MunicipalityCase>> GenerateSemester(uint64_t seed, int municipalities);

struct SmallInstance {
  std::string name;
  scheduling::PlanningWorld world;
  std::unique_ptr<scheduling::ProgramModel> program;
  // Sessions of other cohorts already booked (they hold venues and instructors, and count for
  // institution_load).
  std::vector<scheduling::Booking> existing;
  CohortSpec cohort;
};

// A small world (2-3 institutions, a few venues and instructors) and one cohort of a 3-4 week
// program with 2-3 sessions a week, for the exact reference. Deterministic in (seed, n).
SmallInstance GenerateSmallInstance(uint64_t seed, int n);

}  // namespace kpr::bench

#endif  // KPR_BENCH_PLAN_WORLD_GENERATOR_H_
