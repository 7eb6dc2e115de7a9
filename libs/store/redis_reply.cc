#include "libs/store/redis_reply.h"

#include <hiredis/hiredis.h>

namespace kpr::store {

void RedisReply::Free::operator()(redisReply* r) const { freeReplyObject(r); }

RedisReply RedisReply::Own(redisReply* reply) {
  RedisReply out(reply);
  out.owned_.reset(reply);
  return out;
}

bool RedisReply::is_nil() const { return reply_ == nullptr || reply_->type == REDIS_REPLY_NIL; }
bool RedisReply::is_error() const { return reply_ != nullptr && reply_->type == REDIS_REPLY_ERROR; }
bool RedisReply::is_string() const {
  return reply_ != nullptr &&
         (reply_->type == REDIS_REPLY_STRING || reply_->type == REDIS_REPLY_STATUS);
}
bool RedisReply::is_status() const {
  return reply_ != nullptr && reply_->type == REDIS_REPLY_STATUS;
}
bool RedisReply::is_integer() const {
  return reply_ != nullptr && reply_->type == REDIS_REPLY_INTEGER;
}
bool RedisReply::is_array() const { return reply_ != nullptr && reply_->type == REDIS_REPLY_ARRAY; }

absl::string_view RedisReply::str() const {
  if (reply_ == nullptr || reply_->str == nullptr) return {};
  switch (reply_->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      return absl::string_view(reply_->str, reply_->len);
    default:
      return {};
  }
}

long long RedisReply::integer() const { return is_integer() ? reply_->integer : 0; }

size_t RedisReply::size() const { return is_array() ? reply_->elements : 0; }

RedisReply RedisReply::element(size_t i) const {
  if (i >= size()) return RedisReply();
  return RedisReply(reply_->element[i]);
}

}  // namespace kpr::store
