#include "services/scheduling/planning_input.h"

#include "absl/strings/str_cat.h"
#include "services/scheduling/catalog_mapping.h"

namespace kpr::scheduling {

absl::StatusOr<PlanningInput> LoadPlanningInput(SchedulingStore& store, const std::string& m,
                                                const std::string& program_id, absl::CivilDay from,
                                                absl::CivilDay to,
                                                const std::string& leave_out_cohort) {
  PlanningInput in;
  auto catalog = store.LoadCatalog(m);
  if (!catalog.ok()) return catalog.status();
  auto world =
      BuildPlanningWorld(m, catalog->institutions, catalog->instructors, catalog->calendar);
  if (!world.ok())
    return absl::FailedPreconditionError(
        absl::StrCat("the catalog does not plan: ", world.status().message()));
  in.world = *std::move(world);
  const v1::ProgramTemplate* program = nullptr;
  for (const auto& p : catalog->programs) {
    if (p.program_id() == program_id) program = &p;
  }
  if (program == nullptr)
    return absl::NotFoundError(absl::StrCat("program ", program_id, " not found in ", m));
  auto model = ToProgramModel(*program);
  if (!model.ok())
    return absl::FailedPreconditionError(
        absl::StrCat("program does not plan: ", model.status().message()));
  in.program = *std::move(model);
  auto bookings = store.LoadBookings(m, from, to);
  if (!bookings.ok()) return bookings.status();
  for (const auto& s : *bookings) {
    if (!leave_out_cohort.empty() && s.cohort_id() == leave_out_cohort) continue;
    auto b = SessionToBooking(s);
    if (b.ok()) in.others.Add(*b);
  }
  return in;
}

}  // namespace kpr::scheduling
