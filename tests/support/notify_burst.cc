#include "tests/support/notify_burst.h"

#include <atomic>
#include <cstdio>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "libs/calendar/proto_time.h"
#include "libs/rpc/auth.h"
#include "services/notify/reminder_plan.h"
#include "tests/harness/smtp_sink.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {

namespace nv1 = ::kpr::notify::v1;

namespace {
store::RedisOptions HarnessRedis() {
  store::RedisOptions options;
  options.port = Servers::Redis().port();
  return options;
}
}  // namespace

NotifyStores::NotifyStores()
    : pool(HarnessRedis()), roster(pool), deliveries(pool), timers(pool, notify::kNotifyService) {}

absl::StatusOr<std::vector<BurstCitizen>> SubmitBurstCitizens(const std::string& referral_addr,
                                                              const std::string& jwt_secret,
                                                              int count, int email_every,
                                                              int threads) {
  std::vector<BurstCitizen> out(count);
  const std::string token =
      MakeToken(jwt_secret, identity::Role::kCaseworker, {kBurstMunicipality}, "burst-seeder");
  std::atomic<int> next{0};
  absl::Mutex mu;
  absl::Status error;
  std::vector<std::thread> callers;
  for (int t = 0; t < std::max(1, threads); ++t) {
    callers.emplace_back([&] {
      // A channel per caller: one HTTP/2 connection would serialize them.
      grpc::ChannelArguments args;
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      auto stub = referral::v1::ReferralService::NewStub(
          grpc::CreateCustomChannel(referral_addr, grpc::InsecureChannelCredentials(), args));
      for (int n = next.fetch_add(1); n < count; n = next.fetch_add(1)) {
        const bool email = email_every > 0 && n % email_every == 0;
        intake::v1::ReferralSubmitted s = SyntheticSubmission(n, kBurstMunicipality);
        s.mutable_citizen()->set_preferred_channel(email ? intake::v1::CONTACT_CHANNEL_EMAIL
                                                         : intake::v1::CONTACT_CHANNEL_SMS);
        grpc::ClientContext ctx;
        rpc::SetBearerToken(ctx, token);
        ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
        referral::v1::SubmitReferralRequest req;
        *req.mutable_submission() = std::move(s);
        referral::v1::SubmitReferralResponse resp;
        grpc::Status st = stub->SubmitReferral(&ctx, req, &resp);
        if (!st.ok()) {
          absl::MutexLock lock(&mu);
          error.Update(rpc::FromGrpcStatus(st));
          return;
        }
        out[n] = {resp.referral().id(), email};
      }
    });
  }
  for (std::thread& t : callers) t.join();
  if (!error.ok()) return error;
  return out;
}

absl::StatusOr<std::vector<timer::Timer>> SeedBurstRoster(notify::RosterStore& roster,
                                                          const std::vector<BurstCitizen>& citizens,
                                                          absl::Time session_start, absl::Time due,
                                                          int cohort_size) {
  const std::string m = kBurstMunicipality;
  session_start = absl::FromUnixSeconds(absl::ToUnixSeconds(session_start));
  const absl::Duration offset = absl::Minutes(absl::ToInt64Minutes(session_start - due));
  if (offset <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the session must start at least a minute after `due`");
  }
  std::vector<timer::Timer> timers;
  timers.reserve(citizens.size());
  for (size_t first = 0; first < citizens.size(); first += cohort_size) {
    const std::string cohort = absl::StrCat("burst-cohort-", first / cohort_size);
    const std::string session = absl::StrCat(cohort, "-s1");
    if (auto st = roster.PutCohort(m, cohort, "burst-program", "Kultur på recept: sang");
        !st.ok()) {
      return st;
    }
    nv1::CalendarEntry entry;
    entry.set_session_id(session);
    *entry.mutable_start() = calendar::ToTimestamp(session_start);
    *entry.mutable_end() = calendar::ToTimestamp(session_start + absl::Hours(2));
    entry.set_venue("Kulturhuset, Sal 2");
    entry.set_activity("Fællessang");
    entry.set_version(1);
    if (auto st = roster.PutSessions(m, cohort, {entry}); !st.ok()) return st;
    const notify::SessionSlot slot{m, cohort, session, session_start};
    for (size_t i = first; i < std::min(citizens.size(), first + cohort_size); ++i) {
      const std::string& referral_id = citizens[i].referral_id;
      if (auto st = roster.AddParticipant(m, cohort, referral_id); !st.ok()) return st;
      timers.push_back({m, notify::ReminderTimerId(session, referral_id, offset), due,
                        notify::ReminderPayload(slot, referral_id, offset), 0});
    }
  }
  return timers;
}

absl::Status ScheduleInBatches(timer::TimerStore& timers, const std::vector<timer::Timer>& all,
                               size_t batch) {
  for (size_t first = 0; first < all.size(); first += batch) {
    std::vector<timer::Timer> part(all.begin() + first,
                                   all.begin() + std::min(all.size(), first + batch));
    if (auto st = timers.ScheduleMany(part); !st.ok()) return st;
  }
  return absl::OkStatus();
}

std::map<std::string, std::string> NotifyProcessEnv(const std::string& referral_addr,
                                                    const std::string& sms_url, int sms_rate,
                                                    std::map<std::string, std::string> extra) {
  const std::string& token_file = TestGatewayTokenFile();
  std::map<std::string, std::string> env = {
      {"KPR_REFERRAL_ADDR", referral_addr},       {"KPR_SMS_GATEWAY_URL", sms_url},
      {"KPR_SMS_GATEWAY_TOKEN_FILE", token_file}, {"KPR_SMS_RATE", absl::StrCat(sms_rate)},
      {"KPR_SMTP_URL", Servers::Smtp().url()},    {"KPR_SMTP_CA_FILE", Servers::Smtp().ca_file()},
      {"KPR_SMTP_FROM", "kpr@kommune.example"},   {"KPR_NOTIFY_QUIET_HOURS", "off"},
  };
  for (auto& [k, v] : extra) env[k] = std::move(v);
  return env;
}

int DeliveryTally::total() const {
  int n = 0;
  for (const auto& [status, count] : by_status) n += count;
  return n;
}

absl::StatusOr<DeliveryTally> TallyDeliveries(notify::DeliveryStore& deliveries,
                                              const std::string& municipality) {
  DeliveryTally tally;
  for (int s = nv1::DELIVERY_STATUS_PENDING; s <= nv1::DELIVERY_STATUS_CANCELLED; ++s) {
    const auto status = static_cast<nv1::DeliveryStatus>(s);
    const bool done =
        status == nv1::DELIVERY_STATUS_SENT || status == nv1::DELIVERY_STATUS_DELIVERED;
    notify::DeliveryStore::ListQuery q;
    q.municipality = municipality;
    q.status = status;
    q.page_size = 500;
    do {
      absl::StatusOr<notify::DeliveryPage> page = deliveries.List(q);
      if (!page.ok()) return page.status();
      for (const nv1::Delivery& d : page->deliveries) {
        ++tally.by_status[status];
        if (!done) continue;
        const bool sms = d.channel() == nv1::CHANNEL_SMS;
        ++(sms ? tally.sms : tally.email);
        if (d.possibly_duplicated()) {
          ++(sms ? tally.possibly_duplicated_sms : tally.possibly_duplicated_email);
        }
      }
      q.page_token = page->next_page_token;
    } while (!q.page_token.empty());
  }
  return tally;
}

absl::StatusOr<int64_t> RedisUsedMemory(store::RedisPool& pool) {
  absl::StatusOr<store::RedisReply> info = pool.Command({"INFO", "memory"});
  if (!info.ok()) return info.status();
  for (absl::string_view line : absl::StrSplit(info->str(), '\n')) {
    if (!absl::ConsumePrefix(&line, "used_memory:")) continue;
    int64_t bytes = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &bytes)) return bytes;
  }
  return absl::InternalError("INFO memory has no used_memory");
}

}  // namespace kpr::testing
