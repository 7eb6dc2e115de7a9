#ifndef KPR_LIBS_STORE_RESP_FOR_TEST_H_
#define KPR_LIBS_STORE_RESP_FOR_TEST_H_

// Tests only: builds a RedisReply from RESP bytes with hiredis's reader, so reply parsers can be
// unit-tested without a server.

#include <hiredis/hiredis.h>

#include <string>

#include "gtest/gtest.h"
#include "libs/store/redis_reply.h"

namespace kpr::store {

inline RedisReply ParseResp(const std::string& resp) {
  redisReader* reader = redisReaderCreate();
  redisReaderFeed(reader, resp.data(), resp.size());
  void* r = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &r), REDIS_OK);
  redisReaderFree(reader);
  return RedisReply::Own(static_cast<redisReply*>(r));
}

}  // namespace kpr::store

#endif  // KPR_LIBS_STORE_RESP_FOR_TEST_H_
