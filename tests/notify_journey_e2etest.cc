// A citizen's journey as notify tells it, over real NATS, Redis, the SMTP sink and the SMS
// gateway simulator, with kpr-referral, kpr-scheduling and kpr-notify in-process: an accepted
// referral gets a welcome SMS; an enrolment gets the cohort's dates (by e-mail with kurser.ics for
// the citizen who prefers e-mail); a moved session gets a notice and moves its reminders; a
// participant who leaves gets no further reminders while the others do.

#include <atomic>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "kpr/notify/v1/notify_service.grpc.pb.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/calendar/danish_time.h"
#include "libs/rpc/auth.h"
#include "libs/store/redis_pool.h"
#include "libs/timer/timer_store.h"
#include "services/notify/notify_server.h"
#include "services/notify/reminder_plan.h"
#include "services/referral/referral_server.h"
#include "services/scheduling/scheduling_server.h"
#include "tests/harness/sms_gateway_sim.h"
#include "tests/harness/smtp_sink.h"
#include "tests/support/redis_testing.h"
#include "tests/support/referral_testing.h"
#include "tests/support/scheduling_testing.h"

namespace kpr::testing {
namespace {

namespace sv1 = ::kpr::scheduling::v1;
namespace rv1 = ::kpr::referral::v1;
namespace nv1 = ::kpr::notify::v1;
using identity::Role;

// Notify's domain time, moved by the test.
std::atomic<int64_t> g_now_s{0};

class NotifyJourney : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(FlushRedis().ok());
    ASSERT_TRUE(DeleteAllStreams().ok());
    Servers::SmsGateway().Reset();
    ASSERT_TRUE(Servers::Smtp().Reset().ok());
    secrets_ = WriteSecrets(Servers::Dir());
    auto referral_server = referral::ReferralServer::Start(HarnessServiceConfig(secrets_), {});
    ASSERT_TRUE(referral_server.ok()) << referral_server.status();
    referral_server_ = *std::move(referral_server);
    const std::string referral_addr = absl::StrCat("127.0.0.1:", referral_server_->grpc_port());

    scheduling::SchedulingServer::Options so;
    so.referral_addr = referral_addr;
    so.clock = [] {
      return absl::FromCivil(absl::CivilMinute(2026, 12, 1, 9, 0), absl::UTCTimeZone());
    };
    so.timer_poll_interval = absl::Milliseconds(200);
    auto scheduling_server =
        scheduling::SchedulingServer::Start(HarnessServiceConfig(secrets_), so);
    ASSERT_TRUE(scheduling_server.ok()) << scheduling_server.status();
    scheduling_server_ = *std::move(scheduling_server);

    g_now_s = absl::ToUnixSeconds(
        absl::FromCivil(absl::CivilMinute(2026, 12, 1, 9, 0), absl::UTCTimeZone()));
    notify::NotifyServer::Options no;
    no.desks.clock = [] { return absl::FromUnixSeconds(g_now_s.load()); };
    no.desks.smtp_from = "kpr@kommune.example";
    no.referral_addr = referral_addr;
    no.primary.base_url = Servers::SmsGateway().url();
    no.primary.token_file = TestGatewayTokenFile();
    no.smtp = notify::SmtpSettings{};
    no.smtp->url = Servers::Smtp().url();
    no.smtp->ca_file = Servers::Smtp().ca_file();
    no.callback_secret_file = TestCallbackSecretFile();
    no.timer_poll_interval = absl::Milliseconds(100);
    // The gateway's delivery reports come back to notify's HTTP port, signed.
    rpc::ServiceConfig notify_config = HarnessServiceConfig(secrets_);
    notify_config.http_addr = absl::StrCat("127.0.0.1:", FreePort());
    no.desks.callback_base_url = absl::StrCat("http://", notify_config.http_addr);
    auto notify_server = notify::NotifyServer::Start(notify_config, no);
    ASSERT_TRUE(notify_server.ok()) << notify_server.status();
    notify_server_ = *std::move(notify_server);

    ASSERT_TRUE(Eventually(
        [&] {
          return referral_server_->healthy() && scheduling_server_->healthy() &&
                 notify_server_->healthy() && scheduling_server_->consumers_ready() &&
                 notify_server_->consumers_ready();
        },
        absl::Seconds(30)));
    scheduling_ = sv1::SchedulingService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", scheduling_server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
    referrals_ = rv1::ReferralService::NewStub(
        grpc::CreateChannel(referral_addr, grpc::InsecureChannelCredentials()));
    notify_ = nv1::NotifyService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", notify_server_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
    coordinator_ = MakeToken(secrets_.jwt_secret, Role::kCoordinator, {"0165"}, "coordinator-1");
  }

  void TearDown() override {
    if (notify_server_) notify_server_->Shutdown(absl::Seconds(2));
    if (scheduling_server_) scheduling_server_->Shutdown(absl::Seconds(2));
    if (referral_server_) referral_server_->Shutdown(absl::Seconds(2));
  }

  // Submits citizen n and accepts the referral; its id.
  std::string AcceptReferral(int n, intake::v1::ContactChannel channel) {
    intake::v1::ReferralSubmitted submission = SyntheticSubmission(n, "0165");
    submission.mutable_citizen()->set_preferred_channel(channel);
    auto accepted = SubmitAndAccept(*referrals_, coordinator_, submission);
    EXPECT_TRUE(accepted.ok()) << accepted.status();
    return accepted.ok() ? accepted->id() : "";
  }

  std::vector<SimSms> SmsTo(const std::string& msisdn) {
    std::vector<SimSms> out;
    for (const SimSms& s : Servers::SmsGateway().Messages()) {
      if (s.msisdn == msisdn) out.push_back(s);
    }
    return out;
  }

  std::vector<ReceivedMail> MailTo(const std::string& address) {
    std::vector<ReceivedMail> out;
    for (const ReceivedMail& m : Servers::Smtp().Messages()) {
      for (const std::string& rcpt : m.rcpt_to) {
        if (absl::StrContains(rcpt, address)) out.push_back(m);
      }
    }
    return out;
  }

  std::vector<sv1::Session> Sessions(const std::string& cohort_id) {
    sv1::ListSessionsRequest req;
    req.set_municipality("0165");
    req.set_cohort_id(cohort_id);
    sv1::ListSessionsResponse resp;
    CallAs c(coordinator_);
    EXPECT_TRUE(scheduling_->ListSessions(&c.ctx, req, &resp).ok());
    return {resp.sessions().begin(), resp.sessions().end()};
  }

  std::vector<nv1::Delivery> Deliveries(const std::string& referral_id) {
    nv1::ListDeliveriesRequest req;
    req.set_municipality("0165");
    req.set_referral_id(referral_id);
    req.set_page_size(100);
    nv1::ListDeliveriesResponse resp;
    CallAs c(coordinator_);
    grpc::Status st = notify_->ListDeliveries(&c.ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return {resp.deliveries().begin(), resp.deliveries().end()};
  }

  Secrets secrets_;
  std::unique_ptr<referral::ReferralServer> referral_server_;
  std::unique_ptr<scheduling::SchedulingServer> scheduling_server_;
  std::unique_ptr<notify::NotifyServer> notify_server_;
  std::unique_ptr<sv1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<rv1::ReferralService::Stub> referrals_;
  std::unique_ptr<nv1::NotifyService::Stub> notify_;
  std::string coordinator_;
};

absl::Time StartOf(const sv1::Session& s) {
  absl::CivilDay day;
  EXPECT_TRUE(absl::ParseCivilTime(s.day(), &day));
  return calendar::LocalToAbsolute(absl::CivilMinute(day) + s.start_minute());
}

TEST_F(NotifyJourney, WelcomeDatesMovedSessionAndNoRemindersAfterLeaving) {
  auto catalog = LoadDemoCatalog();
  ASSERT_TRUE(catalog.ok());
  ASSERT_TRUE(PutCatalog(*scheduling_,
                         MakeToken(secrets_.jwt_secret, Role::kAdmin, {"0165", "0183"}), *catalog)
                  .ok());
  sv1::CreateCohortRequest create;
  create.set_municipality("0165");
  create.set_program_id("sund-med-kultur");
  create.set_start_iso_year(2027);
  create.set_start_iso_week(9);
  create.set_request_id("notify-journey");
  sv1::CreateCohortResponse cohort;
  {
    CallAs c(coordinator_);
    grpc::Status st = scheduling_->CreateCohort(&c.ctx, create, &cohort);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  const std::string cohort_id = cohort.cohort().cohort_id();

  // Anna prefers SMS, Bo e-mail.
  const std::string anna = AcceptReferral(1, intake::v1::CONTACT_CHANNEL_SMS);
  const std::string bo = AcceptReferral(2, intake::v1::CONTACT_CHANNEL_EMAIL);
  const std::string anna_msisdn = absl::StrCat("45", SyntheticPhone(1));
  const std::string bo_mail = "testperson2@example.org";

  // The welcome, then the cohort's dates: two SMS for Anna, two e-mails for Bo.
  ASSERT_TRUE(Eventually([&] { return SmsTo(anna_msisdn).size() >= 2; }, absl::Seconds(60)))
      << SmsTo(anna_msisdn).size();
  ASSERT_TRUE(Eventually([&] { return MailTo(bo_mail).size() >= 2; }, absl::Seconds(60)))
      << MailTo(bo_mail).size();
  std::vector<SimSms> anna_sms = SmsTo(anna_msisdn);
  ASSERT_EQ(anna_sms.size(), 2u);
  const bool welcome_first = absl::StrContains(anna_sms[0].message, "Velkommen");
  const SimSms& welcome = welcome_first ? anna_sms[0] : anna_sms[1];
  const SimSms& dates = welcome_first ? anna_sms[1] : anna_sms[0];
  EXPECT_TRUE(absl::StartsWith(welcome.message, "Hej Testperson1.")) << welcome.message;
  EXPECT_TRUE(absl::StrContains(dates.message, "Datoer:")) << dates.message;
  EXPECT_NE(welcome.userref, dates.userref);
  EXPECT_EQ(welcome.sender, "kpr");

  std::vector<ReceivedMail> bo_mails = MailTo(bo_mail);
  ASSERT_EQ(bo_mails.size(), 2u);
  const ReceivedMail* information = nullptr;
  for (const ReceivedMail& m : bo_mails) {
    if (FindPart(m.Parts(), "text/calendar") != nullptr) information = &m;
  }
  ASSERT_NE(information, nullptr) << "the cohort information carries kurser.ics";
  const std::vector<sv1::Session> sessions = Sessions(cohort_id);
  ASSERT_FALSE(sessions.empty());
  const MailPart* ics = FindPart(information->Parts(), "text/calendar");
  EXPECT_TRUE(absl::StrContains(ics->body, absl::StrCat("UID:", sessions[0].session_id(), "@kpr")))
      << ics->body;
  EXPECT_EQ(Servers::Smtp().CountByMessageId().size(), 2u);

  // Every delivery is listed, contact masked; no clear number anywhere in the record.
  std::vector<nv1::Delivery> anna_deliveries;
  EXPECT_TRUE(Eventually(
      [&] {
        anna_deliveries = Deliveries(anna);
        // The simulator reports ENROUTE, then DELIVERED, over HTTP to the callback route.
        return anna_deliveries.size() == 2 &&
               anna_deliveries[0].status() == nv1::DELIVERY_STATUS_DELIVERED &&
               anna_deliveries[1].status() == nv1::DELIVERY_STATUS_DELIVERED;
      },
      absl::Seconds(10)));
  ASSERT_EQ(anna_deliveries.size(), 2u);
  for (const nv1::Delivery& d : anna_deliveries) {
    EXPECT_EQ(d.status(), nv1::DELIVERY_STATUS_DELIVERED) << d.DebugString();
    EXPECT_EQ(d.channel(), nv1::CHANNEL_SMS);
    EXPECT_TRUE(absl::StartsWith(d.masked_recipient(), "+45 ** **")) << d.masked_recipient();
  }

  // Reminders wait for the sessions: 24 h and 2 h before each, for both.
  std::unique_ptr<store::RedisPool> pool = HarnessRedisPool();
  timer::TimerStore timers(*pool, "notify");
  const absl::Time first_start = StartOf(sessions[0]);
  auto anna_24h =
      timers.Get("0165", notify::ReminderTimerId(sessions[0].session_id(), anna, absl::Hours(24)));
  ASSERT_TRUE(anna_24h.ok());
  ASSERT_TRUE(anna_24h->has_value()) << "Anna's reminder for the first session";
  EXPECT_EQ((*anna_24h)->due, first_start - absl::Hours(24));

  // A coordinator moves a session: both hear of it, and its reminders move with it.
  sv1::Session moved;
  for (const sv1::Session& s : sessions) {
    sv1::RescheduleSessionRequest move;
    move.set_municipality("0165");
    move.set_session_id(s.session_id());
    move.set_expected_version(s.version());
    move.set_reason("Koncert i salen");
    CallAs c(coordinator_);
    if (scheduling_->RescheduleSession(&c.ctx, move, &moved).ok()) break;
    moved.Clear();
  }
  ASSERT_FALSE(moved.session_id().empty()) << "no session could be moved";
  ASSERT_TRUE(Eventually([&] { return SmsTo(anna_msisdn).size() >= 3; }, absl::Seconds(60)));
  ASSERT_TRUE(Eventually([&] { return MailTo(bo_mail).size() >= 3; }, absl::Seconds(60)));
  EXPECT_TRUE(absl::StrContains(SmsTo(anna_msisdn)[2].message, "flyttet") ||
              absl::StrContains(SmsTo(anna_msisdn)[2].message, "ny tid"))
      << SmsTo(anna_msisdn)[2].message;
  const absl::Time moved_start = StartOf(moved);
  auto moved_24h =
      timers.Get("0165", notify::ReminderTimerId(moved.session_id(), bo, absl::Hours(24)));
  ASSERT_TRUE(moved_24h.ok() && moved_24h->has_value());
  EXPECT_EQ((*moved_24h)->due, moved_start - absl::Hours(24));

  // Anna leaves the cohort: her reminders go, Bo's stay.
  {
    sv1::UnenrollRequest req;
    req.set_municipality("0165");
    req.set_cohort_id(cohort_id);
    req.set_referral_id(anna);
    req.set_reason_code(sv1::CHANGE_REASON_COORDINATOR_DECISION);
    sv1::UnenrollResponse resp;
    CallAs c(coordinator_);
    grpc::Status st = scheduling_->Unenroll(&c.ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  ASSERT_TRUE(Eventually(
      [&] {
        auto t = timers.Get(
            "0165", notify::ReminderTimerId(sessions[0].session_id(), anna, absl::Hours(24)));
        return t.ok() && !t->has_value();
      },
      absl::Seconds(30)));

  // The day before the first session: Bo gets the 24 h reminder, Anna nothing more.
  const size_t anna_before = SmsTo(anna_msisdn).size();
  const size_t bo_before = MailTo(bo_mail).size();
  const sv1::Session& first = sessions[0].session_id() == moved.session_id() ? moved : sessions[0];
  g_now_s = absl::ToUnixSeconds(StartOf(first) - absl::Hours(24) + absl::Minutes(1));
  notify_server_->PokeTimers();
  ASSERT_TRUE(Eventually(
      [&] {
        notify_server_->PokeTimers();
        return MailTo(bo_mail).size() > bo_before;
      },
      absl::Seconds(30)));
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(SmsTo(anna_msisdn).size(), anna_before) << "no reminder after leaving";
  EXPECT_EQ(MailTo(bo_mail).size(), bo_before + 1);
  EXPECT_EQ(Servers::SmsGateway().stats().duplicates, 0);
}

}  // namespace
}  // namespace kpr::testing
