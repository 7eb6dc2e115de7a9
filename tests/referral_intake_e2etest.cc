// 2,000 submissions through real NATS into a real kpr-referral process and Redis: 10 % of them
// repeated, 5 % invalid, plus a few undecodable messages. Afterwards exactly the distinct valid
// ones are stored once each, with one received event each, one rejection each for the invalid
// ones, dead letters for the undecodable ones, and no planted CPR or phone number in clear text
// in the service's log or anywhere in Redis.

#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "kpr/common/v1/event.pb.h"
#include "kpr/referral/v1/events.pb.h"
#include "tests/support/referral_testing.h"

namespace kpr::testing {
namespace {

constexpr int kSubmissions = 2000;

TEST(ReferralIntake, StoresEachDistinctValidSubmissionOnceAndRejectsTheInvalid) {
  ASSERT_TRUE(FlushRedis().ok());
  ASSERT_TRUE(DeleteAllStreams().ok());
  Secrets secrets = WriteSecrets(Servers::Dir());
  ReferralProcess service(secrets, {{"KPR_INTAKE_ACK_WAIT", "5s"}});
  ASSERT_TRUE(service.Start().ok());
  ASSERT_TRUE(service.WaitServing().ok()) << service.Log();

  auto nats = TestNats::Connect(Servers::Nats().url());
  ASSERT_TRUE(nats.ok()) << nats.status();
  ASSERT_TRUE(service.WaitConsuming().ok()) << service.Log();

  // Plan: n in [0, 2000). Every 20th is invalid (5 %); every 10th valid one is sent twice with a
  // new envelope id (10 % repeated: a resend by the integration, not a NATS duplicate).
  std::set<std::string> valid_external_ids, invalid_external_ids;
  std::set<std::string> planted;  // CPR and phone numbers that must never appear in clear text
  int published = 0;
  for (int n = 0; n < kSubmissions; ++n) {
    const std::string m = n % 2 == 0 ? "0165" : "0183";
    auto submission = SyntheticSubmission(n, m);
    planted.insert(submission.citizen().cpr());
    planted.insert(submission.citizen().phone());
    planted.insert(submission.citizen().email());
    planted.insert(submission.citizen().given_name());
    planted.insert(submission.notes());
    bool invalid = n % 20 == 7;
    if (invalid) {
      submission.mutable_citizen()->set_cpr(
          absl::StrCat("3113", submission.citizen().cpr().substr(4)));  // no 31st of the 13th month
      submission.set_target_group(intake::v1::TARGET_GROUP_UNSPECIFIED);
      planted.insert(submission.citizen().cpr());
      invalid_external_ids.insert(submission.external_id());
    } else {
      valid_external_ids.insert(submission.external_id());
    }
    std::string subject = absl::StrCat("kpr.intake.v1.referral_submitted.", m);
    int copies = (!invalid && n % 10 == 3) ? 2 : 1;
    if (invalid && n % 40 == 7) copies = 2;  // some invalid ones are resent unchanged too
    for (int c = 0; c < copies; ++c) {
      std::string id = absl::StrCat("intake-", n, "-", c);
      ASSERT_TRUE((*nats)->PublishAsync(subject, IntakeEnvelope(submission, id, m), id).ok());
      ++published;
    }
  }
  for (int g = 0; g < 5; ++g) {
    std::string id = absl::StrCat("garbage-", g);
    ASSERT_TRUE((*nats)
                    ->PublishAsync("kpr.intake.v1.referral_submitted.0165",
                                   absl::StrCat("\xff\xfe not protobuf ", g), id)
                    .ok());
  }
  ASSERT_TRUE((*nats)->WaitPublished().ok());
  EXPECT_GT(published, kSubmissions * 105 / 100);

  // Done when the work queue is empty and every received and rejected event is out.
  auto counts = [&](std::map<std::string, int>* by_type, std::map<std::string, int>* by_id) {
    auto msgs = (*nats)->ReadStream("KPR_REFERRAL");
    if (!msgs.ok()) return false;
    by_type->clear();
    by_id->clear();
    for (const auto& m : *msgs) {
      kpr::common::v1::Event e;
      if (!e.ParseFromString(m.data)) continue;
      (*by_type)[e.type()]++;
      (*by_id)[e.id()]++;
    }
    return true;
  };
  std::map<std::string, int> by_type, by_id;
  bool done = Eventually(
      [&] {
        auto left = (*nats)->StreamCount("KPR_INTAKE");
        auto out = (*nats)->StreamCount("KPR_REFERRAL");  // cheap check before reading it all
        return left.ok() && *left == 0 && out.ok() &&
               *out >= valid_external_ids.size() + invalid_external_ids.size() &&
               counts(&by_type, &by_id) &&
               by_type["kpr.referral.v1.ReferralReceived"] >=
                   static_cast<int>(valid_external_ids.size()) &&
               by_type["kpr.referral.v1.ReferralRejected"] >=
                   static_cast<int>(invalid_external_ids.size());
      },
      absl::Seconds(120), absl::Milliseconds(500));
  ASSERT_TRUE(done) << "received " << by_type["kpr.referral.v1.ReferralReceived"] << " rejected "
                    << by_type["kpr.referral.v1.ReferralRejected"];
  absl::SleepFor(absl::Seconds(1));  // anything extra would show up now
  ASSERT_TRUE(counts(&by_type, &by_id));

  EXPECT_EQ(by_type["kpr.referral.v1.ReferralReceived"],
            static_cast<int>(valid_external_ids.size()));
  EXPECT_EQ(by_type["kpr.referral.v1.ReferralRejected"],
            static_cast<int>(invalid_external_ids.size()));
  for (const auto& [id, n] : by_id)
    EXPECT_EQ(n, 1) << "event " << id << " on the stream " << n << " times";

  // Which external ids were received / rejected, and what the rejections say.
  auto msgs = (*nats)->ReadStream("KPR_REFERRAL");
  ASSERT_TRUE(msgs.ok());
  std::set<std::string> received_ext, rejected_ext;
  for (const auto& m : *msgs) {
    kpr::common::v1::Event e;
    ASSERT_TRUE(e.ParseFromString(m.data));
    EXPECT_EQ(m.msg_id, e.id());  // the envelope id is the Nats-Msg-Id
    EXPECT_EQ(m.subject.substr(m.subject.size() - 4), e.municipality());
    if (e.type() == "kpr.referral.v1.ReferralReceived") {
      referral::v1::ReferralReceived r;
      ASSERT_TRUE(e.payload().UnpackTo(&r));
      received_ext.insert(r.external_id());
      EXPECT_EQ(r.citizen_id().size(), 32u);
    } else if (e.type() == "kpr.referral.v1.ReferralRejected") {
      referral::v1::ReferralRejected r;
      ASSERT_TRUE(e.payload().UnpackTo(&r));
      rejected_ext.insert(r.external_id());
      std::set<std::string> fields;
      for (const auto& v : r.violations()) fields.insert(v.field());
      EXPECT_EQ(fields, (std::set<std::string>{"citizen.cpr", "target_group"}));
      EXPECT_EQ(r.source_system(), "fasit");
    }
  }
  EXPECT_EQ(received_ext, valid_external_ids);
  EXPECT_EQ(rejected_ext, invalid_external_ids);

  // Dead letters for the undecodable messages, with the reason, and nothing else there.
  ASSERT_TRUE(Eventually(
      [&] {
        auto n = (*nats)->StreamCount("KPR_DLQ");
        return n.ok() && *n == 5;
      },
      absl::Seconds(10)));
  auto dead = (*nats)->ReadStream("KPR_DLQ");
  ASSERT_TRUE(dead.ok());
  for (const auto& m : *dead) {
    kpr::common::v1::DeadLetter dl;
    ASSERT_TRUE(dl.ParseFromString(m.data));
    EXPECT_NE(dl.reason().find("undecodable"), std::string::npos) << dl.reason();
    EXPECT_EQ(dl.original_subject(), "kpr.intake.v1.referral_submitted.0165");
    EXPECT_FALSE(dl.sealed_data().empty());
  }

  // Redis: exactly the distinct valid referrals, once each.
  auto dump = DumpRedis(Servers::Redis().port());
  ASSERT_TRUE(dump.ok());
  size_t entities = 0;
  for (size_t pos = 0; (pos = dump->find(":referral:r:", pos)) != std::string::npos; ++pos)
    ++entities;
  EXPECT_EQ(entities, valid_external_ids.size());

  // No planted CPR or phone number in clear text in Redis, in events or in the service's log.
  std::string log = service.Log();
  std::string events;
  for (const auto& m : *msgs) events += m.data;
  // Redis holds lower-case hex digests (keyed hashes, ids): an 8-digit phone number turns up
  // inside one by chance in about one run in five. Such a hit, inside a hex run of 32 or more
  // characters with a letter in it, is a digest, not the value in clear.
  auto in_digest = [](const std::string& text, size_t at, size_t len) {
    auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
    size_t from = at, to = at + len;
    while (from > 0 && hex(text[from - 1])) --from;
    while (to < text.size() && hex(text[to])) ++to;
    if (to - from < 32) return false;
    for (size_t k = from; k < to; ++k) {
      if (text[k] >= 'a') return true;
    }
    return false;
  };
  auto find_in_clear = [&](const std::string& text, const std::string& secret) {
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 1)) {
      if (!in_digest(text, at, secret.size())) return at;
    }
    return std::string::npos;
  };
  for (const auto& secret : planted) {
    size_t at = find_in_clear(*dump, secret);
    ASSERT_EQ(at, std::string::npos)
        << "personal data in Redis: synthetic " << secret << " in \""
        << absl::CHexEscape(dump->substr(at > 60 ? at - 60 : 0, 140)) << "\"";
    ASSERT_EQ(log.find(secret), std::string::npos) << "personal data in the log";
    ASSERT_EQ(events.find(secret), std::string::npos) << "personal data in an event";
  }
  for (const std::string& text :
       {std::string("stress efter sygemelding"), std::string("Syntetisk")}) {
    EXPECT_EQ(dump->find(text), std::string::npos) << "free text or a name in clear in Redis";
    EXPECT_EQ(events.find(text), std::string::npos) << "free text or a name in an event";
    EXPECT_EQ(log.find(text), std::string::npos) << "free text or a name in the log";
  }
  EXPECT_NE(log.find("\"msg\""), std::string::npos);  // the log was captured at all
  EXPECT_EQ(service.Terminate(), 0) << "SIGTERM should drain and exit 0";
}

}  // namespace
}  // namespace kpr::testing
