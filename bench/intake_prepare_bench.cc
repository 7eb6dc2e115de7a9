// Micro-benchmarks of the CPU work the intake does per submission before Redis: decoding the
// envelope, validation, id, pseudonym, sealing and the whole IntakeDesk::Prepare. Google
// Benchmark; run with `build/bench/kpr-bench-intake-prepare`.

#include <benchmark/benchmark.h>

#include "libs/bus/envelope.h"
#include "libs/privacy/pseudonym.h"
#include "libs/privacy/sealed_box.h"
#include "services/referral/intake_desk.h"
#include "services/referral/referral_id.h"
#include "services/referral/referral_validator.h"
#include "tests/support/referral_testing.h"

namespace kpr {
namespace {

void BM_SealContact(benchmark::State& state) {
  privacy::SealedBox box(std::string(32, 'k'));
  std::string contact(300, 'x');
  for (auto _ : state)
    benchmark::DoNotOptimize(box.Seal(contact, "0165-01JD3M5V0Q6Y2ZK4E1N8W9XRTB"));
}
BENCHMARK(BM_SealContact);

void BM_CitizenId(benchmark::State& state) {
  privacy::Pseudonymizer p(std::string(32, 'k'));
  for (auto _ : state) benchmark::DoNotOptimize(p.CitizenId("0165", "0101902000"));
}
BENCHMARK(BM_CitizenId);

void BM_ReferralId(benchmark::State& state) {
  privacy::Pseudonymizer keys(std::string(32, 'k'));
  for (auto _ : state)
    benchmark::DoNotOptimize(referral::ReferralIdFor(keys, "0165", "fasit", "case-1"));
}
BENCHMARK(BM_ReferralId);

void BM_DecodeEnvelope(benchmark::State& state) {
  auto data = testing::IntakeEnvelope(testing::SyntheticSubmission(5, "0165"), "id", "0165");
  for (auto _ : state) {
    auto event = bus::ParseEvent(data);
    benchmark::DoNotOptimize(bus::UnpackEvent<intake::v1::ReferralSubmitted>(*event));
  }
}
BENCHMARK(BM_DecodeEnvelope);

void BM_Validate(benchmark::State& state) {
  auto s = testing::SyntheticSubmission(5, "0165");
  absl::Time now = absl::Now();
  for (auto _ : state) benchmark::DoNotOptimize(referral::ValidateSubmission(s, now));
}
BENCHMARK(BM_Validate);

}  // namespace
}  // namespace kpr

BENCHMARK_MAIN();
