#include "services/outcomes/facts_handler.h"

#include <string>

#include "libs/bus/envelope.h"

namespace kpr::outcomes {

std::vector<bus::Outcome> FactsHandler::Handle(const std::vector<bus::Delivery>& batch) {
  std::vector<bus::Outcome> out;
  out.reserve(batch.size());
  for (const bus::Delivery& d : batch) {
    auto event = bus::ParseEvent(d.data);
    if (!event.ok()) {
      out.push_back(bus::DeadLetter(std::string(event.status().message())));
      continue;
    }
    out.push_back(bus::OutcomeFor(apply_(*event), d.delivery_count));
  }
  return out;
}

}  // namespace kpr::outcomes
