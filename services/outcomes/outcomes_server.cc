#include "services/outcomes/outcomes_server.h"

namespace kpr::outcomes {

absl::StatusOr<std::unique_ptr<OutcomesServer>> OutcomesServer::Start(
    const rpc::ServiceConfig& config, Options options) {
  std::unique_ptr<OutcomesServer> s(new OutcomesServer());
  auto host = host::ServiceHost::Create(config, {"outcomes", "kpr.outcomes.v1.OutcomesService"});
  if (!host.ok()) return host.status();
  s->host_ = *std::move(host);
  host::ServiceHost& h = *s->host_;

  s->store_ = std::make_unique<OutcomesStore>(h.pool());
  s->audit_ = std::make_unique<privacy::AuditTrail>(h.pool());
  bus::OutboxRelay& relay = h.RelayOutbox(s->store_->outbox());
  s->desks_ = std::make_unique<OutcomesDesks>(
      *s->store_, *s->audit_, h.keys().encryption_key, [&relay] { relay.Notify(); }, options.desks);
  FactsDesk* facts = &s->desks_->facts;
  s->scheduling_facts_ = std::make_unique<bus::EventRouter>(SchedulingFactsRouter(*facts));
  s->referral_facts_ = std::make_unique<bus::EventRouter>(ReferralFactsRouter(*facts));
  s->grpc_service_ = std::make_unique<OutcomesGrpcService>(*s->desks_, h.verifier());

  // One worker each, in stream order: a cohort's start never overtakes its plan.
  h.AddEventConsumer("KPR_SCHEDULING", kSchedulingFactsConsumer, kSchedulingFactsFilter,
                     *s->scheduling_facts_);
  h.AddEventConsumer("KPR_REFERRAL", kReferralFactsConsumer, kReferralFactsFilter,
                     *s->referral_facts_);

  timer::TimerWorker::Options timer_options;
  timer_options.poll_interval = options.timer_poll_interval;
  timer_options.clock = options.desks.clock;
  s->timers_ = std::make_unique<timer::TimerWorker>(
      h.pool(), kOutcomesService, [facts](const timer::Timer& t) { return facts->OnTimer(t); },
      timer_options);
  timer::TimerWorker* timers = s->timers_.get();
  h.AddWorker([timers] { timers->Start(); }, [timers] { timers->Stop(); });

  if (auto st = h.Serve({s->grpc_service_.get()}); !st.ok()) return st;
  return s;
}

}  // namespace kpr::outcomes
