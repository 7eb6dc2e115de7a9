#include "bench/cpu_usage.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <vector>

#include "absl/strings/str_format.h"

namespace kpr::bench {
namespace {

// CPU seconds (user + system) from a /proc/<pid>[/task/<tid>]/stat line; `ppid` and `comm` too.
struct ProcStat {
  std::string comm;
  long ppid = 0;
  double cpu = 0;
};
bool ReadStat(const std::string& path, ProcStat& out) {
  std::ifstream f(path);
  std::string line;
  if (!std::getline(f, line)) return false;
  size_t open = line.find('('), close = line.rfind(')');
  if (open == std::string::npos || close == std::string::npos) return false;
  out.comm = line.substr(open + 1, close - open - 1);
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  std::vector<std::string> fields;
  while (rest >> field) fields.push_back(field);
  if (fields.size() < 13) return false;
  out.ppid = std::atol(fields[1].c_str());
  out.cpu = (std::atof(fields[11].c_str()) + std::atof(fields[12].c_str())) / sysconf(_SC_CLK_TCK);
  return true;
}

}  // namespace

std::map<std::string, double> CpuSnapshot() {
  std::map<std::string, double> out;
  ProcStat st;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      if (ReadStat(std::string("/proc/self/task/") + e->d_name + "/stat", st)) {
        out["self"] += st.cpu;
      }
    }
    closedir(d);
  }
  // The whole machine (other tenants included), to tell a saturated CPU from a stalled pipeline.
  {
    std::ifstream f("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (f >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) {
      const double tick = sysconf(_SC_CLK_TCK);
      out["machine busy"] = (user + nice + system + irq + softirq) / tick;
      out["machine idle"] = (idle + iowait) / tick;
      out["machine steal"] = steal / tick;
    }
  }
  const long me = getpid();
  if (DIR* d = opendir("/proc")) {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      if (ReadStat(std::string("/proc/") + e->d_name + "/stat", st) && st.ppid == me)
        out[st.comm] += st.cpu;
    }
    closedir(d);
  }
  return out;
}

void PrintCpu(const std::map<std::string, double>& before,
              const std::map<std::string, double>& after, int n, double seconds) {
  for (const auto& [name, cpu] : after) {
    auto it = before.find(name);
    double used = cpu - (it == before.end() ? 0 : it->second);
    if (used < 0.005) continue;
    std::cerr << absl::StrFormat("  cpu %-28s %6.2f s  %5.1f us/msg  %4.0f %% of a core\n", name,
                                 used, 1e6 * used / n, 100 * used / seconds);
  }
}

}  // namespace kpr::bench
