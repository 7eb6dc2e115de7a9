#ifndef KPR_LIBS_STORE_REDIS_REPLY_H_
#define KPR_LIBS_STORE_REDIS_REPLY_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

struct redisReply;  // hiredis

namespace kpr::store {

// Owning wrapper over a hiredis reply. Move-only. The root owns the reply tree; element(i)
// returns a non-owning view that must not outlive its root. A default-constructed reply (or a
// view of a missing element) is nil. Accessors of the wrong type return empty / 0.
class RedisReply {
 public:
  RedisReply() = default;
  // Takes ownership of `reply` (freed with freeReplyObject); nullptr gives a nil reply.
  static RedisReply Own(redisReply* reply);

  // A moved-from reply is nil.
  RedisReply(RedisReply&& other) noexcept
      : owned_(std::move(other.owned_)), reply_(std::exchange(other.reply_, nullptr)) {}
  RedisReply& operator=(RedisReply&& other) noexcept {
    owned_ = std::move(other.owned_);
    reply_ = std::exchange(other.reply_, nullptr);
    return *this;
  }
  RedisReply(const RedisReply&) = delete;
  RedisReply& operator=(const RedisReply&) = delete;

  bool is_nil() const;
  bool is_error() const;
  bool is_string() const;  // STRING or STATUS
  bool is_status() const;  // STATUS only (e.g. "OK", "PONG")
  bool is_integer() const;
  bool is_array() const;

  // Bytes of a STRING, STATUS or ERROR reply (binary-safe); empty otherwise.
  absl::string_view str() const;
  std::string string() const { return std::string(str()); }
  // Value of an INTEGER reply; 0 otherwise.
  long long integer() const;
  // Number of elements of an ARRAY reply; 0 otherwise.
  size_t size() const;
  // Non-owning view of element i of an ARRAY reply (nil if out of range).
  RedisReply element(size_t i) const;

 private:
  struct Free {
    void operator()(redisReply* r) const;
  };
  explicit RedisReply(const redisReply* view) : reply_(view) {}

  std::unique_ptr<redisReply, Free> owned_;
  const redisReply* reply_ = nullptr;
};

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_REDIS_REPLY_H_
