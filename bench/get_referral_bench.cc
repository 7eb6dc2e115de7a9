// GetReferral latency at a fixed request rate, measured against a trivial echo server in the same
// run. Both servers use the same kpr server bootstrap (libs/rpc); the load is open-loop (a request
// is sent on schedule whether or not earlier ones have returned, and latency counts from the
// scheduled time, so a stall is not hidden). Prints p50/p99 per round.
// Target: GetReferral p99 within 2x the echo server's p99.

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/stats.h"
#include "grpcpp/grpcpp.h"
#include "kpr/bench/v1/echo.grpc.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/observe/log.h"
#include "libs/rpc/auth.h"
#include "libs/rpc/server.h"
#include "services/referral/referral_server.h"
#include "tests/support/referral_testing.h"

namespace kpr::bench {
namespace {

class EchoService final : public kpr::bench::v1::EchoService::Service {
  grpc::Status Echo(grpc::ServerContext*, const v1::EchoRequest* req,
                    v1::EchoResponse* resp) override {
    resp->set_payload(req->payload());
    return grpc::Status::OK;
  }
};

struct Result {
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  int ok = 0, failed = 0;
};

struct Call {
  grpc::ClientContext ctx;
  grpc::Status status;
  absl::Time scheduled;
  v1::EchoResponse echo;
  referral::v1::Referral referral;
};

// Sends `rate` calls a second for `duration` through `start_call` and collects latencies.
template <typename StartCall>
Result RunOpenLoop(int rate, absl::Duration duration, StartCall start_call) {
  grpc::CompletionQueue cq;
  int total = static_cast<int>(rate * absl::ToDoubleSeconds(duration));
  std::vector<double> latencies;
  latencies.reserve(total);
  Result result;
  std::thread receiver([&] {
    void* tag;
    bool ok;
    for (int i = 0; i < total && cq.Next(&tag, &ok); ++i) {
      auto* call = static_cast<Call*>(tag);
      if (call->status.ok()) {
        latencies.push_back(absl::ToDoubleMilliseconds(absl::Now() - call->scheduled));
        ++result.ok;
      } else {
        ++result.failed;
      }
      delete call;
    }
  });
  absl::Time start = absl::Now();
  for (int i = 0; i < total; ++i) {
    absl::Time due = start + absl::Seconds(1) * i / rate;
    absl::Time now = absl::Now();
    if (due > now) absl::SleepFor(due - now);
    auto* call = new Call;
    call->scheduled = due;
    call->ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    start_call(call, &cq);
  }
  receiver.join();
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
  std::sort(latencies.begin(), latencies.end());
  if (!latencies.empty()) {
    result.p50_ms = latencies[latencies.size() / 2];
    result.p99_ms = latencies[std::min(latencies.size() - 1, latencies.size() * 99 / 100)];
    result.max_ms = latencies.back();
  }
  return result;
}

}  // namespace
}  // namespace kpr::bench

int main(int argc, char** argv) {
  using namespace kpr;  // NOLINT
  int rate = argc > 1 ? std::atoi(argv[1]) : 2000;
  int seconds = argc > 2 ? std::atoi(argv[2]) : 5;
  int rounds = argc > 3 ? std::atoi(argv[3]) : 3;
  observe::SetMinLogLevel(observe::LogLevel::kError);
  std::string tmpl = (std::filesystem::temp_directory_path() / "kpr-bench-XXXXXX").string();
  std::string dir = mkdtemp(tmpl.data());
  testing::InitHarness(dir);
  auto secrets = testing::WriteSecrets(dir);

  // The echo server, on the same bootstrap.
  bench::EchoService echo;
  rpc::ServerOptions echo_options;
  echo_options.address = "127.0.0.1:0";
  echo_options.services = {&echo};
  auto echo_server = rpc::RpcServer::Start(echo_options);
  if (!echo_server.ok()) return 1;
  (*echo_server)->SetServing(true);

  // The referral server with one referral to read.
  rpc::ServiceConfig config = testing::HarnessServiceConfig(secrets);
  auto server = referral::ReferralServer::Start(config, {});
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  testing::Eventually([&] { return (*server)->healthy(); }, absl::Seconds(20));
  std::string token =
      testing::MakeToken(secrets.jwt_secret, identity::Role::kCoordinator, {"0165"}, "bench");
  auto referral_channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->grpc_port()),
                                              grpc::InsecureChannelCredentials());
  auto referral_stub = referral::v1::ReferralService::NewStub(referral_channel);
  std::string id;
  {
    grpc::ClientContext ctx;
    rpc::SetBearerToken(ctx, token);
    referral::v1::SubmitReferralRequest req;
    *req.mutable_submission() = testing::SyntheticSubmission(1, "0165", "bench");
    referral::v1::SubmitReferralResponse resp;
    grpc::Status st = referral_stub->SubmitReferral(&ctx, req, &resp);
    if (!st.ok()) {
      std::cerr << "submit: " << st.error_message() << "\n";
      return 1;
    }
    id = resp.referral().id();
  }
  auto echo_stub = kpr::bench::v1::EchoService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*echo_server)->port()), grpc::InsecureChannelCredentials()));
  kpr::bench::v1::EchoRequest echo_req;
  echo_req.set_payload(std::string(200, 'x'));
  referral::v1::GetReferralRequest get_req;
  get_req.set_id(id);

  std::cout << absl::StrFormat("rate %d/s for %d s per measurement\n\n", rate, seconds)
            << "| round | server | ok | failed | p50 ms | p99 ms | max ms "
               "|\n|---|---|---|---|---|---|---|\n";
  std::vector<double> echo_p99, get_p99, echo_p50, get_p50;
  for (int r = 1; r <= rounds; ++r) {
    auto e = bench::RunOpenLoop(rate, absl::Seconds(seconds),
                                [&](bench::Call* call, grpc::CompletionQueue* cq) {
                                  auto rpc = echo_stub->AsyncEcho(&call->ctx, echo_req, cq);
                                  rpc->Finish(&call->echo, &call->status, call);
                                });
    auto g = bench::RunOpenLoop(
        rate, absl::Seconds(seconds), [&](bench::Call* call, grpc::CompletionQueue* cq) {
          rpc::SetBearerToken(call->ctx, token);
          auto rpc = referral_stub->AsyncGetReferral(&call->ctx, get_req, cq);
          rpc->Finish(&call->referral, &call->status, call);
        });
    std::cout << absl::StrFormat("| %d | echo | %d | %d | %.3f | %.3f | %.3f |\n", r, e.ok,
                                 e.failed, e.p50_ms, e.p99_ms, e.max_ms)
              << absl::StrFormat("| %d | GetReferral | %d | %d | %.3f | %.3f | %.3f |\n", r, g.ok,
                                 g.failed, g.p50_ms, g.p99_ms, g.max_ms)
              << absl::StrFormat("| %d | ratio p99 | | | | %.2fx | |\n", r,
                                 e.p99_ms > 0 ? g.p99_ms / e.p99_ms : 0)
              << std::flush;
    echo_p99.push_back(e.p99_ms);
    get_p99.push_back(g.p99_ms);
    echo_p50.push_back(e.p50_ms);
    get_p50.push_back(g.p50_ms);
  }
  using kpr::bench::Median;
  std::cout << absl::StrFormat(
      "\nMedian over %d rounds: echo p50 %.3f ms, p99 %.3f ms; GetReferral p50 %.3f ms, p99 %.3f "
      "ms; "
      "p99 ratio %.2fx (target <= 2x)\n",
      rounds, Median(echo_p50), Median(echo_p99), Median(get_p50), Median(get_p99),
      Median(echo_p99) > 0 ? Median(get_p99) / Median(echo_p99) : 0.0);
  (*server)->Shutdown(absl::Seconds(1));
  (*echo_server)->Shutdown(absl::Seconds(1));
  testing::ShutdownHarness();
  std::filesystem::remove_all(dir);
  return 0;
}
