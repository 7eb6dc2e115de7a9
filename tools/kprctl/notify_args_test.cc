#include "tools/kprctl/notify_args.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/kprctl/outcomes_args.h"
#include "tools/kprctl/scheduling_args.h"

namespace kpr::kprctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Parses a command line the way kprctl's main does (the other groups' options are known too).
ParsedArgs Parse(const std::vector<std::string>& argv) {
  std::set<std::string> options = NotifyOptions();
  options.insert(OutcomesOptions().begin(), OutcomesOptions().end());
  options.insert(SchedulingOptions().begin(), SchedulingOptions().end());
  options.insert("addr");
  std::set<std::string> flags = NotifyFlags();
  flags.insert(OutcomesFlags().begin(), OutcomesFlags().end());
  flags.insert(SchedulingFlags().begin(), SchedulingFlags().end());
  auto parsed = ParseArgs(argv, options, flags);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : ParsedArgs{};
}

std::string Error(const absl::Status& s) { return std::string(s.message()); }

// The error of a builder that must fail.
template <typename T>
std::string Fails(const absl::StatusOr<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? std::string() : Error(r.status());
}

// ---- Values -------------------------------------------------------------------------------

TEST(ParseNotifyEnums, ShortNamesWithDashOrUnderscore) {
  EXPECT_EQ(*ParseTrigger("welcome", "trigger"), nv1::TRIGGER_WELCOME);
  EXPECT_EQ(*ParseTrigger("session-reminder", "trigger"), nv1::TRIGGER_SESSION_REMINDER);
  EXPECT_EQ(*ParseTrigger("SESSION_REMINDER", "trigger"), nv1::TRIGGER_SESSION_REMINDER);
  EXPECT_EQ(*ParseTrigger("TRIGGER_DROP_OUT_RISK", "trigger"), nv1::TRIGGER_DROP_OUT_RISK);
  EXPECT_EQ(*ParseLanguage("da", "language"), nv1::LANGUAGE_DA);
  EXPECT_EQ(*ParseLanguage(" EN ", "language"), nv1::LANGUAGE_EN);
  EXPECT_EQ(*ParseDeliveryStatus("failed", "status"), nv1::DELIVERY_STATUS_FAILED);

  EXPECT_EQ(Fails(ParseLanguage("de", "language")), "--language: expected one of da, en, got 'de'");
  EXPECT_EQ(Fails(ParseLanguage("unspecified", "language")),
            "--language: expected one of da, en, got 'unspecified'");
  EXPECT_EQ(Fails(ParseDeliveryStatus("bounced", "status")),
            "--status: expected one of pending, sending, sent, delivered, failed, skipped, "
            "cancelled, got 'bounced'");
  std::string trigger = Fails(ParseTrigger("reminder", "trigger"));
  EXPECT_THAT(trigger, HasSubstr("--trigger: expected one of welcome, cohort_information, "
                                 "session_reminder,"));
  EXPECT_THAT(trigger, HasSubstr("coordinator_message, got 'reminder'"));
}

TEST(ParseBool, TrueOrFalse) {
  EXPECT_TRUE(*ParseBool("true", "sms-opt-out"));
  EXPECT_TRUE(*ParseBool("YES", "sms-opt-out"));
  EXPECT_FALSE(*ParseBool("false", "sms-opt-out"));
  EXPECT_FALSE(*ParseBool("no", "sms-opt-out"));
  EXPECT_EQ(Fails(ParseBool("1", "sms-opt-out")), "--sms-opt-out: expected true or false, got '1'");
}

TEST(ParseOffsets, DurationsNoneAndMistakes) {
  EXPECT_THAT(*ParseOffsets("24h,2h", "offsets"), ElementsAre(absl::Hours(24), absl::Hours(2)));
  EXPECT_THAT(*ParseOffsets(" 1h30m , 45m ", "offsets"),
              ElementsAre(absl::Minutes(90), absl::Minutes(45)));
  EXPECT_THAT(*ParseOffsets("none", "offsets"), IsEmpty());
  EXPECT_THAT(*ParseOffsets("", "offsets"), IsEmpty());
  EXPECT_EQ(Fails(ParseOffsets("24h,2", "offsets")),
            "--offsets: expected offsets like 24h,2h (or none), got '24h,2'");
  EXPECT_EQ(Fails(ParseOffsets("24h,,2h", "offsets")),
            "--offsets: expected offsets like 24h,2h (or none), got '24h,,2h'");
  EXPECT_EQ(Fails(ParseOffsets("90s", "offsets")), "--offsets: '90s' is not whole minutes");
  EXPECT_EQ(Fails(ParseOffsets("0m", "offsets")), "--offsets: '0m' is not above zero");
  EXPECT_EQ(Fails(ParseOffsets("-2h", "offsets")), "--offsets: '-2h' is not above zero");
  EXPECT_EQ(Fails(ParseOffsets("2h,120m", "offsets")), "--offsets: 2h is given twice");
}

// ---- Commands -----------------------------------------------------------------------------

TEST(ResolveNotifyCommand, NamesSubcommandsAndOptions) {
  EXPECT_TRUE(IsNotifyCommand("notify"));
  EXPECT_FALSE(IsNotifyCommand("deliveries"));
  EXPECT_EQ(*ResolveNotifyCommand(Parse({"notify", "deliveries", "--status", "failed"})),
            "deliveries");
  EXPECT_EQ(*ResolveNotifyCommand(
                Parse({"--notify-addr", "h:1", "notify", "reminder-offsets", "set", "--json"})),
            "reminder-offsets set");

  auto error = [](const std::vector<std::string>& argv) {
    return Fails(ResolveNotifyCommand(Parse(argv)));
  };
  EXPECT_EQ(error({"notify"}),
            "notify needs a command: coordinator deliveries preferences preview "
            "reminder-offsets send templates");
  EXPECT_EQ(error({"notify", "templates"}), "notify templates needs a subcommand: list upsert");
  EXPECT_EQ(error({"notify", "templates", "delete"}),
            "unknown subcommand 'notify templates delete' (one of: list upsert)");
  EXPECT_EQ(error({"notify", "delivery"}),
            "unknown command 'notify delivery' (one of: coordinator deliveries preferences "
            "preview reminder-offsets send templates)");
  EXPECT_EQ(error({"notify", "preferences", "get", "0165-R1"}),
            "notify preferences get: unexpected argument '0165-R1' (ids are given with options "
            "such as --cohort)");
  EXPECT_EQ(error({"notify", "preferences", "get", "--municipality", "0165"}),
            "notify preferences get does not take --municipality");
  EXPECT_EQ(error({"notify", "send", "--outcomes-addr", "h:1"}),
            "--outcomes-addr is the outcomes service's address; use --notify-addr (or "
            "$KPR_NOTIFY_ADDR)");
  EXPECT_EQ(error({"notify", "send", "--text", "--cohort", "c"}),
            "--text needs a value (got '--cohort')");
}

TEST(NotifyOptions, DoNotClashWithOtherGroupsFlags) {
  // An option taking a value in one group and none in another would break ParseArgs.
  for (const auto& o : NotifyOptions()) EXPECT_EQ(SchedulingFlags().count(o), 0u) << o;
  for (const auto& o : NotifyOptions()) EXPECT_EQ(OutcomesFlags().count(o), 0u) << o;
  for (const auto& f : NotifyFlags()) EXPECT_EQ(SchedulingOptions().count(f), 0u) << f;
  EXPECT_TRUE(NotifyOptions().count("notify-addr"));
  EXPECT_FALSE(NotifyOptions().count("json"));
}

// ---- Requests -----------------------------------------------------------------------------

TEST(BuildListDeliveries, FiltersAndPaging) {
  auto req = BuildListDeliveries(
      Parse({"notify", "deliveries", "--municipality", "0165", "--status", "failed", "--cohort",
             "0165-C1", "--page-size", "100", "--page-token", "p2"}));
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->municipality(), "0165");
  EXPECT_EQ(req->status(), nv1::DELIVERY_STATUS_FAILED);
  EXPECT_EQ(req->cohort_id(), "0165-C1");
  EXPECT_EQ(req->referral_id(), "");
  EXPECT_EQ(req->page_size(), 100);
  EXPECT_EQ(req->page_token(), "p2");

  auto by_referral = BuildListDeliveries(
      Parse({"notify", "deliveries", "--municipality", "0165", "--referral", "0165-R1"}));
  ASSERT_TRUE(by_referral.ok()) << by_referral.status();
  EXPECT_EQ(by_referral->referral_id(), "0165-R1");
  EXPECT_EQ(by_referral->status(), nv1::DELIVERY_STATUS_UNSPECIFIED);
  EXPECT_EQ(by_referral->page_size(), 0);  // the service's default
}

TEST(BuildListDeliveries, MistakesNameTheFlag) {
  auto error = [](const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"notify", "deliveries"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Fails(BuildListDeliveries(Parse(argv)));
  };
  EXPECT_EQ(error({"--status", "failed"}), "notify deliveries needs --municipality");
  EXPECT_EQ(error({"--municipality", "0165"}),
            "notify deliveries needs a filter: --referral ID, --cohort ID and/or --status S");
  EXPECT_THAT(error({"--municipality", "0165", "--status", "lost"}),
              HasSubstr("--status: expected one of pending,"));
  EXPECT_EQ(error({"--municipality", "0165", "--cohort", "c", "--page-size", "501"}),
            "--page-size: expected a whole number from 1 to 500, got '501'");
  EXPECT_EQ(error({"--municipality", "0165", "--cohort", "c", "--page-size", "0"}),
            "--page-size: expected a whole number from 1 to 500, got '0'");
}

TEST(BuildSetPreferences, KeepsTheChannelNotNamed) {
  nv1::Preferences current;
  current.set_referral_id("0165-R1");
  current.set_sms_opted_out(true);
  current.set_version(3);
  auto req = BuildSetPreferences(Parse({"notify", "preferences", "set", "--referral", "0165-R1",
                                        "--email-opt-out", "true", "--expected-version", "3"}),
                                 current);
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->preferences().referral_id(), "0165-R1");
  EXPECT_TRUE(req->preferences().sms_opted_out());  // kept
  EXPECT_TRUE(req->preferences().email_opted_out());
  EXPECT_EQ(req->expected_version(), 3);

  auto back_in = BuildSetPreferences(Parse({"notify", "preferences", "set", "--referral", "0165-R1",
                                            "--sms-opt-out", "false", "--expected-version", "3"}),
                                     current);
  ASSERT_TRUE(back_in.ok()) << back_in.status();
  EXPECT_FALSE(back_in->preferences().sms_opted_out());
  EXPECT_FALSE(back_in->preferences().email_opted_out());
}

TEST(BuildSetPreferences, MistakesNameTheFlag) {
  auto error = [](const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"notify", "preferences", "set"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Fails(BuildSetPreferences(Parse(argv), nv1::Preferences()));
  };
  EXPECT_EQ(error({"--sms-opt-out", "true", "--expected-version", "0"}),
            "notify preferences set needs --referral");
  EXPECT_EQ(error({"--referral", "r1", "--expected-version", "0"}),
            "notify preferences set needs --sms-opt-out true|false and/or --email-opt-out "
            "true|false");
  EXPECT_EQ(error({"--referral", "r1", "--sms-opt-out", "true"}),
            "notify preferences set needs --expected-version N: the version `kprctl notify "
            "preferences get` shows, 0 for the first save");
  EXPECT_EQ(error({"--referral", "r1", "--email-opt-out", "ja", "--expected-version", "0"}),
            "--email-opt-out: expected true or false, got 'ja'");
  EXPECT_EQ(error({"--referral", "r1", "--sms-opt-out", "true", "--expected-version", "-1"}),
            "--expected-version: expected a whole number >= 0, got '-1'");
}

TEST(BuildTemplates, ListFiltersAndUpsertTexts) {
  auto list = BuildListTemplates(Parse({"notify", "templates", "list", "--municipality", "0165",
                                        "--trigger", "welcome", "--language", "en"}));
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->trigger(), nv1::TRIGGER_WELCOME);
  EXPECT_EQ(list->language(), nv1::LANGUAGE_EN);
  auto all = BuildListTemplates(Parse({"notify", "templates", "list", "--municipality", "0165"}));
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->trigger(), nv1::TRIGGER_UNSPECIFIED);

  auto up = BuildUpsertTemplate(
      Parse({"notify", "templates", "upsert", "--municipality", "0165", "--trigger", "welcome",
             "--language", "da", "--sms-text", "Hej {first_name}", "--email-subject", "Velkommen",
             "--email-text", "Hej {first_name}\nVi ses.", "--expected-version", "2"}));
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->template_().municipality(), "0165");
  EXPECT_EQ(up->template_().trigger(), nv1::TRIGGER_WELCOME);
  EXPECT_EQ(up->template_().language(), nv1::LANGUAGE_DA);
  EXPECT_EQ(up->template_().sms_text(), "Hej {first_name}");
  EXPECT_EQ(up->template_().email_text(), "Hej {first_name}\nVi ses.");
  EXPECT_EQ(up->template_().email_html(), "");
  EXPECT_EQ(up->expected_version(), 2);

  auto base = std::vector<std::string>{"notify", "templates",    "upsert", "--municipality",
                                       "0165",   "--language",   "da",     "--email-subject",
                                       "S",      "--email-text", "T",      "--expected-version",
                                       "0"};
  auto with = [&](const std::vector<std::string>& extra) {
    auto argv = base;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return BuildUpsertTemplate(Parse(argv));
  };
  auto risk = with({"--trigger", "drop-out-risk"});
  ASSERT_TRUE(risk.ok()) << risk.status();
  EXPECT_EQ(risk->template_().sms_text(), "");
  EXPECT_EQ(Fails(with({"--trigger", "drop_out_risk", "--sms-text", "x"})),
            "--sms-text: drop_out_risk goes by e-mail to the coordinator only");
  EXPECT_EQ(Fails(with({"--trigger", "welcome"})), "notify templates upsert needs --sms-text");
  EXPECT_EQ(Fails(BuildUpsertTemplate(Parse({"notify", "templates", "upsert", "--municipality",
                                             "0165", "--trigger", "welcome", "--language", "da"}))),
            "notify templates upsert needs --sms-text");
  EXPECT_EQ(Fails(with({"--trigger", "reminder", "--sms-text", "x"})).substr(0, 30),
            "--trigger: expected one of wel");
  base.resize(base.size() - 2);  // without --expected-version
  EXPECT_EQ(Fails(with({"--trigger", "welcome", "--sms-text", "x"})),
            "notify templates upsert needs --expected-version N: the version `kprctl notify "
            "templates list` shows, 0 for the first save");
}

TEST(BuildPreviewMessage, TheTemplateInForceOrADraft) {
  auto saved = BuildPreviewMessage(Parse({"notify", "preview", "--municipality", "0165",
                                          "--trigger", "session-reminder", "--language", "en"}));
  ASSERT_TRUE(saved.ok()) << saved.status();
  EXPECT_EQ(saved->trigger(), nv1::TRIGGER_SESSION_REMINDER);
  EXPECT_EQ(saved->language(), nv1::LANGUAGE_EN);
  EXPECT_FALSE(saved->has_draft());

  auto draft = BuildPreviewMessage(
      Parse({"notify", "preview", "--municipality", "0165", "--trigger", "session-reminder",
             "--language", "en", "--sms-text", "See you {time} \u2019"}));
  ASSERT_TRUE(draft.ok()) << draft.status();
  ASSERT_TRUE(draft->has_draft());
  EXPECT_EQ(draft->draft().sms_text(), "See you {time} \u2019");
  EXPECT_EQ(draft->draft().municipality(), "0165");
  EXPECT_EQ(draft->draft().trigger(), nv1::TRIGGER_SESSION_REMINDER);

  EXPECT_EQ(Fails(BuildPreviewMessage(
                Parse({"notify", "preview", "--municipality", "0165", "--trigger", "welcome"}))),
            "notify preview needs --language");
}

TEST(BuildSendMessage, ReferralsOrACohortWithARequestId) {
  auto to_referrals = BuildSendMessage(
      Parse({"notify", "send", "--municipality", "0165", "--request-id", "q-1", "--referral",
             "0165-R1, 0165-R2", "--text", "Husk madpakke i morgen"}));
  ASSERT_TRUE(to_referrals.ok()) << to_referrals.status();
  EXPECT_EQ(to_referrals->request_id(), "q-1");
  EXPECT_THAT(to_referrals->referral_ids(), ElementsAre("0165-R1", "0165-R2"));
  EXPECT_EQ(to_referrals->cohort_id(), "");
  EXPECT_EQ(to_referrals->text(), "Husk madpakke i morgen");

  auto repeated = BuildSendMessage(
      Parse({"notify", "send", "--municipality", "0165", "--request-id", "q-1", "--referral",
             "0165-R1", "--referral", "0165-R2,0165-R3", "--text", "x"}));
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_THAT(repeated->referral_ids(), ElementsAre("0165-R1", "0165-R2", "0165-R3"));

  auto to_cohort =
      BuildSendMessage(Parse({"notify", "send", "--municipality", "0165", "--request-id", "q-2",
                              "--cohort", "0165-C1", "--text", "Aflyst i dag"}));
  ASSERT_TRUE(to_cohort.ok()) << to_cohort.status();
  EXPECT_EQ(to_cohort->cohort_id(), "0165-C1");
  EXPECT_THAT(to_cohort->referral_ids(), IsEmpty());

  auto error = [](const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {"notify", "send", "--municipality", "0165"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return Fails(BuildSendMessage(Parse(argv)));
  };
  EXPECT_EQ(error({"--cohort", "c", "--text", "hi"}),
            "notify send needs --request-id ID: one per message (a UUID, say); a retry with the "
            "same id sends nothing twice");
  EXPECT_EQ(error({"--request-id", "q", "--text", "hi"}),
            "notify send needs either --referral r1,r2 or --cohort C (not both)");
  EXPECT_EQ(error({"--request-id", "q", "--cohort", "c", "--referral", "r1", "--text", "hi"}),
            "notify send needs either --referral r1,r2 or --cohort C (not both)");
  EXPECT_EQ(error({"--request-id", "q", "--referral", "r1,,r2", "--text", "hi"}),
            "--referral: an empty referral id in 'r1,,r2'");
  EXPECT_EQ(error({"--request-id", "q", "--referral", "r1,r2", "--referral", "r2", "--text", "hi"}),
            "--referral: r2 is given twice");
  EXPECT_EQ(error({"--request-id", "q", "--referral", " ", "--text", "hi"}),
            "--referral: expected referral ids like r1,r2");
  EXPECT_EQ(error({"--request-id", "q", "--cohort", "c", "--text", "  "}),
            "notify send needs --text: the message to send");
}

TEST(BuildReminderOffsets, GetAndSet) {
  auto get = BuildGetReminderOffsets(
      Parse({"notify", "reminder-offsets", "get", "--municipality", "0165", "--program", "p1"}));
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->municipality(), "0165");
  EXPECT_EQ(get->program_id(), "p1");

  auto set =
      BuildSetReminderOffsets(Parse({"notify", "reminder-offsets", "set", "--municipality", "0165",
                                     "--offsets", "24h,1h30m", "--expected-version", "4"}));
  ASSERT_TRUE(set.ok()) << set.status();
  const auto& r = set->reminder_offsets();
  EXPECT_EQ(r.municipality(), "0165");
  EXPECT_EQ(r.program_id(), "");
  ASSERT_EQ(r.offsets_size(), 2);
  EXPECT_EQ(r.offsets(0).seconds(), 24 * 3600);
  EXPECT_EQ(r.offsets(1).seconds(), 90 * 60);
  EXPECT_EQ(set->expected_version(), 4);

  for (const char* none : {"none", ""}) {
    auto off = BuildSetReminderOffsets(
        Parse({"notify", "reminder-offsets", "set", "--municipality", "0165", "--program", "p1",
               "--offsets", none, "--expected-version", "0"}));
    ASSERT_TRUE(off.ok()) << off.status();
    EXPECT_THAT(off->reminder_offsets().offsets(), IsEmpty()) << none;
  }

  EXPECT_EQ(
      Fails(BuildSetReminderOffsets(Parse({"notify", "reminder-offsets", "set", "--municipality",
                                           "0165", "--expected-version", "0"}))),
      "notify reminder-offsets set needs --offsets like 24h,2h (none: no reminders)");
  EXPECT_EQ(Fails(BuildSetReminderOffsets(
                Parse({"notify", "reminder-offsets", "set", "--municipality", "0165", "--offsets",
                       "1 day", "--expected-version", "0"}))),
            "--offsets: expected offsets like 24h,2h (or none), got '1 day'");
}

TEST(BuildCoordinatorContact, GetAndSet) {
  auto get =
      BuildGetCoordinatorContact(Parse({"notify", "coordinator", "get", "--municipality", "0183"}));
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->municipality(), "0183");

  auto set = BuildSetCoordinatorContact(
      Parse({"notify", "coordinator", "set", "--municipality", "0183", "--email",
             "kultur@ishoj.example.invalid", "--expected-version", "1"}));
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->email(), "kultur@ishoj.example.invalid");
  EXPECT_EQ(set->expected_version(), 1);

  for (const char* bad : {"kultur", "@ishoj.dk", "kultur@", "a b@c.dk"}) {
    EXPECT_EQ(Fails(BuildSetCoordinatorContact(
                  Parse({"notify", "coordinator", "set", "--municipality", "0183", "--email", bad,
                         "--expected-version", "1"}))),
              absl::StrCat("--email: expected an e-mail address, got '", bad, "'"));
  }
  EXPECT_EQ(Fails(BuildSetCoordinatorContact(
                Parse({"notify", "coordinator", "set", "--municipality", "0183"}))),
            "notify coordinator set needs --email");
}

}  // namespace
}  // namespace kpr::kprctl
