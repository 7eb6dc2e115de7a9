#include "tests/harness/servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

extern char** environ;

namespace kpr::testing {
namespace {

std::string* g_dir = nullptr;
RedisServer* g_redis = nullptr;
NatsServer* g_nats = nullptr;

}  // namespace

std::string FindBinary(const std::vector<std::string>& candidates) {
  for (const auto& c : candidates) {
    if (access(c.c_str(), X_OK) == 0) return c;
  }
  return candidates.front();
}

bool PortBindable(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

namespace {

// What the kernel hands out for bind(0) and for outgoing connections.
int EphemeralPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

int EphemeralLow() {
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (!(range >> low)) return 0;
  return low;
}

}  // namespace

int FreePort() {
  // Ports below the kernel's ephemeral range: an outgoing connection (another test's client, a
  // NATS route) can take an ephemeral port between our check and the server's bind, which
  // happened in CI (a NATS cluster node found its client port taken). Ports are drawn at random
  // from [kFreePortLow, kFreePortLow + kFreePortSpan) so that two test binaries running side by
  // side rarely draw the same one, and never hand out one twice within a process.
  static absl::Mutex mu(absl::kConstInit);
  static std::set<int>* handed_out = new std::set<int>();
  static std::mt19937* rng = new std::mt19937(std::random_device{}() ^ getpid());
  if (EphemeralLow() >= kFreePortLow + kFreePortSpan + 10000) {
    absl::MutexLock lock(&mu);
    for (int attempt = 0; attempt < 500; ++attempt) {
      int port = kFreePortLow + static_cast<int>((*rng)() % kFreePortSpan);
      if (handed_out->count(port) > 0 || !PortBindable(port)) continue;
      handed_out->insert(port);
      return port;
    }
  }
  return EphemeralPort();
}

absl::Status WaitForPort(int port, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    close(fd);
    if (rc == 0) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("nothing listens on port ", port));
}

ChildProcess::ChildProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
                           std::string log_path)
    : argv_(std::move(argv)), env_(std::move(env)), log_path_(std::move(log_path)) {}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) Signal(SIGKILL);
}

absl::Status ChildProcess::Start() {
  std::vector<std::string> env_strings;
  std::map<std::string, std::string> merged;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : env_) merged[k] = v;
  for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : argv_) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    // Unblock signals the parent may have blocked (ShutdownSignal in the parent).
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  pid_ = pid;
  return absl::OkStatus();
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ChildProcess::Signal(int signal, absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int status;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return status;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string ChildProcess::ReadLog() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RedisServer::RedisServer(std::string dir) : dir_(std::move(dir)), port_(FreePort()) {
  std::filesystem::create_directories(dir_);
}

std::string RedisServer::url() const { return absl::StrCat("redis://", host_, ":", port_); }

bool RedisServer::running() { return process_ && process_->Running(); }

absl::Status RedisServer::Start() {
  if (running()) return absl::OkStatus();
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{FindBinary({"/usr/bin/redis-server", "/usr/local/bin/redis-server"}),
                               "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir",
                               dir_, "--appendonly", "yes", "--appendfsync", "everysec", "--save",
                               "", "--protected-mode", "no", "--daemonize", "no", "--logfile", ""},
      std::map<std::string, std::string>{}, dir_ + "/redis.log");
  if (auto s = process_->Start(); !s.ok()) return s;
  if (auto s = WaitForPort(port_, absl::Seconds(10)); !s.ok()) return s;
  // The port opens before the AOF is loaded (replies are LOADING errors until then).
  absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    redisContext* c = redisConnect(host_.c_str(), port_);
    bool ready = false;
    if (c != nullptr && c->err == 0) {
      auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
      ready = r != nullptr && r->type == REDIS_REPLY_STATUS;
      if (r) freeReplyObject(r);
    }
    if (c) redisFree(c);
    if (ready) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("redis-server did not finish loading");
}

void RedisServer::Stop() {
  if (process_) process_->Signal(SIGTERM);
}

NatsServer::NatsServer(std::string dir)
    : dir_(std::move(dir)), port_(FreePort()), monitor_port_(FreePort()) {
  std::filesystem::create_directories(dir_);
}

std::string NatsServer::url() const { return absl::StrCat("nats://127.0.0.1:", port_); }

bool NatsServer::running() { return process_ && process_->Running(); }

absl::Status NatsServer::Start() {
  if (running()) return absl::OkStatus();
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{FindBinary({"/usr/sbin/nats-server", "/usr/bin/nats-server"}), "-js",
                               "-a", "127.0.0.1", "-p", std::to_string(port_), "-m",
                               std::to_string(monitor_port_), "-sd", dir_ + "/js"},
      std::map<std::string, std::string>{}, dir_ + "/nats.log");
  if (auto s = process_->Start(); !s.ok()) return s;
  return WaitForPort(port_, absl::Seconds(10));
}

void NatsServer::Stop() {
  if (process_) process_->Signal(SIGTERM);
}

RedisServer& Servers::Redis() { return *g_redis; }
NatsServer& Servers::Nats() { return *g_nats; }
const std::string& Servers::Dir() { return *g_dir; }

absl::Status FlushRedis() {
  redisContext* c = redisConnect("127.0.0.1", g_redis->port());
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return absl::UnavailableError("redis connect failed");
  }
  auto* reply = static_cast<redisReply*>(redisCommand(c, "FLUSHALL"));
  bool ok = reply != nullptr && reply->type != REDIS_REPLY_ERROR;
  if (reply) freeReplyObject(reply);
  redisFree(c);
  return ok ? absl::OkStatus() : absl::InternalError("FLUSHALL failed");
}

absl::Status DeleteAllStreams() {
  natsConnection* nc = nullptr;
  if (natsConnection_ConnectTo(&nc, g_nats->url().c_str()) != NATS_OK) {
    return absl::UnavailableError("nats connect failed");
  }
  jsCtx* js = nullptr;
  jsStreamNamesList* names = nullptr;
  absl::Status result = absl::OkStatus();
  if (natsConnection_JetStream(&js, nc, nullptr) == NATS_OK) {
    natsStatus s = js_StreamNames(&names, js, nullptr, nullptr);
    if (s == NATS_OK && names != nullptr) {
      for (int i = 0; i < names->Count; ++i) js_DeleteStream(js, names->List[i], nullptr, nullptr);
      jsStreamNamesList_Destroy(names);
    } else if (s != NATS_NOT_FOUND) {
      result = absl::InternalError("listing streams failed");
    }
    jsCtx_Destroy(js);
  }
  natsConnection_Destroy(nc);
  return result;
}

void InitHarness(const std::string& dir) {
  g_dir = new std::string(dir);
  g_redis = new RedisServer(dir + "/redis");
  g_nats = new NatsServer(dir + "/nats");
  if (auto s = g_redis->Start(); !s.ok()) {
    fprintf(stderr, "harness: redis-server did not start: %s\n", std::string(s.message()).c_str());
    std::exit(2);
  }
  if (auto s = g_nats->Start(); !s.ok()) {
    fprintf(stderr, "harness: nats-server did not start: %s\n", std::string(s.message()).c_str());
    std::exit(2);
  }
}

void StopPeers();  // peers.cc

void ShutdownHarness() {
  StopPeers();
  g_nats->Stop();
  g_redis->Stop();
}

std::string BinaryDir() {
  const char* d = std::getenv("KPR_BIN_DIR");
  return d ? d : ".";
}

}  // namespace kpr::testing
