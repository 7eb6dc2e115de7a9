#include "tests/support/suite_probe.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/store/keys.h"

namespace kpr::testing {
namespace {

constexpr const char* kServices[] = {"referral", "scheduling", "outcomes", "notify"};
constexpr const char* kStreams[] = {"KPR_INTAKE", "KPR_REFERRAL", "KPR_SCHEDULING", "KPR_OUTCOMES",
                                    "KPR_NOTIFY"};

}  // namespace

absl::StatusOr<std::unique_ptr<SuiteProbe>> SuiteProbe::Connect(const std::string& redis_url,
                                                                const std::string& nats_url) {
  auto options = store::RedisOptionsFromUrl(redis_url);
  if (!options.ok()) return options.status();
  std::unique_ptr<SuiteProbe> p(new SuiteProbe());
  p->redis_ = std::make_unique<store::RedisPool>(*options);
  std::vector<std::string> servers = absl::StrSplit(nats_url, ',', absl::SkipEmpty());
  std::vector<const char*> cservers;
  for (const std::string& s : servers) cservers.push_back(s.c_str());
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetServers(opts, cservers.data(), static_cast<int>(cservers.size()));
  natsOptions_SetMaxReconnect(opts, -1);
  natsStatus s = natsConnection_Connect(&p->nc_, opts);
  natsOptions_Destroy(opts);
  if (s != NATS_OK) {
    return absl::UnavailableError(absl::StrCat("nats connect: ", natsStatus_GetText(s)));
  }
  s = natsConnection_JetStream(&p->js_, p->nc_, nullptr);
  if (s != NATS_OK) return absl::UnavailableError("jetstream context");
  return p;
}

SuiteProbe::~SuiteProbe() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (nc_ != nullptr) natsConnection_Destroy(nc_);
}

absl::StatusOr<std::string> SuiteProbe::InFlight(const std::vector<std::string>& municipalities,
                                                 absl::Time now) {
  std::vector<std::string> busy;
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> labels;
  const std::string now_ms = absl::StrCat(absl::ToUnixMillis(now));
  for (const std::string& m : municipalities) {
    for (const char* service : kServices) {
      commands.push_back({"XLEN", store::Key(m, service, "outbox")});
      labels.push_back(absl::StrCat(service, " outbox ", m));
      commands.push_back({"ZCOUNT", store::Key(m, service, "timers"), "-inf", now_ms});
      labels.push_back(absl::StrCat(service, " timers due ", m));
    }
  }
  auto replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (size_t i = 0; i < replies->size(); ++i) {
    const store::RedisReply& r = (*replies)[i];
    if (r.is_error()) return absl::UnavailableError(absl::StrCat(labels[i], ": ", r.str()));
    if (r.integer() > 0) busy.push_back(absl::StrCat(labels[i], ": ", r.integer()));
  }
  for (const char* stream : kStreams) {
    jsConsumerInfoList* list = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_Consumers(&list, js_, stream, nullptr, &code);
    if (s == NATS_NOT_FOUND || code == JSStreamNotFoundErr) continue;
    if (s != NATS_OK) {
      return absl::UnavailableError(absl::StrCat(stream, " consumers: ", natsStatus_GetText(s)));
    }
    for (int i = 0; i < list->Count; ++i) {
      const jsConsumerInfo* ci = list->List[i];
      if (ci->NumPending > 0 || ci->NumAckPending > 0) {
        busy.push_back(absl::StrCat(stream, "/", ci->Name, ": ", ci->NumPending, " pending, ",
                                    ci->NumAckPending, " unacknowledged"));
      }
    }
    jsConsumerInfoList_Destroy(list);
  }
  return absl::StrJoin(busy, "; ");
}

absl::StatusOr<std::optional<absl::Time>> SuiteProbe::NextTimer(
    const std::vector<std::string>& municipalities, absl::Time after, absl::Time before) {
  std::vector<std::vector<std::string>> commands;
  const std::string from = absl::StrCat("(", absl::ToUnixMillis(after));
  const std::string to = absl::StrCat("(", absl::ToUnixMillis(before));
  for (const std::string& m : municipalities) {
    for (const char* service : kServices) {
      commands.push_back({"ZRANGEBYSCORE", store::Key(m, service, "timers"), from, to, "WITHSCORES",
                          "LIMIT", "0", "1"});
    }
  }
  auto replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::optional<absl::Time> next;
  for (const store::RedisReply& r : *replies) {
    if (r.is_error()) return absl::UnavailableError(absl::StrCat("timers: ", r.str()));
    if (r.size() < 2) continue;
    int64_t ms = 0;
    if (!absl::SimpleAtoi(r.element(1).string(), &ms)) continue;
    const absl::Time due = absl::FromUnixMillis(ms);
    if (!next.has_value() || due < *next) next = due;
  }
  return next;
}

absl::Status SuiteProbe::WaitIdle(const std::vector<std::string>& municipalities,
                                  const std::function<absl::Time()>& now, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  int idle_in_a_row = 0;
  std::string last = "never checked";
  while (absl::Now() < deadline) {
    auto busy = InFlight(municipalities, now());
    if (busy.ok()) last = *busy;
    idle_in_a_row = busy.ok() && busy->empty() ? idle_in_a_row + 1 : 0;
    if (idle_in_a_row == 2) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(200));
  }
  return absl::DeadlineExceededError(absl::StrCat("the suite is still busy: ", last));
}

}  // namespace kpr::testing
