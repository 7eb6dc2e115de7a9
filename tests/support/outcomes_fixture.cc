#include "tests/support/outcomes_fixture.h"

#include <nats/nats.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/bus/envelope.h"
#include "libs/calendar/danish_time.h"
#include "libs/rpc/auth.h"
#include "services/outcomes/facts_handler.h"
#include "tests/harness/servers.h"

namespace kpr::testing {

namespace sv1 = ::kpr::scheduling::v1;

absl::TimeZone Copenhagen() { return calendar::DanishTimeZone(); }

absl::Time Local(absl::CivilMinute minute) { return absl::FromCivil(minute, Copenhagen()); }

// ---- CohortPlan ------------------------------------------------------------------------------

std::string CohortPlan::SessionId(int index) const { return absl::StrCat(cohort_id, "-s", index); }

absl::Time CohortPlan::SessionStart(int index) const {
  return Local(absl::CivilMinute(days[index]) + start_minute);
}

sv1::CohortPlanned CohortPlan::Planned() const {
  sv1::CohortPlanned p;
  sv1::Cohort* c = p.mutable_cohort();
  c->set_municipality(municipality);
  c->set_cohort_id(cohort_id);
  c->set_program_id(program_id);
  c->set_name(absl::StrCat(program_id, " ", cohort_id));
  c->set_status(sv1::COHORT_STATUS_PLANNED);
  c->set_first_day(absl::FormatCivilTime(days.front()));
  c->set_last_day(absl::FormatCivilTime(days.back()));
  c->set_capacity(12);
  c->set_min_size(5);
  c->set_session_count(static_cast<int>(days.size()));
  c->set_version(1);
  for (size_t i = 0; i < days.size(); ++i) {
    sv1::Session* s = p.add_sessions();
    s->set_session_id(SessionId(static_cast<int>(i)));
    s->set_cohort_id(cohort_id);
    s->set_municipality(municipality);
    s->set_index(static_cast<int>(i));
    s->set_week_index(static_cast<int>(i / 2));
    s->set_activity_id(absl::StrCat("e2e-activity-", i % 3));
    s->set_day(absl::FormatCivilTime(days[i]));
    s->set_start_minute(start_minute);
    s->set_end_minute(end_minute);
    s->set_institution_id("e2e-institution");
    s->set_venue_id("e2e-venue");
    s->set_instructor_id(instructor_id);
    s->set_status(sv1::SESSION_STATUS_SCHEDULED);
    s->set_version(1);
  }
  return p;
}

sv1::Enrolled CohortPlan::Enrolled(const std::string& referral_id) const {
  sv1::Enrolled e;
  e.set_cohort_id(cohort_id);
  e.set_program_id(program_id);
  e.set_referral_id(referral_id);
  e.set_citizen_id(CitizenId(referral_id));
  e.set_first_day(absl::FormatCivilTime(days.front()));
  return e;
}

sv1::Unenrolled CohortPlan::Unenrolled(const std::string& referral_id) const {
  sv1::Unenrolled e;
  e.set_cohort_id(cohort_id);
  e.set_program_id(program_id);
  e.set_referral_id(referral_id);
  e.set_citizen_id(CitizenId(referral_id));
  e.set_reason_code(sv1::CHANGE_REASON_MOVED);
  return e;
}

sv1::CohortStarted CohortPlan::Started() const {
  sv1::CohortStarted e;
  e.set_cohort_id(cohort_id);
  e.set_program_id(program_id);
  e.set_first_day(absl::FormatCivilTime(days.front()));
  for (const std::string& id : referral_ids) {
    sv1::Enrollment* en = e.add_participants();
    en->set_cohort_id(cohort_id);
    en->set_referral_id(id);
    en->set_citizen_id(CitizenId(id));
  }
  return e;
}

sv1::CohortCompleted CohortPlan::Completed() const {
  sv1::CohortCompleted e;
  e.set_cohort_id(cohort_id);
  e.set_program_id(program_id);
  e.set_last_day(absl::FormatCivilTime(days.back()));
  e.set_sessions_held(static_cast<int>(days.size()));
  for (const std::string& id : referral_ids) {
    sv1::Enrollment* en = e.add_participants();
    en->set_cohort_id(cohort_id);
    en->set_referral_id(id);
    en->set_citizen_id(CitizenId(id));
  }
  return e;
}

// ---- OutcomesTest ----------------------------------------------------------------------------

void OutcomesTest::SetUp() {
  secrets_ = WriteSecrets(Servers::Dir());
  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok()) << nats.status();
  nats_ = *std::move(nats);
  ASSERT_NO_FATAL_FAILURE(ResetWorld());
}

void OutcomesTest::ResetWorld() {
  StopServer();
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  // Before anything in the tests happens: mid-February 2027.
  clock_ = std::make_shared<FakeClock>(Local(absl::CivilMinute(2027, 2, 15, 9, 0)));
  ASSERT_NO_FATAL_FAILURE(StartServer());
}

void OutcomesTest::TearDown() {
  StopServer();
  nats_.reset();
}

void OutcomesTest::StartServer() {
  outcomes::OutcomesServer::Options options;
  std::shared_ptr<FakeClock> clock = clock_;
  options.desks.clock = [clock] { return clock->Now(); };
  options.desks.settle_delay = settle_delay_;
  options.desks.suppression_threshold = 5;
  options.timer_poll_interval = absl::Milliseconds(50);
  auto server = outcomes::OutcomesServer::Start(HarnessServiceConfig(secrets_), options);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
  ASSERT_TRUE(Eventually([&] { return server_->healthy(); }, absl::Seconds(20)))
      << "outcomes never healthy";
  ASSERT_TRUE(Eventually([&] { return server_->consumers_ready(); }, absl::Seconds(20)))
      << "outcomes consumers never started";
  channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->grpc_port()),
                                 grpc::InsecureChannelCredentials());
  stub_ = outcomes::v1::OutcomesService::NewStub(channel_);
}

void OutcomesTest::StopServer() {
  stub_.reset();
  channel_.reset();
  if (server_) server_->Shutdown(absl::Seconds(2));
  server_.reset();
}

void OutcomesTest::SetClock(absl::Time t) {
  clock_->Set(t);
  if (server_) server_->PokeTimers();
}

std::string OutcomesTest::Token(identity::Role role, const std::string& subject,
                                std::vector<std::string> municipalities) const {
  return MakeToken(secrets_.jwt_secret, role, std::move(municipalities), subject);
}

OutcomesTest::Ctx::Ctx(const std::string& token) {
  rpc::SetBearerToken(ctx, token);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
}

common::v1::Event OutcomesTest::Envelope(const std::string& id,
                                         const google::protobuf::Message& payload,
                                         const std::string& municipality) const {
  return bus::MakeEvent(id, municipality, payload, clock_->Now(), id, "");
}

absl::Status OutcomesTest::Publish(const std::string& context, const std::string& name,
                                   const common::v1::Event& e, const std::string& msg_id) {
  std::string subject = bus::EventSubject(context, name, e.municipality());
  if (auto st =
          nats_->PublishAsync(subject, e.SerializeAsString(), msg_id.empty() ? e.id() : msg_id);
      !st.ok()) {
    return st;
  }
  return nats_->WaitPublished(absl::Seconds(10));
}

absl::Status OutcomesTest::PublishScheduling(const std::string& name, const std::string& id,
                                             const google::protobuf::Message& payload) {
  return Publish("scheduling", name, Envelope(id, payload));
}

absl::Status OutcomesTest::PublishPlannedEnrolledStarted(const CohortPlan& plan) {
  if (auto st = PublishScheduling("cohort_planned", plan.cohort_id + ":planned", plan.Planned());
      !st.ok())
    return st;
  for (const std::string& id : plan.referral_ids) {
    if (auto st = PublishScheduling(
            "enrolled", absl::StrCat(plan.cohort_id, ":enrolled:", id, ":1"), plan.Enrolled(id));
        !st.ok()) {
      return st;
    }
  }
  return PublishScheduling("cohort_started", plan.cohort_id + ":started", plan.Started());
}

bool OutcomesTest::WaitConsumersDrained(absl::Duration timeout) {
  auto drained = [&](const char* stream, const char* consumer) {
    jsConsumerInfo* ci = nullptr;
    jsErrCode err = static_cast<jsErrCode>(0);
    if (js_GetConsumerInfo(&ci, nats_->js(), stream, consumer, nullptr, &err) != NATS_OK)
      return false;
    bool done = ci->NumPending == 0 && ci->NumAckPending == 0;
    jsConsumerInfo_Destroy(ci);
    return done;
  };
  return Eventually(
      [&] {
        return drained("KPR_SCHEDULING", outcomes::kSchedulingFactsConsumer) &&
               drained("KPR_REFERRAL", outcomes::kReferralFactsConsumer);
      },
      timeout, absl::Milliseconds(100));
}

std::vector<OutcomesEvent> OutcomesTest::OutcomesEvents(const std::string& name) {
  std::vector<OutcomesEvent> out;
  auto messages = nats_->ReadStream("KPR_OUTCOMES");
  if (!messages.ok()) return out;
  for (const StreamMessage& m : *messages) {
    // kpr.outcomes.v1.<name>.<m>
    std::vector<std::string> tokens = absl::StrSplit(m.subject, '.');
    if (tokens.size() != 5) continue;
    if (!name.empty() && tokens[3] != name) continue;
    OutcomesEvent e;
    e.name = tokens[3];
    e.msg_id = m.msg_id;
    if (!e.event.ParseFromString(m.data)) continue;
    out.push_back(std::move(e));
  }
  return out;
}

bool OutcomesTest::WaitOutcomesEvents(const std::string& name, size_t n, absl::Duration timeout) {
  return Eventually([&] { return OutcomesEvents(name).size() >= n; }, timeout,
                    absl::Milliseconds(200));
}

uint64_t OutcomesTest::DeadLetters() {
  auto n = nats_->StreamCount("KPR_DLQ");
  return n.ok() ? *n : 0;
}

}  // namespace kpr::testing
