#ifndef KPR_LIBS_STORE_SCRIPT_H_
#define KPR_LIBS_STORE_SCRIPT_H_

#include <string>

namespace kpr::store {

// A Lua script run with EVALSHA (RedisPool::Eval / EvalPipeline load it on NOSCRIPT). Immutable;
// define scripts once (e.g. as static members) and share them between threads.
class Script {
 public:
  // `name` is for errors and logs only.
  Script(std::string name, std::string lua);

  const std::string& name() const { return name_; }
  const std::string& lua() const { return lua_; }
  // Lowercase hex SHA-1 of lua(), computed locally (equals what SCRIPT LOAD returns).
  const std::string& sha1() const { return sha1_; }

 private:
  std::string name_;
  std::string lua_;
  std::string sha1_;
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_SCRIPT_H_
