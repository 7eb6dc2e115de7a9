#include "tests/support/suite_processes.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/harness/smtp_sink.h"
#include "tests/support/notify_burst.h"

namespace kpr::testing {

SuiteProcesses::SuiteProcesses(const Secrets& secrets, SuiteOptions options)
    : secrets_(secrets), options_(std::move(options)) {
  if (options_.nats_url.empty()) options_.nats_url = Servers::Nats().url();
  if (options_.redis_url.empty()) options_.redis_url = Servers::Redis().url();
  // In this order, referral's replicas (and so their ports) exist before the services that
  // call referral are given its target.
  for (const char* service : kServices) {
    for (int i = 0; i < options_.replicas; ++i) {
      auto p = std::make_unique<ServiceProcess>(service, secrets_, EnvFor(service));
      if (options_.simulated_clock) p->UseSimulatedClock();
      processes_[service].push_back(std::move(p));
    }
  }
}

SuiteProcesses::~SuiteProcesses() { TerminateAll(); }

std::map<std::string, std::string> SuiteProcesses::EnvFor(const std::string& service) const {
  std::map<std::string, std::string> env = {{"KPR_NATS_URL", options_.nats_url},
                                            {"KPR_REDIS_URL", options_.redis_url}};
  if (service == "scheduling") env["KPR_REFERRAL_ADDR"] = Target("referral");
  if (service == "notify") {
    env = NotifyProcessEnv(Target("referral"), Servers::SmsGateway().url(), 0, std::move(env));
    env["KPR_QUESTIONNAIRE_URL"] = "https://skema.example.invalid/q";
  }
  for (const auto& [k, v] : options_.env) env[k] = v;
  return env;
}

absl::Status SuiteProcesses::Start() {
  for (const char* service : kServices) {
    for (auto& p : processes_[service]) {
      if (absl::Status st = p->Start(); !st.ok()) return st;
    }
  }
  for (const char* service : kServices) {
    for (auto& p : processes_[service]) {
      if (absl::Status st = p->WaitServing(absl::Seconds(60)); !st.ok()) {
        return absl::Status(st.code(), absl::StrCat(st.message(), "\n", p->Log().substr(0, 6000)));
      }
      if (absl::Status st = p->WaitConsuming(absl::Seconds(60)); !st.ok()) {
        return absl::Status(st.code(), absl::StrCat(st.message(), "\n", p->Log().substr(0, 6000)));
      }
    }
  }
  return absl::OkStatus();
}

void SuiteProcesses::TerminateAll() {
  for (auto it = std::rbegin(kServices); it != std::rend(kServices); ++it) {
    for (auto& p : processes_[*it]) p->Terminate();
  }
}

std::string SuiteProcesses::Target(const std::string& service) const {
  std::vector<std::string> addresses;
  for (const auto& p : processes_.at(service)) addresses.push_back(p->grpc_address());
  return absl::StrCat("ipv4:", absl::StrJoin(addresses, ","));
}

SuiteEndpoints SuiteProcesses::Endpoints() const {
  SuiteEndpoints s;
  s.referral = Target("referral");
  s.scheduling = Target("scheduling");
  s.outcomes = Target("outcomes");
  s.notify = Target("notify");
  s.nats_url = options_.nats_url;
  s.redis_url = options_.redis_url;
  s.jwt_secret = secrets_.jwt_secret;
  s.kprctl = BinaryDir() + "/tools/kprctl/kprctl";
#ifdef KPR_SOURCE_DIR
  s.catalog_file = std::string(KPR_SOURCE_DIR) + "/deploy/local/demo-catalog.json";
#endif
  return s;
}

std::string SuiteProcesses::Logs(size_t max_each) const {
  std::string out;
  for (const char* service : kServices) {
    for (size_t i = 0; i < processes_.at(service).size(); ++i) {
      absl::StrAppend(&out, "--- kpr-", service, " #", i, "\n",
                      processes_.at(service)[i]->Log().substr(0, max_each), "\n");
    }
  }
  return out;
}

}  // namespace kpr::testing
