#include "services/notify/default_templates.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "libs/calendar/danish_time.h"
#include "services/notify/message_values.h"

namespace kpr::notify {
namespace {

// One language's texts for a trigger. The e-mail's plain text is greeting, body and sign-off;
// its HTML is the same text in paragraphs.
struct Texts {
  const char* sms;
  const char* subject;
  const char* body;
};

struct Defaults {
  v1::Trigger trigger;
  Texts da;
  Texts en;
};

// Danish SMS texts use only GSM-7 characters: straight quotes and hyphens, "kl. 10.00".
const Defaults kDefaults[] = {
    {v1::TRIGGER_WELCOME,
     {"Hej {first_name}. Velkommen til {program}! Vi glæder os til at møde dig og giver besked, "
      "så snart dit hold er klar.",
      "Velkommen til {program}",
      "Velkommen til {program}! Vi er glade for, at du vil være med, og vi glæder os til at møde "
      "dig.\n\nVi giver dig besked om datoer og sted, så snart vi har fundet et hold til dig."},
     {"Hi {first_name}. Welcome to {program}! We look forward to meeting you and will let you "
      "know as soon as your group is ready.",
      "Welcome to {program}",
      "Welcome to {program}! We are glad you want to join, and we look forward to meeting you."
      "\n\nWe will let you know the dates and place as soon as we have found a group for you."}},
    {v1::TRIGGER_COHORT_INFORMATION,
     {"Hej {first_name}. Du har fået en plads på {program}. Vi starter {first_session_start} på "
      "{venue}. Datoer: {cohort_dates}. Vi glæder os til at se dig!",
      "Din plads på {program}",
      "Du har fået en plads på {program}.\n\nVi starter {first_session_start} på {venue}.\n\n"
      "Alle datoer: {cohort_dates}.\n\nVi glæder os til at se dig!"},
     {"Hi {first_name}. You have a place on {program}. We start {first_session_start} at "
      "{venue}. Dates: {cohort_dates}. We look forward to seeing you!",
      "Your place on {program}",
      "You have a place on {program}.\n\nWe start {first_session_start} at {venue}.\n\n"
      "All dates: {cohort_dates}.\n\nWe look forward to seeing you!"}},
    {v1::TRIGGER_SESSION_REMINDER,
     {"Hej {first_name}. Vi ses til {activity} {session_start} på {venue}. Kan du ikke komme, så "
      "giv gerne din koordinator besked.",
      "Vi ses {session_start}",
      "En lille påmindelse: Vi ses til {activity} {session_start} på {venue}.\n\n"
      "Kan du ikke komme, så giv gerne din koordinator besked."},
     {"Hi {first_name}. A reminder: {activity}, {session_start}, {venue}. If you cannot come, "
      "please let your coordinator know.",
      "See you {session_start}",
      "A friendly reminder: {activity}, {session_start}, at {venue}.\n\n"
      "If you cannot come, please let your coordinator know."}},
    {v1::TRIGGER_SESSION_RESCHEDULED,
     {"Hej {first_name}. {activity} {previous_session_start} er flyttet til {session_start} på "
      "{venue}. Vi ses!",
      "Ny tid: {activity} {session_start}",
      "{activity} {previous_session_start} er flyttet.\n\nNy tid: {session_start} på {venue}."
      "\n\nVi ses!"},
     {"Hi {first_name}. {activity} on {previous_session_start} has moved to {session_start} at "
      "{venue}. See you there!",
      "New time: {activity} {session_start}",
      "{activity} on {previous_session_start} has moved.\n\nNew time: {session_start} at "
      "{venue}.\n\nSee you there!"}},
    {v1::TRIGGER_SESSION_CANCELLED,
     {"Hej {first_name}. {activity} {session_start} på {venue} er desværre aflyst. Vi ses næste "
      "gang!",
      "Aflyst: {activity} {session_start}",
      "{activity} {session_start} på {venue} er desværre aflyst.\n\nVi ses næste gang!"},
     {"Hi {first_name}. Unfortunately, {activity} on {session_start} at {venue} is cancelled. "
      "See you next time!",
      "Cancelled: {activity} {session_start}",
      "Unfortunately, {activity} on {session_start} at {venue} is cancelled.\n\n"
      "See you next time!"}},
    {v1::TRIGGER_COHORT_CANCELLED,
     {"Hej {first_name}. Dit hold på {program} er desværre aflyst. Vi kontakter dig om, hvad der "
      "nu skal ske.",
      "Dit hold på {program} er aflyst",
      "Dit hold på {program} er desværre aflyst.\n\nVi kontakter dig snart om, hvad der nu skal "
      "ske. Har du spørgsmål, er du velkommen til at kontakte din koordinator."},
     {"Hi {first_name}. Unfortunately, your group on {program} has been cancelled. We will "
      "contact you about what happens next.",
      "Your group on {program} is cancelled",
      "Unfortunately, your group on {program} has been cancelled.\n\nWe will contact you soon "
      "about what happens next. If you have questions, you are welcome to contact your "
      "coordinator."}},
    {v1::TRIGGER_WAITLISTED,
     {"Hej {first_name}. Holdene på {program} er fulde lige nu, så du står på venteliste. Vi "
      "giver besked, så snart der er plads til dig.",
      "Du står på venteliste til {program}",
      "Holdene på {program} er fulde lige nu, så du står på venteliste.\n\n"
      "Vi giver dig besked, så snart der er en plads til dig."},
     {"Hi {first_name}. The groups on {program} are full right now, so you are on the waiting "
      "list. We will let you know as soon as there is a place.",
      "You are on the waiting list for {program}",
      "The groups on {program} are full right now, so you are on the waiting list.\n\n"
      "We will let you know as soon as there is a place for you."}},
    {v1::TRIGGER_MOVED_FROM_WAITLIST,
     {"Hej {first_name}. Godt nyt: Der er en plads til dig på {program}! Vi starter "
      "{first_session_start} på {venue}. Datoer: {cohort_dates}.",
      "Der er en plads til dig på {program}",
      "Godt nyt: Der er blevet en plads til dig på {program}!\n\nVi starter "
      "{first_session_start} på {venue}.\n\nAlle datoer: {cohort_dates}.\n\n"
      "Vi glæder os til at se dig!"},
     {"Hi {first_name}. Good news: there is a place for you on {program}! We start "
      "{first_session_start} at {venue}. Dates: {cohort_dates}.",
      "There is a place for you on {program}",
      "Good news: a place has opened up for you on {program}!\n\nWe start "
      "{first_session_start} at {venue}.\n\nAll dates: {cohort_dates}.\n\n"
      "We look forward to seeing you!"}},
    {v1::TRIGGER_QUESTIONNAIRE_DUE,
     {"Hej {first_name}. Vil du hjælpe os med at gøre {program} bedre? Svar på et kort "
      "spørgeskema her: {questionnaire_link} (senest {questionnaire_closes})",
      "Et kort spørgeskema om {program}",
      "Vil du hjælpe os med at gøre {program} endnu bedre? Det tager kun få minutter at svare på "
      "vores korte spørgeskema:\n\n{questionnaire_link}\n\nDu kan svare til og med "
      "{questionnaire_closes}. Tak for hjælpen!"},
     {"Hi {first_name}. Would you help us make {program} better? Answer a short questionnaire "
      "here: {questionnaire_link} (by {questionnaire_closes})",
      "A short questionnaire about {program}",
      "Would you help us make {program} even better? It only takes a few minutes to answer our "
      "short questionnaire:\n\n{questionnaire_link}\n\nYou can answer until "
      "{questionnaire_closes}. Thank you!"}},
    {v1::TRIGGER_QUESTIONNAIRE_OVERDUE,
     {"Hej {first_name}. Vi mangler stadig dit svar på spørgeskemaet om {program}. Svar her: "
      "{questionnaire_link} (senest {questionnaire_closes}). Tak!",
      "Påmindelse: spørgeskema om {program}",
      "Vi mangler stadig dit svar på spørgeskemaet om {program}. Dine svar hjælper os med at "
      "gøre forløbet bedre, og det tager kun få minutter:\n\n{questionnaire_link}\n\n"
      "Du kan svare til og med {questionnaire_closes}. Tak for hjælpen!"},
     {"Hi {first_name}. We are still missing your answers about {program}. Answer here: "
      "{questionnaire_link} (by {questionnaire_closes}). Thank you!",
      "Reminder: questionnaire about {program}",
      "We are still missing your answers to the questionnaire about {program}. Your answers help "
      "us make the course better, and it only takes a few minutes:\n\n{questionnaire_link}\n\n"
      "You can answer until {questionnaire_closes}. Thank you!"}},
    {v1::TRIGGER_DROP_OUT_RISK,
     {"", "Fremmøde: en deltager på {program} har brug for opfølgning",
      "En deltager på {program} kan være ved at falde fra: {risk_reasons}.\n\n"
      "Henvisning: {referral_id}\nHold: {cohort_id}\n\n"
      "Slå henvisningen op i kpr, og tag gerne kontakt til deltageren."},
     {"", "Attendance: a participant on {program} needs follow-up",
      "A participant on {program} may be dropping out: {risk_reasons}.\n\n"
      "Referral: {referral_id}\nGroup: {cohort_id}\n\n"
      "Look up the referral in kpr and consider contacting the participant."}},
    {v1::TRIGGER_COORDINATOR_MESSAGE,
     {"Hej {first_name}. {message}", "Besked fra {program}", "{message}"},
     {"Hi {first_name}. {message}", "Message from {program}", "{message}"}},
};

// The plain-text e-mail in paragraphs: escaped, "\n" as <br>. Placeholders pass through; their
// values are escaped when rendered.
std::string HtmlOf(absl::string_view text, bool english) {
  std::string out =
      absl::StrCat("<!DOCTYPE html>\n<html lang=\"", english ? "en" : "da",
                   "\">\n<body style=\"font-family: sans-serif; line-height: 1.5\">\n");
  for (absl::string_view paragraph : absl::StrSplit(text, "\n\n")) {
    absl::StrAppend(&out, "<p>", absl::StrReplaceAll(HtmlEscape(paragraph), {{"\n", "<br>\n"}}),
                    "</p>\n");
  }
  absl::StrAppend(&out, "</body>\n</html>\n");
  return out;
}

absl::Time ExampleTime(int day, int hour) {
  return calendar::LocalToAbsolute(absl::CivilMinute(2027, 3, day, hour, 0));
}

}  // namespace

v1::Template DefaultTemplate(absl::string_view municipality, v1::Trigger trigger,
                             v1::Language language) {
  const bool english = language == v1::LANGUAGE_EN;
  v1::Template t;
  t.set_municipality(std::string(municipality));
  t.set_trigger(trigger);
  t.set_language(english ? v1::LANGUAGE_EN : v1::LANGUAGE_DA);
  t.set_version(0);
  t.set_shipped_default(true);
  for (const Defaults& d : kDefaults) {
    if (d.trigger != trigger) continue;
    const Texts& texts = english ? d.en : d.da;
    const bool coordinator = trigger == v1::TRIGGER_DROP_OUT_RISK;
    const char* greeting = coordinator ? (english ? "Hello" : "Hej")
                                       : (english ? "Hi {first_name}" : "Hej {first_name}");
    const char* sign_off = coordinator
                               ? (english ? "This message was sent automatically by kpr."
                                          : "Denne besked er sendt automatisk af kpr.")
                               : (english ? "Kind regards\n{program}, {municipality_name}"
                                          : "Venlig hilsen\n{program}, {municipality_name}");
    t.set_sms_text(texts.sms);
    t.set_email_subject(texts.subject);
    t.set_email_text(absl::StrCat(greeting, "\n\n", texts.body, "\n\n", sign_off));
    t.set_email_html(HtmlOf(t.email_text(), english));
  }
  return t;
}

MessageValues ExampleValues(absl::string_view municipality, v1::Trigger trigger,
                            v1::Language language) {
  const bool english = language == v1::LANGUAGE_EN;
  std::vector<absl::Time> sessions;
  for (int week = 0; week < 8; ++week) sessions.push_back(ExampleTime(2 + 7 * week, 10));
  const MessageValues all = {
      {"first_name", "Sofie"},
      {"program", "Sund med Kultur"},
      {"municipality_name", "Eksempelby Kommune"},
      {"activity", english ? "Community singing" : "Fællessang"},
      {"session_start", FormatSessionStart(ExampleTime(9, 10), language)},
      {"previous_session_start", FormatSessionStart(ExampleTime(8, 13), language)},
      {"venue", "Sundhedshuset, Eksempelvej 1"},
      {"first_session_start", FormatSessionStart(sessions.front(), language)},
      {"cohort_dates", FormatCohortDates(sessions, language)},
      {"questionnaire_link", "https://kpr.example.invalid/q/EKSEMPEL"},
      {"questionnaire_closes", FormatDay(absl::CivilDay(2027, 3, 30), language)},
      {"message",
       english ? "Remember comfortable clothes next time." : "Husk praktisk tøj til næste gang."},
      {"referral_id", absl::StrCat(municipality, "-EKSEMPEL")},
      {"cohort_id", absl::StrCat(municipality, "-hold-eksempel")},
      {"risk_reasons",
       FormatRiskReasons({outcomes::v1::RISK_REASON_TWO_ABSENCES_IN_A_ROW}, language)},
  };
  MessageValues out;
  for (absl::string_view name : PlaceholdersFor(trigger)) {
    auto it = all.find(name);
    if (it != all.end()) out.insert(*it);
  }
  return out;
}

}  // namespace kpr::notify
