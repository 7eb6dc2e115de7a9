#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/store/keys.h"
#include "libs/store/outbox.h"
#include "libs/store/redis_pool.h"
#include "libs/store/script.h"
#include "tests/harness/servers.h"

namespace kpr::store {
namespace {

using ::testing::ElementsAre;

RedisOptions TestOptions() {
  auto o = RedisOptionsFromUrl(kpr::testing::Servers::Redis().url());
  EXPECT_TRUE(o.ok()) << o.status();
  return *o;
}

// The shape every service script has: check the expected version, then write the entity and
// append the event, all in one script.
// KEYS[1] entity, KEYS[2] outbox; ARGV: expected version, value, event id, subject, data.
const Script& SaveScript() {
  static const Script* s = new Script("save", std::string(kOutboxAppendLua) + R"lua(
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then
  return redis.error_reply('CONFLICT version ' .. version)
end
redis.call('HSET', KEYS[1], 'version', version + 1, 'value', ARGV[2])
return outbox_append(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
)lua");
  return *s;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kpr::testing::FlushRedis().ok()); }

  absl::StatusOr<RedisReply> Save(absl::string_view m, int expected_version,
                                  const std::string& value, const std::string& event_id,
                                  const std::string& data) {
    return pool_.Eval(SaveScript(), {Key(m, "test", "e:1"), OutboxKey(m, "test")},
                      {absl::StrCat(expected_version), value, event_id,
                       absl::StrCat("kpr.test.v1.saved.", m), data});
  }

  RedisPool pool_{TestOptions()};
  Outbox outbox_{pool_, "test"};
};

TEST_F(OutboxTest, ScriptAppendsWithTheStateChange) {
  ASSERT_TRUE(outbox_.Register("0165").ok());
  const std::string data("\x0a\x00\xff\x01", 4);  // protobuf bytes may hold NULs
  auto id = Save("0165", 0, "v1", "ev-1", data);
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(id->is_string());

  auto value = pool_.Command({"HGET", Key("0165", "test", "e:1"), "value"});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->string(), "v1");
  auto entries = outbox_.Read("0165", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  const OutboxEntry& e = (*entries)[0];
  EXPECT_EQ(e.stream_id, id->string());
  EXPECT_EQ(e.event_id, "ev-1");
  EXPECT_EQ(e.subject, "kpr.test.v1.saved.0165");
  EXPECT_EQ(e.data, data);

  // A failed version check writes neither the state nor an event.
  auto conflict = Save("0165", 0, "v2", "ev-2", "x");
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(conflict.status().message(), "CONFLICT version 1");
  value = pool_.Command({"HGET", Key("0165", "test", "e:1"), "value"});
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->string(), "v1");
  auto length = outbox_.Length("0165");
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(*length, 1);
}

TEST_F(OutboxTest, ReadOldestFirstThenRemove) {
  std::vector<RedisPool::ScriptCall> calls;
  for (int i = 0; i < 5; ++i) {
    calls.push_back({&SaveScript(),
                     {Key("0101", "test", "e:1"), OutboxKey("0101", "test")},
                     {absl::StrCat(i), absl::StrCat("v", i), absl::StrCat("ev-", i),
                      "kpr.test.v1.saved.0101", absl::StrCat("d", i)}});
  }
  auto results = pool_.EvalPipeline(calls);
  ASSERT_TRUE(results.ok()) << results.status();
  for (const auto& r : *results) ASSERT_TRUE(r.ok()) << r.status();

  auto first = outbox_.Read("0101", 3);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 3u);
  EXPECT_EQ((*first)[0].event_id, "ev-0");
  EXPECT_EQ((*first)[1].event_id, "ev-1");
  EXPECT_EQ((*first)[2].event_id, "ev-2");
  EXPECT_EQ((*first)[2].data, "d2");

  ASSERT_TRUE(
      outbox_.Remove("0101", {(*first)[0].stream_id, (*first)[1].stream_id, (*first)[2].stream_id})
          .ok());
  ASSERT_TRUE(outbox_.Remove("0101", {}).ok());
  auto length = outbox_.Length("0101");
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(*length, 2);
  auto rest = outbox_.Read("0101", 10);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].event_id, "ev-3");
  EXPECT_EQ((*rest)[1].event_id, "ev-4");

  auto none = outbox_.Read("0999", 10);  // no stream at all
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  length = outbox_.Length("0999");
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(*length, 0);
}

// A script emitting many events at once: outbox_append_many packs them into entries of up to
// kOutboxEventsPerEntry events and returns each event's stream id; Read gives them back one by
// one, in order.
TEST_F(OutboxTest, ManyEventsPerEntry) {
  static const Script* many = new Script("many", std::string(kOutboxAppendLua) + R"lua(
local events = {}
for i = 1, tonumber(ARGV[1]) do
  events[#events + 1] = 'ev-' .. i
  events[#events + 1] = 'kpr.test.v1.saved.0101'
  events[#events + 1] = 'd' .. i
end
return outbox_append_many(KEYS[1], events)
)lua");
  auto one = pool_.Eval(SaveScript(), {Key("0101", "test", "e:1"), OutboxKey("0101", "test")},
                        {"0", "v", "single", "kpr.test.v1.saved.0101", "d0"});
  ASSERT_TRUE(one.ok()) << one.status();
  constexpr int kPer = kOutboxEventsPerEntry;
  constexpr int kEvents = 2 * kPer + 3;  // two full entries and a partial one
  auto ids = pool_.Eval(*many, {OutboxKey("0101", "test")}, {absl::StrCat(kEvents)});
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(ids->element(0).str(), ids->element(kPer - 1).str());
  EXPECT_NE(ids->element(kPer - 1).str(), ids->element(kPer).str());
  EXPECT_EQ(ids->element(kPer).str(), ids->element(2 * kPer - 1).str());
  EXPECT_NE(ids->element(2 * kPer - 1).str(), ids->element(2 * kPer).str());
  EXPECT_EQ(ids->element(2 * kPer).str(), ids->element(kEvents - 1).str());
  auto length = outbox_.Length("0101");
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(*length, 4);  // the single event's entry and three packed ones

  auto read = outbox_.Read("0101", 10);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), static_cast<size_t>(kEvents + 1));
  EXPECT_EQ((*read)[0].event_id, "single");
  for (int i = 1; i <= kEvents; ++i) {
    const OutboxEntry& e = (*read)[i];
    EXPECT_EQ(e.event_id, absl::StrCat("ev-", i));
    EXPECT_EQ(e.subject, "kpr.test.v1.saved.0101");
    EXPECT_EQ(e.data, absl::StrCat("d", i));
    EXPECT_EQ(e.stream_id, ids->element(i - 1).str());
  }
  // Removing by the events' stream ids (repeated within an entry) empties the outbox.
  std::vector<std::string> stream_ids;
  for (const OutboxEntry& e : *read) stream_ids.push_back(e.stream_id);
  ASSERT_TRUE(outbox_.Remove("0101", stream_ids).ok());
  length = outbox_.Length("0101");
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(*length, 0);
}

TEST_F(OutboxTest, ReadManyInOneRoundTrip) {
  ASSERT_TRUE(Save("0101", 0, "a", "a-1", "x").ok());
  ASSERT_TRUE(Save("0101", 1, "a", "a-2", "x").ok());
  ASSERT_TRUE(Save("0101", 2, "a", "a-3", "x").ok());
  ASSERT_TRUE(Save("0147", 0, "b", "b-1", "y").ok());
  auto many = outbox_.ReadMany({"0101", "0147", "0151"}, 2);
  ASSERT_TRUE(many.ok()) << many.status();
  ASSERT_EQ(many->size(), 3u);
  ASSERT_EQ((*many)[0].size(), 2u);
  EXPECT_EQ((*many)[0][0].event_id, "a-1");
  EXPECT_EQ((*many)[0][1].event_id, "a-2");
  ASSERT_EQ((*many)[1].size(), 1u);
  EXPECT_EQ((*many)[1][0].event_id, "b-1");
  EXPECT_EQ((*many)[1][0].subject, "kpr.test.v1.saved.0147");
  EXPECT_TRUE((*many)[2].empty());

  auto empty = outbox_.ReadMany({}, 2);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST_F(OutboxTest, RegisterAndMunicipalities) {
  ASSERT_TRUE(outbox_.Register("0165").ok());
  ASSERT_TRUE(outbox_.Register("0101").ok());
  ASSERT_TRUE(outbox_.Register("0165").ok());
  auto ms = outbox_.Municipalities();
  ASSERT_TRUE(ms.ok()) << ms.status();
  EXPECT_THAT(*ms, ElementsAre("0101", "0165"));
  auto card = pool_.Command({"SCARD", OutboxIndexKey("test")});
  ASSERT_TRUE(card.ok());
  EXPECT_EQ(card->integer(), 2);

  // Another service's index is separate.
  Outbox other(pool_, "other");
  EXPECT_EQ(other.service(), "other");
  auto none = other.Municipalities();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  // Registered municipalities are cached: no second round trip.
  ASSERT_TRUE(pool_.Command({"DEL", OutboxIndexKey("test")}).ok());
  ASSERT_TRUE(outbox_.Register("0165").ok());
  ms = outbox_.Municipalities();
  ASSERT_TRUE(ms.ok());
  EXPECT_TRUE(ms->empty());
}

TEST_F(OutboxTest, RejectsBadMunicipality) {
  EXPECT_EQ(outbox_.Register("165").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_.Read("x}{y", 1).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_.ReadMany({"0101", "01"}, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_.Remove("", {"1-0"}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_.Length("abcd").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(OutboxTest, UnavailableWhenRedisIsDown) {
  RedisOptions o = TestOptions();
  o.port = kpr::testing::FreePort();
  RedisPool down(o);
  Outbox outbox(down, "test");
  EXPECT_EQ(outbox.Register("0165").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outbox.ReadMany({"0165"}, 1).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(outbox.Length("0165").status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(OutboxTest, BacklogCountsEveryMunicipalityAndAgesTheOldest) {
  auto empty = outbox_.Backlog(absl::Now());
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->entries, 0);
  EXPECT_EQ(empty->oldest_age, absl::ZeroDuration());

  ASSERT_TRUE(outbox_.Register("0165").ok());
  ASSERT_TRUE(outbox_.Register("0183").ok());
  ASSERT_TRUE(Save("0165", 0, "v1", "ev-1", "a").ok());
  ASSERT_TRUE(Save("0165", 1, "v2", "ev-2", "b").ok());
  ASSERT_TRUE(Save("0183", 0, "v1", "ev-3", "c").ok());
  // Seen a minute later, the oldest entry (Redis's clock, from its stream id) is a minute old.
  auto later = outbox_.Backlog(absl::Now() + absl::Minutes(1));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->entries, 3);
  EXPECT_GE(later->oldest_age, absl::Seconds(59));
  EXPECT_LE(later->oldest_age, absl::Seconds(65));

  // 0165's published and removed: only 0183's entry waits.
  auto entries = outbox_.Read("0165", 10);
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> ids;
  for (const OutboxEntry& e : *entries) ids.push_back(e.stream_id);
  ASSERT_TRUE(outbox_.Remove("0165", ids).ok());
  auto after = outbox_.Backlog(absl::Now());
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->entries, 1);
}

TEST(StreamIdMillis, TakesTheMillisecondsOfAStreamId) {
  EXPECT_EQ(StreamIdMillis("1700000000123-4"), 1700000000123);
  EXPECT_EQ(StreamIdMillis("1700000000123"), 1700000000123);
  EXPECT_EQ(StreamIdMillis("garbage"), 0);
}

}  // namespace
}  // namespace kpr::store
