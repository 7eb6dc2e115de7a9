#include "services/referral/referral_server.h"

namespace kpr::referral {

absl::StatusOr<std::unique_ptr<ReferralServer>> ReferralServer::Start(
    const rpc::ServiceConfig& config, Options options) {
  std::unique_ptr<ReferralServer> s(new ReferralServer());
  auto host = host::ServiceHost::Create(config, {"referral", "kpr.referral.v1.ReferralService"});
  if (!host.ok()) return host.status();
  s->host_ = *std::move(host);
  host::ServiceHost& h = *s->host_;
  s->sealed_box_ = std::make_unique<privacy::SealedBox>(h.keys().encryption_key);
  s->pseudonymizer_ = std::make_unique<privacy::Pseudonymizer>(h.keys().pseudonym_key);

  s->store_ = std::make_unique<ReferralStore>(h.pool());
  s->audit_ = std::make_unique<privacy::AuditTrail>(h.pool());
  bus::OutboxRelay& relay = h.RelayOutbox(s->store_->outbox());
  s->context_ = std::make_unique<ReferralContext>(
      *s->store_, *s->sealed_box_, *s->pseudonymizer_, *s->audit_, [&relay] { relay.Notify(); },
      options.clock);
  s->context_->suppression_threshold = options.suppression_threshold;
  s->context_->relay = &relay;
  s->desks_ = std::make_unique<ReferralDesks>(*s->context_);
  s->intake_ = std::make_unique<IntakeHandler>(s->desks_->intake);
  s->placement_facts_ =
      std::make_unique<bus::EventRouter>(PlacementFactsRouter(s->desks_->closed_loop));
  s->outcome_facts_ =
      std::make_unique<bus::EventRouter>(OutcomeFactsRouter(s->desks_->closed_loop));
  s->grpc_service_ = std::make_unique<ReferralGrpcService>(*s->desks_, h.verifier());

  bus::ConsumerSpec intake;
  intake.stream = "KPR_INTAKE";
  intake.durable = kIntakeConsumer;
  intake.filter_subject = "kpr.intake.v1.referral_submitted.>";
  intake.deliver_group = kIntakeConsumer;
  intake.max_batch = 256;
  // Two batches in flight: one being prepared while the other runs in Redis. Order does not
  // matter to the intake (it de-duplicates by source system and external id).
  intake.workers = 2;
  // A few batches in flight: more would sit in the local queue long enough to be redelivered
  // when the service is slow.
  intake.max_ack_pending = 1024;
  intake.ack_wait = options.intake_ack_wait;
  IntakeHandler* intake_handler = s->intake_.get();
  h.AddConsumer(intake, [intake_handler](const std::vector<bus::Delivery>& batch) {
    return intake_handler->Handle(batch);
  });

  // Scheduling's placement facts and outcomes' decided outcomes close the loop to the referrer,
  // in stream order, so a fact rarely overtakes the one before it (the rules in
  // placement_facts.h hold when one does).
  h.AddEventConsumer("KPR_SCHEDULING", kPlacementConsumer, kPlacementFilter, *s->placement_facts_);
  h.AddEventConsumer("KPR_OUTCOMES", kOutcomeConsumer, kOutcomeFilter, *s->outcome_facts_);

  if (auto st = h.Serve({s->grpc_service_.get()}); !st.ok()) return st;
  return s;
}

}  // namespace kpr::referral
