#include "services/scheduling/scheduling_server.h"

namespace kpr::scheduling {

absl::StatusOr<std::unique_ptr<SchedulingServer>> SchedulingServer::Start(
    const rpc::ServiceConfig& config, Options options) {
  std::unique_ptr<SchedulingServer> s(new SchedulingServer());
  auto host =
      host::ServiceHost::Create(config, {"scheduling", "kpr.scheduling.v1.SchedulingService"});
  if (!host.ok()) return host.status();
  s->host_ = *std::move(host);
  host::ServiceHost& h = *s->host_;

  s->store_ = std::make_unique<SchedulingStore>(h.pool(), options.clock);
  bus::OutboxRelay& relay = h.RelayOutbox(s->store_->outbox());
  DeskContext context{
      .store = *s->store_, .clock = options.clock, .on_outbox_write = [&relay] { relay.Notify(); }};
  if (!options.referral_addr.empty()) {
    auto secret = rpc::ReadSecretFile(config.jwt_secret_file);
    if (!secret.ok()) return secret.status();
    s->names_ = std::make_unique<ParticipantNames>(options.referral_addr, *std::move(secret));
    ParticipantNames* names = s->names_.get();
    context.first_names = [names](const std::string& m, const std::string& referral_id,
                                  const Caller& caller) {
      return names->FirstName(m, referral_id, caller);
    };
  }
  s->desks_ = std::make_unique<SchedulingDesks>(std::move(context));
  s->referral_events_ =
      std::make_unique<bus::EventRouter>(ReferralEventsRouter(s->desks_->enrolment));
  s->cancellations_ = std::make_unique<bus::EventRouter>(CancellationsRouter(s->desks_->enrolment));
  s->grpc_service_ = std::make_unique<SchedulingGrpcService>(*s->desks_, h.verifier());

  // In stream order: a withdrawal never overtakes its acceptance, and a cancelled cohort's
  // participants are placed again in order.
  h.AddEventConsumer("KPR_REFERRAL", kReferralEventsConsumer, kReferralEventsFilter,
                     *s->referral_events_);
  h.AddEventConsumer("KPR_SCHEDULING", kCancellationsConsumer, kCancellationsFilter,
                     *s->cancellations_);

  timer::TimerWorker::Options timer_options;
  timer_options.poll_interval = options.timer_poll_interval;
  timer_options.clock = options.clock;
  CohortDesk* cohorts = &s->desks_->cohorts;
  s->timers_ = std::make_unique<timer::TimerWorker>(
      h.pool(), kSchedulingService,
      [cohorts](const timer::Timer& t) { return cohorts->OnTimer(t); }, timer_options);
  timer::TimerWorker* timers = s->timers_.get();
  h.AddWorker([timers] { timers->Start(); }, [timers] { timers->Stop(); });

  if (auto st = h.Serve({s->grpc_service_.get()}); !st.ok()) return st;
  return s;
}

}  // namespace kpr::scheduling
