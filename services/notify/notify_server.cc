#include "services/notify/notify_server.h"

#include "absl/strings/match.h"
#include "libs/observe/log.h"
#include "services/notify/facts_handler.h"

namespace kpr::notify {

absl::Status NotifyDesks::OnTimer(const timer::Timer& t) {
  if (absl::StartsWith(t.id, "send:")) return dispatch.OnSendTimer(t);
  if (absl::StartsWith(t.id, "rem:")) {
    // Sent at once, not a timer pass later: a morning's reminders go while they are recorded.
    std::vector<std::string> ids;
    if (auto st = facts.OnReminder(t, &ids); !st.ok()) return st;
    for (const std::string& id : ids) {
      if (auto st = dispatch.Dispatch(t.municipality, id); !st.ok()) {
        observe::Warn("reminder not sent at once; its send timer tries again")
            .With("delivery", id)
            .With("error", st.ToString());
      }
    }
    return absl::OkStatus();
  }
  observe::Warn("dropping a timer notify does not know").With("timer", t.id);
  return absl::OkStatus();
}

void NotifyServer::PokeTimers() {
  for (auto& t : timers_) t->Notify();
}

absl::StatusOr<std::unique_ptr<NotifyServer>> NotifyServer::Start(const rpc::ServiceConfig& config,
                                                                  Options options) {
  std::unique_ptr<NotifyServer> s(new NotifyServer());
  auto host = host::ServiceHost::Create(config, {"notify", "kpr.notify.v1.NotifyService"});
  if (!host.ok()) return host.status();
  s->host_ = *std::move(host);
  host::ServiceHost& h = *s->host_;

  s->deliveries_ = std::make_unique<DeliveryStore>(h.pool());
  s->settings_ = std::make_unique<SettingsStore>(h.pool(), options.desks.clock);
  s->roster_ = std::make_unique<RosterStore>(h.pool());
  s->stop_list_ = std::make_unique<SuppressionList>(h.pool(), h.keys().pseudonym_key);
  s->timers_store_ = std::make_unique<timer::TimerStore>(h.pool(), kNotifyService);
  if (!options.referral_addr.empty()) {
    auto secret = rpc::ReadSecretFile(config.jwt_secret_file);
    if (!secret.ok()) return secret.status();
    s->contacts_ =
        std::make_unique<ReferralContactDirectory>(options.referral_addr, *std::move(secret));
  }
  if (!options.primary.base_url.empty()) {
    auto primary = GatewayApiClient::Create(options.primary);
    if (!primary.ok()) return primary.status();
    std::unique_ptr<SmsProvider> secondary;
    if (options.secondary.has_value()) {
      auto second = GatewayApiClient::Create(*options.secondary);
      if (!second.ok()) return second.status();
      secondary = *std::move(second);
    }
    s->sms_ = std::make_unique<SmsChannel>(h.pool(), *std::move(primary), std::move(secondary),
                                           options.sms_rate);
  }
  if (options.smtp.has_value()) {
    if (auto st = CheckSmtpSettings(*options.smtp); !st.ok()) return st;
    s->smtp_ = std::make_unique<SmtpSender>(*options.smtp);
  }
  std::string callback_secret;
  if (!options.callback_secret_file.empty()) {
    auto secret = rpc::ReadSecretFile(options.callback_secret_file);
    if (!secret.ok()) return secret.status();
    callback_secret = *std::move(secret);
  } else {
    observe::Warn("no KPR_NOTIFY_CALLBACK_SECRET_FILE: every gateway callback is refused");
  }

  bus::OutboxRelay& relay = h.RelayOutbox(s->deliveries_->outbox());
  NotifyServer* self = s.get();
  NotifyContext context{*s->deliveries_,
                        *s->settings_,
                        *s->roster_,
                        *s->stop_list_,
                        *s->timers_store_,
                        s->contacts_.get(),
                        s->sms_.get(),
                        s->smtp_.get(),
                        privacy::SealedBox(h.keys().encryption_key),
                        [&relay] { relay.Notify(); },
                        [self] { self->PokeTimers(); },
                        options.desks};
  s->desks_ = std::make_unique<NotifyDesks>(std::move(context), std::move(callback_secret));
  NotifyDesks* desks = s->desks_.get();

  h.http().Handle("POST", kReportPath, [desks](const observe::HttpRequest& r) {
    return desks->callbacks.OnDeliveryReport(r);
  });
  h.http().Handle("POST", kReplyPath, [desks](const observe::HttpRequest& r) {
    return desks->callbacks.OnInboundReply(r);
  });

  s->referral_facts_ = std::make_unique<bus::EventRouter>(ReferralFactsRouter(desks->facts));
  s->scheduling_facts_ = std::make_unique<bus::EventRouter>(SchedulingFactsRouter(desks->facts));
  s->outcomes_facts_ = std::make_unique<bus::EventRouter>(OutcomesFactsRouter(desks->facts));
  h.AddEventConsumer("KPR_REFERRAL", kReferralFactsConsumer, kReferralFactsFilter,
                     *s->referral_facts_);
  h.AddEventConsumer("KPR_SCHEDULING", kSchedulingFactsConsumer, kSchedulingFactsFilter,
                     *s->scheduling_facts_);
  h.AddEventConsumer("KPR_OUTCOMES", kOutcomesFactsConsumer, kOutcomesFactsFilter,
                     *s->outcomes_facts_);

  timer::TimerWorker::Options timer_options;
  timer_options.poll_interval = options.timer_poll_interval;
  timer_options.clock = options.desks.clock;
  timer_options.lease = options.timer_lease;
  // A pass's timers are sent one after another at the gateway's shared rate: a small batch keeps
  // a pass well inside the lease, so no timer fires twice while its first holder still sends it.
  timer_options.batch = options.timer_batch;
  // One contact lookup for the sends of a pass instead of one per send.
  timer_options.prefetch = [desks](const std::vector<timer::Timer>& timers) {
    desks->dispatch.Prefetch(timers);
  };
  for (int i = 0; i < std::max(1, options.timer_workers); ++i) {
    s->timers_.push_back(std::make_unique<timer::TimerWorker>(
        h.pool(), kNotifyService, [desks](const timer::Timer& t) { return desks->OnTimer(t); },
        timer_options));
    timer::TimerWorker* worker = s->timers_.back().get();
    h.AddWorker([worker] { worker->Start(); }, [worker] { worker->Stop(); });
  }
  s->grpc_service_ = std::make_unique<NotifyGrpcService>(*s->desks_, h.verifier());
  if (auto st = h.Serve({s->grpc_service_.get()}); !st.ok()) return st;
  return s;
}

}  // namespace kpr::notify
