#include "tests/harness/nats_cluster.h"

#include <httplib.h>
#include <nats/nats.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"

namespace kpr::testing {
namespace {

constexpr char kClusterName[] = "kpr";

}  // namespace

NatsCluster::NatsCluster(std::string dir) : dir_(std::move(dir)), nodes_(kNodes) {
  for (int i = 0; i < kNodes; ++i) {
    nodes_[i].dir = absl::StrCat(dir_, "/n", i);
    std::filesystem::create_directories(nodes_[i].dir + "/js");
  }
  AssignPorts();
}

void NatsCluster::AssignPorts() {
  for (Node& n : nodes_) {
    n.port = FreePort();
    n.monitor_port = FreePort();
    n.cluster_port = FreePort();
  }
  for (int i = 0; i < kNodes; ++i) {
    std::vector<std::string> routes;
    for (int j = 0; j < kNodes; ++j) {
      if (j != i) routes.push_back(absl::StrCat("nats-route://127.0.0.1:", nodes_[j].cluster_port));
    }
    const Node& n = nodes_[i];
    std::ofstream conf(ConfigPath(i));
    conf << "server_name: " << server_name(i) << "\n"
         << "listen: 127.0.0.1:" << n.port << "\n"
         << "http: 127.0.0.1:" << n.monitor_port << "\n"
         << "jetstream {\n  store_dir: \"" << n.dir << "/js\"\n}\n"
         << "cluster {\n  name: " << kClusterName << "\n  listen: 127.0.0.1:" << n.cluster_port
         << "\n  routes: [" << absl::StrJoin(routes, ", ") << "]\n}\n";
  }
}

NatsCluster::~NatsCluster() {
  for (int i = 0; i < kNodes; ++i) Kill(i);
}

std::string NatsCluster::ConfigPath(int node) const { return nodes_[node].dir + "/nats.conf"; }

std::string NatsCluster::server_name(int node) const { return absl::StrCat("kpr-n", node); }

std::string NatsCluster::url(int node) const {
  return absl::StrCat("nats://127.0.0.1:", nodes_[node].port);
}

std::string NatsCluster::url() const {
  std::vector<std::string> urls;
  for (int i = 0; i < kNodes; ++i) urls.push_back(url(i));
  return absl::StrJoin(urls, ",");
}

bool NatsCluster::running(int node) {
  return nodes_[node].process && nodes_[node].process->Running();
}

absl::Status NatsCluster::StartNode(int node) {
  Node& n = nodes_[node];
  n.process = std::make_unique<ChildProcess>(
      std::vector<std::string>{FindBinary({"/usr/sbin/nats-server", "/usr/bin/nats-server"}), "-c",
                               ConfigPath(node)},
      std::map<std::string, std::string>{}, n.dir + "/nats.log");
  return n.process->Start();
}

absl::Status NatsCluster::Start(absl::Duration timeout) {
  absl::Status last;
  // A node that cannot bind one of its ports (another process took it since FreePort) exits at
  // once; the cluster then starts again on fresh ports, with a fresh deadline, rather than
  // failing the whole suite.
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = StartOnce(absl::Now() + timeout);
    if (last.ok()) return last;
    bool a_node_died = false;
    for (int i = 0; i < kNodes; ++i) a_node_died = a_node_died || !running(i);
    if (!a_node_died) break;
    for (int i = 0; i < kNodes; ++i) Kill(i);
    AssignPorts();
  }
  return last;
}

absl::Status NatsCluster::StartOnce(absl::Time deadline) {
  // All at once: a node waits for its routes to form the meta group.
  for (int i = 0; i < kNodes; ++i) {
    if (auto s = StartNode(i); !s.ok()) return s;
  }
  for (int i = 0; i < kNodes; ++i) {
    // A node that exits at once could not bind (someone else may even answer on its port).
    absl::Status listening = absl::DeadlineExceededError("nothing listens");
    while (!listening.ok() && running(i) && absl::Now() < deadline) {
      listening = WaitForPort(nodes_[i].port, absl::Milliseconds(100));
    }
    if (!running(i) || !listening.ok()) {
      return absl::UnavailableError(absl::StrCat("nats node ", i, " on port ", nodes_[i].port, ": ",
                                                 running(i) ? "not listening" : "exited",
                                                 "; its log ends: ", LogTail(i)));
    }
  }
  for (int i = 0; i < kNodes; ++i) {
    if (auto s = WaitForMetaLeader(i, deadline); !s.ok()) return s;
  }
  return absl::OkStatus();
}

std::string NatsCluster::LogTail(int node) const {
  if (!nodes_[node].process) return "(not started)";
  std::string log = nodes_[node].process->ReadLog();
  return log.size() > 600 ? log.substr(log.size() - 600) : log;
}

absl::Status NatsCluster::WaitForMetaLeader(int node, absl::Time deadline) {
  httplib::Client client("127.0.0.1", nodes_[node].monitor_port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  while (absl::Now() < deadline) {
    if (!running(node)) {
      return absl::UnavailableError(
          absl::StrCat("nats node ", node, " exited; its log ends: ", LogTail(node)));
    }
    if (auto res = client.Get("/jsz"); res && res->status == 200) {
      auto jsz = nlohmann::json::parse(res->body, nullptr, /*allow_exceptions=*/false);
      if (jsz.is_object() && jsz.contains("meta_cluster") &&
          !jsz["meta_cluster"].value("leader", std::string()).empty()) {
        return absl::OkStatus();
      }
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "nats node ", node, ": no JetStream meta leader; its log ends: ", LogTail(node)));
}

void NatsCluster::Kill(int node) {
  if (nodes_[node].process) nodes_[node].process->Signal(SIGKILL);
}

absl::Status NatsCluster::Restart(int node, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  if (running(node)) return absl::OkStatus();
  if (auto s = StartNode(node); !s.ok()) return s;
  if (auto s = WaitForPort(nodes_[node].port, timeout); !s.ok()) return s;
  return WaitForMetaLeader(node, deadline);
}

absl::StatusOr<int> NatsCluster::StreamLeader(const std::string& stream, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<std::string> urls;
  for (int i = 0; i < kNodes; ++i) {
    if (running(i)) urls.push_back(url(i));
  }
  std::vector<const char*> servers;
  for (const std::string& u : urls) servers.push_back(u.c_str());
  if (servers.empty()) return absl::UnavailableError("no nats node is running");
  natsOptions* opts = nullptr;
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  std::string leader;
  std::string last_error = "no answer";
  if (natsOptions_Create(&opts) == NATS_OK &&
      natsOptions_SetServers(opts, servers.data(), static_cast<int>(servers.size())) == NATS_OK &&
      natsOptions_SetTimeout(opts, 1000) == NATS_OK &&
      natsConnection_Connect(&nc, opts) == NATS_OK &&
      natsConnection_JetStream(&js, nc, nullptr) == NATS_OK) {
    while (absl::Now() < deadline) {
      jsStreamInfo* si = nullptr;
      jsOptions jo;
      jsOptions_Init(&jo);
      jo.Wait = 1000;
      jsErrCode err = static_cast<jsErrCode>(0);
      natsStatus s = js_GetStreamInfo(&si, js, stream.c_str(), &jo, &err);
      if (s == NATS_OK && si->Cluster != nullptr && si->Cluster->Leader != nullptr) {
        leader = si->Cluster->Leader;
      } else {
        last_error = absl::StrCat(natsStatus_GetText(s), " (", err, ")");
      }
      jsStreamInfo_Destroy(si);
      if (!leader.empty()) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
  }
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  natsOptions_Destroy(opts);
  for (int i = 0; i < kNodes; ++i) {
    if (!leader.empty() && leader == server_name(i)) return i;
  }
  return absl::UnavailableError(
      absl::StrCat("no leader for stream ", stream, ": ", leader.empty() ? last_error : leader));
}

absl::StatusOr<int> NatsCluster::KillStreamLeader(const std::string& stream) {
  absl::StatusOr<int> leader = StreamLeader(stream);
  if (leader.ok()) Kill(*leader);
  return leader;
}

}  // namespace kpr::testing
