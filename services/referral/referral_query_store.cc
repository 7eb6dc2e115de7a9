// ReferralStore::List and FunnelRows: reads that walk an index (referral_store.h). They run from
// C++, not in a script: a script may only touch the keys it declares, and the records an index
// names are known only once it has been read. So each reads the index, then the records it
// names (MGET, all keys in the municipality's slot).

#include <limits>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/store/keys.h"
#include "services/referral/referral_record.h"
#include "services/referral/referral_store.h"

namespace kpr::referral {
namespace {

using store::RedisReply;

std::string K(absl::string_view m, absl::string_view suffix) {
  return store::Key(m, kServiceName, suffix);
}

// Index entries read per round trip, and the most a page may look at before it returns short
// (with a token to go on), so a rare filter cannot read the whole index in one call.
constexpr int kIndexChunk = 200;
constexpr int kScanLimit = 5000;
// Records per MGET in the funnel.
constexpr size_t kFunnelChunk = 500;

struct IndexItem {
  std::string id;
  std::string score;  // as Redis printed it: the page token repeats it
};

bool Matches(const ReferralRecordHeader& h, const ListQuery& q) {
  return (q.status == v1::REFERRAL_STATUS_UNSPECIFIED || h.status == q.status) &&
         (q.source == intake::v1::REFERRAL_SOURCE_UNSPECIFIED || h.source == q.source) &&
         (q.source_system.empty() || h.source_system == q.source_system);
}

}  // namespace

// Newest first by (score desc, id desc); the page token is the last returned "score:id".
absl::StatusOr<ListPage> ReferralStore::List(const ListQuery& q) {
  if (q.page_size < 1) return absl::InvalidArgumentError("page_size: must be positive");
  std::string max_score = "+inf";
  std::string cursor_id;
  double cursor_score = 0;
  if (!q.page_token.empty()) {
    std::vector<std::string> parts = absl::StrSplit(q.page_token, absl::MaxSplits(':', 1));
    int64_t score;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &score) || parts[1].empty()) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    max_score = parts[0];
    cursor_id = parts[1];
    cursor_score = static_cast<double>(score);
  }
  const std::string index = q.only_referrer.empty()
                                ? K(q.municipality, "updated")
                                : K(q.municipality, absl::StrCat("referrer:", q.only_referrer));
  const std::string record_prefix = K(q.municipality, "r:");
  const bool filtered = q.status != v1::REFERRAL_STATUS_UNSPECIFIED ||
                        q.source != intake::v1::REFERRAL_SOURCE_UNSPECIFIED ||
                        !q.source_system.empty();
  const size_t page_size = static_cast<size_t>(q.page_size);
  // Entries at the cursor's score up to the cursor's id were on earlier pages.
  auto before_cursor = [&](const IndexItem& item) {
    double score = 0;
    return !cursor_id.empty() && absl::SimpleAtod(item.score, &score) && score == cursor_score &&
           item.id >= cursor_id;
  };

  ListPage page;
  std::string last;
  for (int offset = 0; offset < kScanLimit;) {
    auto reply =
        pool_.Command({"ZREVRANGEBYSCORE", index, max_score, absl::StrCat(q.updated_since_ms),
                       "WITHSCORES", "LIMIT", absl::StrCat(offset), absl::StrCat(kIndexChunk)});
    if (!reply.ok()) return reply.status();
    if (!reply->is_array() || reply->size() % 2 != 0) {
      return absl::InternalError("referral list: unexpected index reply");
    }
    std::vector<IndexItem> items;
    for (size_t i = 0; i + 1 < reply->size(); i += 2) {
      items.push_back({reply->element(i).string(), reply->element(i + 1).string()});
    }
    if (items.empty()) return page;
    offset += static_cast<int>(items.size());
    // Read records in stretches: without a filter every record read fills the page, so read no
    // more than it lacks; with one, the whole chunk.
    for (size_t next = 0; next < items.size();) {
      const size_t want = filtered ? std::numeric_limits<size_t>::max()
                                   : page_size - std::min(page_size, page.referrals.size());
      std::vector<std::string> mget = {"MGET"};
      size_t end = next;
      for (; end < items.size() && mget.size() - 1 < want; ++end) {
        if (!before_cursor(items[end])) mget.push_back(record_prefix + items[end].id);
      }
      std::optional<RedisReply> records;
      if (mget.size() > 1) {
        auto got = pool_.Command(mget);
        if (!got.ok()) return got.status();
        if (!got->is_array() || got->size() != mget.size() - 1) {
          return absl::InternalError("referral list: unexpected MGET reply");
        }
        records = *std::move(got);
      }
      for (size_t k = next, r = 0; k < end; ++k) {
        const IndexItem& item = items[k];
        if (!before_cursor(item)) {
          RedisReply record = records->element(r++);
          std::optional<ReferralRecordHeader> header;
          if (record.is_string()) header = ParseReferralRecordHeader(record.str());
          if (header && Matches(*header, q)) {
            auto decoded = DecodeReferralRecord(record.str());
            if (!decoded.ok()) return decoded.status();
            page.referrals.push_back(std::move(decoded->stored));
            if (page.referrals.size() >= page_size) {
              page.next_page_token = absl::StrCat(item.score, ":", item.id);
              return page;
            }
          }
        }
        last = absl::StrCat(item.score, ":", item.id);
      }
      next = end;
    }
    // A short chunk is the end of the index.
    if (items.size() < static_cast<size_t>(kIndexChunk)) return page;
  }
  page.next_page_token = last;
  return page;
}

absl::StatusOr<std::vector<FunnelRow>> ReferralStore::FunnelRows(const std::string& municipality,
                                                                 absl::Time from, absl::Time to) {
  auto ids = pool_.Command({"ZRANGEBYSCORE", K(municipality, "received"),
                            absl::StrCat(absl::ToUnixMillis(from)),
                            absl::StrCat("(", absl::ToUnixMillis(to))});
  if (!ids.ok()) return ids.status();
  if (!ids->is_array()) return absl::InternalError("referral funnel: unexpected index reply");
  std::vector<std::vector<std::string>> mgets;
  const std::string record_prefix = K(municipality, "r:");
  for (size_t i = 0; i < ids->size(); ++i) {
    if (i % kFunnelChunk == 0) mgets.push_back({"MGET"});
    mgets.back().push_back(absl::StrCat(record_prefix, ids->element(i).str()));
  }
  std::vector<FunnelRow> rows;
  if (mgets.empty()) return rows;
  auto replies = pool_.Pipeline(mgets);
  if (!replies.ok()) return replies.status();
  rows.reserve(ids->size());
  for (size_t c = 0; c < mgets.size(); ++c) {
    const RedisReply& reply = (*replies)[c];
    if (reply.is_error()) return store::RedisErrorStatus(reply.str());
    if (!reply.is_array() || reply.size() != mgets[c].size() - 1) {
      return absl::InternalError("referral funnel: unexpected MGET reply");
    }
    for (size_t i = 0; i < reply.size(); ++i) {
      RedisReply record = reply.element(i);
      std::optional<ReferralRecordHeader> header;
      if (record.is_string()) header = ParseReferralRecordHeader(record.str());
      // A referral in the index without a readable record still counts as received.
      FunnelRow row{v1::REFERRAL_STATUS_UNSPECIFIED, intake::v1::REFERRAL_SOURCE_UNSPECIFIED, 0};
      if (header) {
        row = FunnelRow{static_cast<v1::ReferralStatus>(header->status),
                        static_cast<intake::v1::ReferralSource>(header->source),
                        static_cast<int>(header->reach)};
      }
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace kpr::referral
