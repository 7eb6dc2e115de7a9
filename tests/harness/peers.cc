// Servers::Smtp() and Servers::SmsGateway(): the harness's notify peers, started on first use so
// that test binaries which never send a message do not pay for them.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "absl/base/const_init.h"
#include "absl/synchronization/mutex.h"
#include "tests/harness/servers.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/harness/smtp_sink.h"

namespace kpr::testing {
namespace {

ABSL_CONST_INIT absl::Mutex g_peers_mu(absl::kConstInit);
SmtpSink* g_smtp ABSL_GUARDED_BY(g_peers_mu) = nullptr;
SmsGatewaySim* g_sms ABSL_GUARDED_BY(g_peers_mu) = nullptr;

template <typename Peer>
Peer& Started(Peer* peer, const char* what) {
  if (absl::Status s = peer->Start(); !s.ok()) {
    std::fprintf(stderr, "harness: %s did not start: %s\n", what, s.ToString().c_str());
    std::exit(2);
  }
  return *peer;
}

}  // namespace

SmtpSink& Servers::Smtp() {
  absl::MutexLock lock(&g_peers_mu);
  if (g_smtp == nullptr) g_smtp = &Started(new SmtpSink(Dir() + "/smtp"), "the SMTP sink");
  return *g_smtp;
}

SmsGatewaySim& Servers::SmsGateway() {
  absl::MutexLock lock(&g_peers_mu);
  if (g_sms == nullptr) {
    SmsGatewaySimOptions options;
    options.token = kTestGatewayToken;
    options.callback_secret = kTestCallbackSecret;
    g_sms = &Started(new SmsGatewaySim(options), "the SMS gateway simulator");
  }
  return *g_sms;
}

void StopPeers() {
  absl::MutexLock lock(&g_peers_mu);
  if (g_smtp != nullptr) g_smtp->Stop();
  if (g_sms != nullptr) g_sms->Stop();
}

namespace {

const std::string& WrittenOnce(const char* name, const char* content) {
  static absl::Mutex mu(absl::kConstInit);
  static auto* paths = new std::map<std::string, std::string>();
  absl::MutexLock lock(&mu);
  auto [it, inserted] = paths->try_emplace(name, Servers::Dir() + "/" + name);
  if (inserted) {
    if (FILE* f = std::fopen(it->second.c_str(), "w")) {
      std::fputs(content, f);
      std::fclose(f);
    }
  }
  return it->second;
}

}  // namespace

const std::string& TestGatewayTokenFile() {
  return WrittenOnce("gateway-token", kTestGatewayToken);
}

const std::string& TestCallbackSecretFile() {
  return WrittenOnce("callback-secret", kTestCallbackSecret);
}

}  // namespace kpr::testing
