#include "tools/kprctl/notify_commands.h"

#include <functional>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "kpr/notify/v1/notify_service.grpc.pb.h"
#include "tools/kprctl/client_common.h"
#include "tools/kprctl/notify_format.h"

namespace kpr::kprctl {

const char kNotifyUsage[] = R"usage(
Notify commands (kpr-notify at --notify-addr HOST:PORT, default $KPR_NOTIFY_ADDR or
127.0.0.1:50054; --municipality defaults to $KPR_MUNICIPALITY). Triggers, channels, statuses
and languages by short name: welcome, session-reminder (or session_reminder), sms, failed, da.
Saves name the version they replace with --expected-version (0 for the first save).
  notify deliveries --municipality M (--referral R | --cohort C | --status S) [--page-size N]
                [--page-token T]
                newest first (filters given together must all match), with why one was
                skipped or failed; recipients masked;
                "possibly duplicated": the provider may have sent it twice
                S: pending sending sent delivered failed skipped cancelled
  notify preferences get --referral R
  notify preferences set --referral R [--sms-opt-out true|false] [--email-opt-out true|false]
                --expected-version N          a channel not named keeps its setting
  notify templates list --municipality M [--trigger T] [--language da|en]
                the templates in force: the municipality's own, else kpr's default
  notify templates upsert --municipality M --trigger T --language da|en --sms-text TEXT
                --email-subject S --email-text TEXT [--email-html HTML] --expected-version N
                a new version with all its texts (no --email-html: plain text only; no
                --sms-text for drop_out_risk); placeholders are written {name}; never re-sends
  notify preview --municipality M --trigger T --language da|en [--sms-text TEXT]
                [--email-subject S] [--email-text TEXT] [--email-html HTML]
                the template in force, or the draft given, rendered with example data: the
                SMS encoding, segments and units, and what forces UCS-2
  notify send   --municipality M --request-id ID (--referral R... | --cohort C) --text TEXT
                a coordinator's message to the referrals (--referral r1,r2 or repeated) or
                the cohort's participants;
                --request-id is required: one per message (a UUID, say), and a retry with
                the same id sends nothing twice
  notify reminder-offsets get --municipality M [--program P]
  notify reminder-offsets set --municipality M [--program P] --offsets 24h,2h
                --expected-version N          before each session; --offsets none: no reminders;
                without --program the municipality's default
  notify coordinator get --municipality M
  notify coordinator set --municipality M --email ADDRESS --expected-version N
                where the municipality's drop-out risk e-mails go (admin)
Texts with several lines: --email-text "$(cat welcome-da.txt)".
)usage";

namespace {

using Stub = nv1::NotifyService::Stub;

class Notify : public ServiceClient<nv1::NotifyService> {
 public:
  explicit Notify(const ParsedArgs& args)
      // kpr-notify: --notify-addr, else $KPR_NOTIFY_ADDR, else the local default.
      : ServiceClient(args, Connection::FromArgs(args, "kpr-notify", "notify-addr",
                                                 "KPR_NOTIFY_ADDR", "127.0.0.1:50054")) {}
};

// One save: a stale --expected-version is explained; otherwise as Call.
template <typename Req, typename Resp>
Resp Save(Notify& n, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
          const Req& req, const std::string& get_command) {
  Resp resp;
  grpc::Status status = n.Try(method, req, &resp);
  if (status.error_code() == grpc::StatusCode::ABORTED) {
    Fail(absl::StrCat(DescribeStatus(status), "\n(saved by someone else since: `kprctl notify ",
                      get_command, "` shows the current version for --expected-version)"));
  }
  n.conn().Check(status);
  return resp;
}

int Deliveries(Notify& n) {
  auto resp = n.Call(&Stub::ListDeliveries, OrUsage(BuildListDeliveries(n.args())));
  n.Print(resp, FormatDeliveries(resp));
  return 0;
}

int PreferencesGet(Notify& n) {
  auto resp = n.Call(&Stub::GetPreferences, OrUsage(BuildGetPreferences(n.args())));
  n.Print(resp, FormatPreferences(resp));
  return 0;
}

int PreferencesSet(Notify& n) {
  OrUsage(BuildSetPreferences(n.args(), nv1::Preferences()));  // bad usage before any call
  // A channel the command line does not name keeps its setting: read the current ones first.
  nv1::Preferences current;
  grpc::Status read =
      n.Try(&Stub::GetPreferences, OrUsage(BuildGetPreferences(n.args())), &current);
  if (read.error_code() == grpc::StatusCode::NOT_FOUND) {
    current = nv1::Preferences();  // never saved: both channels allowed
  } else {
    n.conn().Check(read);
  }
  auto resp = Save(n, &Stub::SetPreferences, OrUsage(BuildSetPreferences(n.args(), current)),
                   "preferences get");
  n.Print(resp, FormatPreferences(resp));
  return 0;
}

int TemplatesList(Notify& n) {
  auto resp = n.Call(&Stub::ListTemplates, OrUsage(BuildListTemplates(n.args())));
  n.Print(resp, FormatTemplates(resp));
  return 0;
}

int TemplatesUpsert(Notify& n) {
  auto resp =
      Save(n, &Stub::UpsertTemplate, OrUsage(BuildUpsertTemplate(n.args())), "templates list");
  n.Print(resp, FormatTemplateSaved(resp));
  return 0;
}

int Preview(Notify& n) {
  auto resp = n.Call(&Stub::PreviewMessage, OrUsage(BuildPreviewMessage(n.args())));
  n.Print(resp, FormatPreview(resp));
  return 0;
}

int Send(Notify& n) {
  auto req = OrUsage(BuildSendMessage(n.args()));
  auto resp = n.Call(&Stub::SendMessage, req);
  n.Print(resp, FormatSendResult(req, resp));
  return 0;
}

int ReminderOffsetsGet(Notify& n) {
  auto resp = n.Call(&Stub::GetReminderOffsets, OrUsage(BuildGetReminderOffsets(n.args())));
  n.Print(resp, FormatReminderOffsets(resp));
  return 0;
}

int ReminderOffsetsSet(Notify& n) {
  auto resp = Save(n, &Stub::SetReminderOffsets, OrUsage(BuildSetReminderOffsets(n.args())),
                   "reminder-offsets get");
  n.Print(resp, FormatReminderOffsets(resp));
  return 0;
}

int CoordinatorGet(Notify& n) {
  auto resp = n.Call(&Stub::GetCoordinatorContact, OrUsage(BuildGetCoordinatorContact(n.args())));
  n.Print(resp, FormatCoordinatorContact(resp));
  return 0;
}

int CoordinatorSet(Notify& n) {
  auto resp = Save(n, &Stub::SetCoordinatorContact, OrUsage(BuildSetCoordinatorContact(n.args())),
                   "coordinator get");
  n.Print(resp, FormatCoordinatorContact(resp));
  return 0;
}

}  // namespace

int RunNotifyCommand(const ParsedArgs& parsed) {
  std::string name = OrUsage(ResolveNotifyCommand(parsed));
  ParsedArgs a = parsed;
  DefaultMunicipalityFromEnv(a);
  static const auto* commands = new std::map<std::string, std::function<int(Notify&)>>{
      {"deliveries", Deliveries},
      {"preferences get", PreferencesGet},
      {"preferences set", PreferencesSet},
      {"templates list", TemplatesList},
      {"templates upsert", TemplatesUpsert},
      {"preview", Preview},
      {"send", Send},
      {"reminder-offsets get", ReminderOffsetsGet},
      {"reminder-offsets set", ReminderOffsetsSet},
      {"coordinator get", CoordinatorGet},
      {"coordinator set", CoordinatorSet},
  };
  auto it = commands->find(name);
  if (it == commands->end()) Usage(absl::StrCat("unknown command 'notify ", name, "'"));
  Notify n(a);
  return it->second(n);
}

}  // namespace kpr::kprctl
