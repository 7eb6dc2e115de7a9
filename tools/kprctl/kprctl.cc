// kprctl: the staff command line for kpr over gRPC. See `kprctl help`.
#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "kpr/referral/v1/referral_service.grpc.pb.h"
#include "libs/calendar/danish_time.h"
#include "libs/rpc/config.h"
#include "libs/rpc/jwt.h"
#include "tools/kprctl/cli_args.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/clock_commands.h"
#include "tools/kprctl/notify_commands.h"
#include "tools/kprctl/outcomes_commands.h"
#include "tools/kprctl/referral_args.h"
#include "tools/kprctl/referral_format.h"
#include "tools/kprctl/scheduling_commands.h"
#include "tools/kprctl/short_enum.h"

namespace kpr::kprctl {
namespace {

using ::google::protobuf::util::TimeUtil;
namespace rv1 = ::kpr::referral::v1;
namespace iv1 = ::kpr::intake::v1;

constexpr char kUsage[] = R"(kprctl - the kpr staff command line

Usage: kprctl [global options] <command> [arguments] [options]

Global options:
  --addr HOST:PORT      referral service (default $KPR_REFERRAL_ADDR or 127.0.0.1:50051)
  --scheduling-addr HOST:PORT
                        scheduling service (default $KPR_SCHEDULING_ADDR or 127.0.0.1:50052)
  --outcomes-addr HOST:PORT
                        outcomes service (default $KPR_OUTCOMES_ADDR or 127.0.0.1:50053)
  --notify-addr HOST:PORT
                        notify service (default $KPR_NOTIFY_ADDR or 127.0.0.1:50054)
  --token-file FILE     file with the bearer token (default: $KPR_TOKEN holds the token itself)
  --token TOKEN         the token itself (shows in the process list: prefer the two above)
  --json                print JSON (the protobuf JSON mapping) instead of text
  --timeout SECONDS     per call (default 10)

Exit codes: 0 done, 1 the call failed, 2 bad usage, 3 no timetable exists (plan, cohort create).
Days (YYYY-MM-DD) and times are Danish (Europe/Copenhagen), whatever the machine's time zone;
RFC 3339 with an offset is taken where a time is.

Referral commands (kpr-referral):
  submit    --municipality M --source S --external-id ID --cpr CPR --given-name N --family-name N
            [--phone P] [--email E] [--channel sms|email|phone_call|letter] [--language da]
            [--caseworker ID] [--organisation ORG] [--target-group G] [--benefit B]
            [--reason TEXT] [--program ID] [--notes TEXT] [--source-system kprctl]
            or: submit --file submission.json   (a kpr.intake.v1.ReferralSubmitted in JSON;
                --file - reads it from standard input, which keeps the CPR number and phone
                out of the process list and shell history)
            Consent is taken as given now unless the JSON says when.
  get       ID                              with its placement (cohort, or waitlisted program)
  list      --municipality M [--status S] [--source S] [--source-system X]
            [--since YYYY-MM-DD[ HH:MM] | RFC3339] [--page-size N] [--page-token T] [--all]
  status    ID NEW_STATUS [--reason R] [--note TEXT] [--expected-version V]
            NEW_STATUS: under_review accepted enrolled completed dropped_out declined withdrawn
            (waitlisted is set by the scheduling service only)
            R: not_in_target_group citizen_declined unreachable needs_treatment no_capacity
               referrer_withdrew citizen_withdrew started_work_or_education duplicate illness other
            Without --expected-version the current version is read first.
  contact   ID                              personal data; audited
  funnel    --municipality M [--from YYYY-MM-DD] [--to YYYY-MM-DD]   received in [from, to)
  health                                    the service's gRPC health
  token     --sub S --role R --municipalities 0165,0183 --secret-file F [--ttl 12h]
            mint a development token (HS256); --ttl at most 12h, 1h for role service

Sources: jobcenter general_practitioner jobhuset laer_at_tackle housing_social_plan
         self_referral other
Target groups: long_term_unemployed newly_unemployed sick_listed vulnerable_young elderly other
Benefits: sygedagpenge ressourceforloeb jobafklaringsforloeb kontanthjaelp uddannelseshjaelp
          fleksjob none other
)";

// The referral service: kpr-referral at --addr / $KPR_REFERRAL_ADDR.
class Client {
 public:
  explicit Client(const ParsedArgs& args)
      : conn_(Connection::FromArgs(args, "kpr-referral", "addr", "KPR_REFERRAL_ADDR",
                                   "127.0.0.1:50051")),
        stub_(rv1::ReferralService::NewStub(conn_.channel())),
        health_(grpc::health::v1::Health::NewStub(conn_.channel())) {}

  std::unique_ptr<grpc::ClientContext> Context() const { return conn_.Context(); }
  void Check(const grpc::Status& status) const { conn_.Check(status); }

  rv1::ReferralService::Stub& stub() { return *stub_; }
  grpc::health::v1::Health::Stub& health() { return *health_; }
  const Connection& connection() const { return conn_; }

 private:
  Connection conn_;
  std::unique_ptr<rv1::ReferralService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
};

int Submit(Client& client, const ParsedArgs& a) {
  rv1::SubmitReferralRequest req;
  iv1::ReferralSubmitted& s = *req.mutable_submission();
  if (a.Has("file")) {
    // "-" reads standard input: personal data then never shows in `ps` or shell history.
    auto text = ReadInput(a.Get("file"));
    if (!text.ok()) Fail(std::string(text.status().message()));
    auto st = google::protobuf::util::JsonStringToMessage(*text, &s);
    // Only the parser's verdict, not its message: it can quote values (a CPR number) from the file.
    if (!st.ok())
      Fail(absl::StrCat(a.Get("file"), ": not a ReferralSubmitted (protobuf JSON mapping)"));
  } else {
    s.set_municipality(a.Get("municipality"));
    s.set_source_system(a.Get("source-system", "kprctl"));
    s.set_external_id(a.Get("external-id"));
    if (a.Has("source")) {
      s.set_source(OrUsage(ParseEnumArg<iv1::ReferralSource>(
          a.Get("source"), iv1::ReferralSource_Parse, "REFERRAL_SOURCE_", "source")));
    }
    auto* c = s.mutable_citizen();
    c->set_cpr(a.Get("cpr"));
    c->set_given_name(a.Get("given-name"));
    c->set_family_name(a.Get("family-name"));
    c->set_phone(a.Get("phone"));
    c->set_email(a.Get("email"));
    c->set_preferred_language(a.Get("language"));
    if (a.Has("channel")) {
      c->set_preferred_channel(OrUsage(ParseEnumArg<iv1::ContactChannel>(
          a.Get("channel"), iv1::ContactChannel_Parse, "CONTACT_CHANNEL_", "channel")));
    }
    s.mutable_referrer()->set_caseworker_id(a.Get("caseworker"));
    s.mutable_referrer()->set_organisation(a.Get("organisation"));
    if (a.Has("target-group")) {
      s.set_target_group(OrUsage(ParseEnumArg<iv1::TargetGroup>(
          a.Get("target-group"), iv1::TargetGroup_Parse, "TARGET_GROUP_", "target group")));
    }
    if (a.Has("benefit")) {
      s.set_benefit_situation(
          OrUsage(ParseEnumArg<iv1::BenefitSituation>(a.Get("benefit"), iv1::BenefitSituation_Parse,
                                                      "BENEFIT_SITUATION_", "benefit situation")));
    }
    s.set_reason(a.Get("reason"));
    s.set_preferred_program(a.Get("program"));
    s.set_notes(a.Get("notes"));
  }
  if (!s.citizen().has_consent_given_at()) {
    *s.mutable_citizen()->mutable_consent_given_at() = TimeUtil::GetCurrentTime();
  }
  if (!s.has_submitted_at()) *s.mutable_submitted_at() = TimeUtil::GetCurrentTime();
  rv1::SubmitReferralResponse resp;
  auto ctx = client.Context();
  client.Check(client.stub().SubmitReferral(ctx.get(), req, &resp));
  if (a.Has("json")) {
    std::cout << ToJson(resp);
  } else {
    std::cout << (resp.created() ? "created " : "already known: ") << resp.referral().id() << "\n";
  }
  return 0;
}

int Get(Client& client, const ParsedArgs& a) {
  if (a.positional.size() != 1) Usage("get needs one referral id");
  rv1::GetReferralRequest req;
  req.set_id(a.positional[0]);
  rv1::Referral resp;
  auto ctx = client.Context();
  client.Check(client.stub().GetReferral(ctx.get(), req, &resp));
  std::cout << (a.Has("json") ? ToJson(resp) : FormatReferral(resp));
  return 0;
}

int List(Client& client, const ParsedArgs& a) {
  rv1::ListReferralsRequest req = OrUsage(BuildListReferrals(a));
  rv1::ListReferralsResponse all;
  while (true) {
    rv1::ListReferralsResponse resp;
    auto ctx = client.Context();
    client.Check(client.stub().ListReferrals(ctx.get(), req, &resp));
    for (auto& r : *resp.mutable_referrals()) *all.add_referrals() = std::move(r);
    all.set_next_page_token(resp.next_page_token());
    if (!a.Has("all") || resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  std::cout << (a.Has("json") ? ToJson(all) : FormatReferralList(all));
  return 0;
}

int Status(Client& client, const ParsedArgs& a) {
  // Any status the contract names goes to the service (waitlisted too): it decides which
  // change is allowed, and its error says why.
  rv1::UpdateReferralStatusRequest req = OrUsage(BuildUpdateReferralStatus(a));
  if (req.expected_version() == 0) {
    // Without --expected-version: change the referral as it is now.
    rv1::GetReferralRequest get;
    get.set_id(req.id());
    rv1::Referral current;
    auto ctx = client.Context();
    client.Check(client.stub().GetReferral(ctx.get(), get, &current));
    req.set_expected_version(current.version());
  }
  rv1::Referral resp;
  auto ctx = client.Context();
  client.Check(client.stub().UpdateReferralStatus(ctx.get(), req, &resp));
  if (a.Has("json")) {
    std::cout << ToJson(resp);
  } else {
    std::cout << resp.id() << " is now " << ReferralStatusName(resp.status()) << " (version "
              << resp.version() << ")\n";
  }
  return 0;
}

int Contact(Client& client, const ParsedArgs& a) {
  if (a.positional.size() != 1) Usage("contact needs one referral id");
  rv1::GetContactRequest req;
  req.set_id(a.positional[0]);
  rv1::Contact resp;
  auto ctx = client.Context();
  client.Check(client.stub().GetContact(ctx.get(), req, &resp));
  if (a.Has("json")) {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << "name:     " << resp.given_name() << " " << resp.family_name() << "\n"
            << "cpr:      " << resp.cpr() << "\n"
            << "phone:    " << (resp.phone().empty() ? "-" : resp.phone()) << "\n"
            << "e-mail:   " << (resp.email().empty() ? "-" : resp.email()) << "\n"
            << "channel:  "
            << ShortEnumName(iv1::ContactChannel_Name(resp.preferred_channel()), "CONTACT_CHANNEL_")
            << ", language " << resp.preferred_language() << "\n"
            << "reason:   " << (resp.reason().empty() ? "-" : resp.reason()) << "\n";
  for (const auto& n : resp.notes()) {
    std::cout << "note " << FormatTime(n.written_at()) << " " << n.author() << ": " << n.text()
              << "\n";
  }
  return 0;
}

int Funnel(Client& client, const ParsedArgs& a) {
  rv1::GetFunnelRequest req = OrUsage(BuildGetFunnel(a));
  rv1::Funnel resp;
  auto ctx = client.Context();
  client.Check(client.stub().GetFunnel(ctx.get(), req, &resp));
  if (a.Has("json")) {
    std::cout << ToJson(resp);
    return 0;
  }
  std::cout << FormatFunnel(resp);
  return 0;
}

int Health(Client& client, const ParsedArgs& a) {
  grpc::health::v1::HealthCheckRequest req;
  req.set_service(a.positional.empty() ? "" : a.positional[0]);
  grpc::health::v1::HealthCheckResponse resp;
  auto ctx = client.connection().AnonymousContext();
  client.Check(client.health().Check(ctx.get(), req, &resp));
  std::string status = grpc::health::v1::HealthCheckResponse::ServingStatus_Name(resp.status());
  std::cout << status << "\n";
  return resp.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

int Token(const ParsedArgs& a) {
  for (const char* required : {"sub", "role", "municipalities", "secret-file"}) {
    if (!a.Has(required)) Usage(absl::StrCat("token needs --", required));
  }
  auto secret = rpc::ReadSecretFile(a.Get("secret-file"));
  if (!secret.ok()) Fail(std::string(secret.status().message()));
  identity::Claims claims;
  claims.subject = a.Get("sub");
  claims.role = identity::ParseRole(a.Get("role"));
  if (claims.role == identity::Role::kUnknown)
    Usage(absl::StrCat("unknown role '", a.Get("role"), "'"));
  claims.municipalities = absl::StrSplit(a.Get("municipalities"), ',', absl::SkipEmpty());
  // The services refuse a token that lives longer than its role's cap: mint within it.
  const absl::Duration cap = rpc::TokenLifetimes{}.For(claims.role);
  absl::Duration ttl = cap;
  if (a.Has("ttl") && !absl::ParseDuration(a.Get("ttl"), &ttl)) Usage("--ttl: e.g. 8h or 30m");
  if (ttl <= absl::ZeroDuration() || ttl > cap) {
    Usage(absl::StrCat("--ttl: at most ", absl::FormatDuration(cap), " for role ", a.Get("role"),
                       ", which is what the services accept"));
  }
  claims.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  claims.expires_at = claims.issued_at + ttl;
  std::cout << rpc::SignJwt(claims, *secret) << "\n";
  return 0;
}

}  // namespace
}  // namespace kpr::kprctl

int main(int argc, char** argv) {
  using namespace kpr::kprctl;  // NOLINT
  std::vector<std::string> args(argv + 1, argv + argc);
  // The referral commands' options; the scheduling, outcomes and notify commands check their
  // own per command.
  const std::set<std::string> referral_options = {"addr",
                                                  "token",
                                                  "token-file",
                                                  "timeout",
                                                  "municipality",
                                                  "source",
                                                  "source-system",
                                                  "external-id",
                                                  "cpr",
                                                  "given-name",
                                                  "family-name",
                                                  "phone",
                                                  "email",
                                                  "channel",
                                                  "language",
                                                  "caseworker",
                                                  "organisation",
                                                  "target-group",
                                                  "benefit",
                                                  "reason",
                                                  "program",
                                                  "notes",
                                                  "file",
                                                  "status",
                                                  "since",
                                                  "page-size",
                                                  "page-token",
                                                  "note",
                                                  "expected-version",
                                                  "from",
                                                  "to",
                                                  "sub",
                                                  "role",
                                                  "municipalities",
                                                  "secret-file",
                                                  "ttl"};
  const std::set<std::string> referral_flags = {"json", "all", "help"};
  std::set<std::string> options = referral_options;
  options.insert(SchedulingOptions().begin(), SchedulingOptions().end());
  std::set<std::string> flags = referral_flags;
  flags.insert(SchedulingFlags().begin(), SchedulingFlags().end());
  options.insert(OutcomesOptions().begin(), OutcomesOptions().end());
  flags.insert(OutcomesFlags().begin(), OutcomesFlags().end());
  options.insert(NotifyOptions().begin(), NotifyOptions().end());
  flags.insert(NotifyFlags().begin(), NotifyFlags().end());
  options.insert(ClockOptions().begin(), ClockOptions().end());
  flags.insert(ClockFlags().begin(), ClockFlags().end());
  // Without tzdata Danish times would be an hour off in summer: say so, but still work.
  if (auto tz = kpr::calendar::DanishTimeZoneLoaded(); !tz.ok()) {
    std::cerr << "kprctl: warning: " << tz.message() << "\n";
  }
  auto parsed = ParseArgs(args, options, flags);
  if (!parsed.ok()) Usage(std::string(parsed.status().message()));
  const ParsedArgs& a = *parsed;
  if (a.command.empty() || a.command == "help" || a.Has("help")) {
    std::cout << kUsage << kSchedulingUsage << kOutcomesUsage << kNotifyUsage << kClockUsage;
    return a.command.empty() && !a.Has("help") ? 2 : 0;
  }
  if (IsSchedulingCommand(a.command)) return RunSchedulingCommand(a);
  if (IsOutcomesCommand(a.command)) return RunOutcomesCommand(a);
  if (IsNotifyCommand(a.command)) return RunNotifyCommand(a);
  if (IsClockCommand(a.command)) return RunClockCommand(a);
  for (const auto& [name, value] : a.options) {
    if (!referral_options.count(name) && !referral_flags.count(name)) {
      Usage(absl::StrCat("unknown option --", name, " for ", a.command));
    }
  }
  if (a.command == "token") return Token(a);
  Client client(a);
  if (a.command == "submit") return Submit(client, a);
  if (a.command == "get") return Get(client, a);
  if (a.command == "list") return List(client, a);
  if (a.command == "status") return Status(client, a);
  if (a.command == "contact") return Contact(client, a);
  if (a.command == "funnel") return Funnel(client, a);
  if (a.command == "health") return Health(client, a);
  Usage(absl::StrCat("unknown command '", a.command, "'"));
}
