// kpr_clock_real: the production binaries' domain clock is the machine's clock.
#include "absl/time/clock.h"
#include "libs/clock/domain_clock.h"

namespace kpr::clock {
namespace {

class RealClock final : public DomainClock {
 public:
  absl::Time Now() override { return absl::Now(); }
  void OnJump(std::function<void()>) override {}  // it never jumps
  absl::string_view kind() const override { return "real"; }
};

}  // namespace

absl::StatusOr<std::unique_ptr<DomainClock>> OpenDomainClock(const rpc::ServiceConfig&) {
  return std::unique_ptr<DomainClock>(new RealClock());
}

}  // namespace kpr::clock
