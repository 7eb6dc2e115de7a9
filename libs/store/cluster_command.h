#ifndef KPR_LIBS_STORE_CLUSTER_COMMAND_H_
#define KPR_LIBS_STORE_CLUSTER_COMMAND_H_

// Which argument of a command decides where it goes in a Redis Cluster. Pure; covers the commands
// kpr sends (grep the services and libs for Command/Pipeline/Eval) and the usual admin ones.

#include <cstddef>
#include <string>
#include <vector>

namespace kpr::store {

struct CommandRoute {
  enum class Kind {
    kKey,      // argv[key_index] is the routing key
    kAnyNode,  // no key (PING, SCRIPT, INFO, ...): any primary will do
    kNoKey,    // a script call with numkeys 0: it cannot be routed in a cluster
  };
  Kind kind = Kind::kAnyNode;
  size_t key_index = 0;
};

// Most commands take their key at argv[1]; EVAL/EVALSHA (and _RO, FCALL) at argv[3] when numkeys
// > 0; XREAD/XREADGROUP the first key after STREAMS; MEMORY USAGE and OBJECT <sub> at argv[2].
// The command name is case-insensitive. Multi-key commands route by their first key (the server
// answers CROSSSLOT if the others differ).
CommandRoute RouteOf(const std::vector<std::string>& argv);

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_CLUSTER_COMMAND_H_
