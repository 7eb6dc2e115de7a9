#!/usr/bin/env bash
# Runs kpr on this machine: installs missing Debian packages, builds, starts nats-server -js and
# redis-server on loopback, starts the services, loads demo data for Albertslund (0165) and
# Ishøj (0183) and prints how to try it. Ctrl-C stops everything; --detach leaves it running
# (stop it with deploy/local/stop.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
DETACH=0
[ "${1:-}" = "--detach" ] && DETACH=1

NATS_PORT=${KPR_LOCAL_NATS_PORT:-14222}
REDIS_PORT=${KPR_LOCAL_REDIS_PORT:-16379}
REFERRAL_GRPC=${KPR_LOCAL_REFERRAL_GRPC:-127.0.0.1:50051}
REFERRAL_HTTP=${KPR_LOCAL_REFERRAL_HTTP:-127.0.0.1:8081}
SCHEDULING_GRPC=${KPR_LOCAL_SCHEDULING_GRPC:-127.0.0.1:50052}
SCHEDULING_HTTP=${KPR_LOCAL_SCHEDULING_HTTP:-127.0.0.1:8082}
OUTCOMES_GRPC=${KPR_LOCAL_OUTCOMES_GRPC:-127.0.0.1:50053}
OUTCOMES_HTTP=${KPR_LOCAL_OUTCOMES_HTTP:-127.0.0.1:8083}
NOTIFY_GRPC=${KPR_LOCAL_NOTIFY_GRPC:-127.0.0.1:50054}
NOTIFY_HTTP=${KPR_LOCAL_NOTIFY_HTTP:-127.0.0.1:8084}
SMS_PORT=${KPR_LOCAL_SMS_PORT:-18090}
SMTP_PORT=${KPR_LOCAL_SMTP_PORT:-12525}
VAR="$ROOT/var/local"
mkdir -p "$VAR/logs" "$VAR/nats" "$VAR/redis" "$VAR/tokens" "$VAR/mail"

./scripts/install-deps.sh
./scripts/build.sh kpr-referral kpr-scheduling kpr-outcomes kpr-notify kpr-sms-gateway-sim kprctl \
  kpr-referral-sim kpr-scheduling-sim kpr-outcomes-sim kpr-notify-sim kpr-semester
BIN="$ROOT/${BUILD_DIR:-build}"
KPRCTL="$BIN/tools/kprctl/kprctl"

"$ROOT/deploy/local/stop.sh" >/dev/null 2>&1 || true

# Secrets: the JWT signing secret and the 32-byte data key, made once and kept in var/.
[ -s "$VAR/jwt.secret" ] || head -c 32 /dev/urandom > "$VAR/jwt.secret"
[ -s "$VAR/data.key" ] || head -c 32 /dev/urandom > "$VAR/data.key"
[ -s "$VAR/sms-gateway.token" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$VAR/sms-gateway.token"
[ -s "$VAR/callback.secret" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$VAR/callback.secret"
chmod 600 "$VAR/jwt.secret" "$VAR/data.key" "$VAR/sms-gateway.token" "$VAR/callback.secret"

nats-server -js -a 127.0.0.1 -p "$NATS_PORT" -sd "$VAR/nats" > "$VAR/logs/nats.log" 2>&1 &
echo $! > "$VAR/nats.pid"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$VAR/redis" --appendonly yes \
  --save "" --protected-mode no > "$VAR/logs/redis.log" 2>&1 &
echo $! > "$VAR/redis.pid"

# notify's peers, both stand-ins: the SMS gateway simulator (it prints each message it takes,
# the number masked) and an SMTP sink that keeps every e-mail as a .eml file in var/local/mail.
"$BIN/tests/harness/kpr-sms-gateway-sim" --port "$SMS_PORT" --token_file "$VAR/sms-gateway.token" \
  --callback_secret_file "$VAR/callback.secret" --mo_url "http://$NOTIFY_HTTP/callbacks/sms/reply" \
  --log_messages > "$VAR/logs/sms-gateway.log" 2>&1 &
echo $! > "$VAR/sms-gateway.pid"
/usr/bin/python3 "$ROOT/tests/harness/smtp_sink.py" --port "$SMTP_PORT" --dir "$VAR/mail" \
  > "$VAR/logs/smtp-sink.log" 2>&1 &
echo $! > "$VAR/smtp-sink.pid"

# The four services. `start_services -sim` starts the simulated-clock builds (kpr-<service>-sim):
# their domain time is the one shared clock in Redis that kprctl moves, so a whole semester can
# be played in minutes. Quiet hours are off here so the demo shows its messages at any hour; the
# default holds SMS between 21:00 and 08:00.
start_services() {
  local suffix=${1:-}
  local common=(KPR_NATS_URL="nats://127.0.0.1:$NATS_PORT" KPR_REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
    KPR_JWT_SECRET_FILE="$VAR/jwt.secret" KPR_DATA_KEY_FILE="$VAR/data.key")
  env "${common[@]}" KPR_GRPC_ADDR="$REFERRAL_GRPC" KPR_HTTP_ADDR="$REFERRAL_HTTP" \
    "$BIN/services/referral/kpr-referral$suffix" >> "$VAR/logs/referral.log" 2>&1 &
  echo $! > "$VAR/referral.pid"
  env "${common[@]}" KPR_GRPC_ADDR="$SCHEDULING_GRPC" KPR_HTTP_ADDR="$SCHEDULING_HTTP" \
    KPR_REFERRAL_ADDR="$REFERRAL_GRPC" \
    "$BIN/services/scheduling/kpr-scheduling$suffix" >> "$VAR/logs/scheduling.log" 2>&1 &
  echo $! > "$VAR/scheduling.pid"
  env "${common[@]}" KPR_GRPC_ADDR="$OUTCOMES_GRPC" KPR_HTTP_ADDR="$OUTCOMES_HTTP" \
    "$BIN/services/outcomes/kpr-outcomes$suffix" >> "$VAR/logs/outcomes.log" 2>&1 &
  echo $! > "$VAR/outcomes.pid"
  env "${common[@]}" KPR_GRPC_ADDR="$NOTIFY_GRPC" KPR_HTTP_ADDR="$NOTIFY_HTTP" \
    KPR_REFERRAL_ADDR="$REFERRAL_GRPC" \
    KPR_SMS_GATEWAY_URL="http://127.0.0.1:$SMS_PORT" KPR_SMS_GATEWAY_TOKEN_FILE="$VAR/sms-gateway.token" \
    KPR_NOTIFY_CALLBACK_SECRET_FILE="$VAR/callback.secret" KPR_NOTIFY_PUBLIC_URL="http://$NOTIFY_HTTP" \
    KPR_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" KPR_SMTP_STARTTLS=opportunistic KPR_SMTP_FROM="kpr@kommune.example" \
    KPR_QUESTIONNAIRE_URL="https://skema.kommune.example/q" KPR_NOTIFY_QUIET_HOURS=off \
    "$BIN/services/notify/kpr-notify$suffix" >> "$VAR/logs/notify.log" 2>&1 &
  echo $! > "$VAR/notify.pid"
  for svc in referral:$REFERRAL_GRPC scheduling:$SCHEDULING_GRPC outcomes:$OUTCOMES_GRPC notify:$NOTIFY_GRPC; do
    name=${svc%%:*}; addr=${svc#*:}
    for _ in $(seq 1 100); do
      "$KPRCTL" --addr "$addr" health >/dev/null 2>&1 && break
      sleep 0.2
    done
    "$KPRCTL" --addr "$addr" health >/dev/null || {
      echo "kpr-$name$suffix did not become healthy; see $VAR/logs/$name.log" >&2
      exit 1
    }
  done
}
stop_services() {
  for name in notify outcomes scheduling referral; do
    pid=$(cat "$VAR/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}

# A finished semester, once: the simulated builds play it from about four months back up to
# now (synthetic citizens referred by the jobcenter, accepted, placed, reminded, attending,
# answering WHO-5 and the follow-up; tests/support/semester.h), then the normal services take
# over the same data, so the first program report already has figures a committee could read.
if [ ! -f "$VAR/demo-semester-done" ]; then
  semester_start=$(date -d "last monday - 18 weeks" +%F)
  # The shared clock first: a running -sim service never moves its time back.
  "$KPRCTL" clock set "${semester_start}T07:00:00Z" --redis-url "redis://127.0.0.1:$REDIS_PORT" >/dev/null
  start_services -sim
  echo "Playing a semester from $semester_start up to now (a few minutes; log in var/local/logs/semester.log)"
  "$BIN/tests/kpr-semester" --referral "$REFERRAL_GRPC" --scheduling "$SCHEDULING_GRPC" \
    --outcomes "$OUTCOMES_GRPC" --notify "$NOTIFY_GRPC" --nats_url "nats://127.0.0.1:$NATS_PORT" \
    --redis_url "redis://127.0.0.1:$REDIS_PORT" --jwt_secret_file "$VAR/jwt.secret" \
    --kprctl "$KPRCTL" --catalog "$ROOT/deploy/local/demo-catalog.json" \
    --municipalities 0165,0183 --start "$semester_start" > "$VAR/logs/semester.log" 2>&1 || {
      echo "the semester did not finish; see $VAR/logs/semester.log" >&2
      exit 1
    }
  stop_services
  touch "$VAR/demo-semester-done"
fi
start_services
export KPR_SCHEDULING_ADDR="$SCHEDULING_GRPC"
export KPR_OUTCOMES_ADDR="$OUTCOMES_GRPC"
export KPR_NOTIFY_ADDR="$NOTIFY_GRPC"

token() { "$KPRCTL" token --secret-file "$VAR/jwt.secret" "$@"; }
token --sub coordinator-demo --role coordinator --municipalities 0165,0183 > "$VAR/tokens/coordinator"
token --sub analyst-demo --role analyst --municipalities 0165,0183 > "$VAR/tokens/analyst"
token --sub cw-demo-1 --role caseworker --municipalities 0165 > "$VAR/tokens/caseworker"
token --sub admin-demo --role admin --municipalities 0165,0183 > "$VAR/tokens/admin"
token --sub musikskolen-instruktoer-1 --role instructor --municipalities 0165 > "$VAR/tokens/instructor"
export KPR_TOKEN=$(cat "$VAR/tokens/coordinator")

# Demo data: synthetic citizens only (made-up CPR numbers and phone numbers, never real people).
# The catalog (invented institutions and staff) and two cohorts of each program a municipality,
# open for enrolment, so referrals accepted below are placed at once.
if [ ! -f "$VAR/demo-scheduling-loaded" ]; then
  KPR_TOKEN=$(cat "$VAR/tokens/admin") "$KPRCTL" catalog load --file "$ROOT/deploy/local/demo-catalog.json" >/dev/null
  for m in 0165 0183; do
    for c in sund-med-kultur:2027-W03 sund-med-kultur:2027-W09 kultur-paa-recept:2027-W03 kultur-paa-recept:2027-W14; do
      "$KPRCTL" cohort create --municipality "$m" --program "${c%%:*}" --start-week "${c#*:}" --name "Hold ${c#*:}" \
        --request-id "demo-$m-$c" >/dev/null
    done
  done
  touch "$VAR/demo-scheduling-loaded"
fi
if [ ! -f "$VAR/demo-loaded" ]; then
  sources=(jobcenter jobcenter jobcenter general_practitioner jobhuset self_referral)
  groups=(sick_listed long_term_unemployed newly_unemployed sick_listed vulnerable_young)
  n=0
  for m in 0165 0183; do
    for i in $(seq 1 12); do
      n=$((n + 1))
      cpr=$(printf "%02d%02d%02d%d%03d" $(( (n % 28) + 1 )) $(( (n % 12) + 1 )) $(( 60 + n )) $(( n % 4 )) $(( n * 7 % 1000 )))
      id=$("$KPRCTL" --addr "$REFERRAL_GRPC" --json submit --municipality "$m" \
        --source "${sources[$((i % 6))]}" --source-system demo --external-id "demo-$m-$i" \
        --caseworker cw-demo-$((i % 3 + 1)) --organisation "Jobcenter demo" \
        --cpr "$cpr" --given-name "Demo$n" --family-name "Borger" --phone "$(printf '2%07d' "$n")" \
        --email "demo$n@example.invalid" --channel "$([ $((i % 3)) -eq 0 ] && echo email || echo sms)" \
        --target-group "${groups[$((i % 5))]}" --benefit sygedagpenge \
        --reason "demo: stress og sygemelding" | sed -n 's/.*"id": "\([^"]*\)".*/\1/p' | head -1)
      # Move some along the lifecycle so the funnel has shape.
      if [ $((i % 4)) -ne 0 ]; then "$KPRCTL" --addr "$REFERRAL_GRPC" status "$id" under_review --note "intake booked" >/dev/null; fi
      if [ $((i % 4)) -ge 2 ]; then "$KPRCTL" --addr "$REFERRAL_GRPC" status "$id" accepted >/dev/null; fi
      if [ $((i % 4)) -eq 1 ] && [ "$i" -gt 4 ]; then "$KPRCTL" --addr "$REFERRAL_GRPC" status "$id" declined --reason citizen_declined >/dev/null; fi
    done
  done
  touch "$VAR/demo-loaded"
fi

# The semester's program report, as a committee gets it.
YEAR=$(date +%Y)
echo
echo "Program report, Sund med Kultur, Albertslund (0165), $YEAR:"
KPR_TOKEN=$(cat "$VAR/tokens/analyst") "$KPRCTL" outcomes report program --outcomes-addr "$OUTCOMES_GRPC" \
  --municipality 0165 --program sund-med-kultur --from "$YEAR-01-01" --to "$((YEAR + 1))-01-01" || true

cat <<MSG

kpr is running on loopback:
  nats-server -js    nats://127.0.0.1:$NATS_PORT        (data in var/local/nats)
  redis-server       redis://127.0.0.1:$REDIS_PORT       (AOF in var/local/redis)
  kpr-referral       gRPC $REFERRAL_GRPC, HTTP http://$REFERRAL_HTTP/metrics /healthz /readyz
  kpr-scheduling     gRPC $SCHEDULING_GRPC, HTTP http://$SCHEDULING_HTTP/metrics /healthz /readyz
  kpr-outcomes       gRPC $OUTCOMES_GRPC, HTTP http://$OUTCOMES_HTTP/metrics /healthz /readyz
  kpr-notify         gRPC $NOTIFY_GRPC, HTTP http://$NOTIFY_HTTP/metrics /healthz /readyz
                     and the gateway's callbacks on /callbacks/sms/report and /callbacks/sms/reply
  SMS gateway (sim)  http://127.0.0.1:$SMS_PORT   messages it took: var/local/logs/sms-gateway.log
  SMTP sink          smtp://127.0.0.1:$SMTP_PORT  e-mails it took: var/local/mail/*.eml
  logs               var/local/logs/

Demo data: a finished semester of Sund med Kultur in Albertslund (0165) and Ishøj (0183),
played by the simulated-clock builds before the services started (24 synthetic citizens each,
two cohorts, attendance, WHO-5 at start and end, the 1-month follow-up; the report above; the
run in var/local/logs/semester.log); then 12 new referrals each, the institutions, instructors
and two programs of deploy/local/demo-catalog.json (invented), and four cohorts per
municipality in 2027. Accepted referrals are placed in a cohort (or waitlisted) by
kpr-scheduling, which tells kpr-referral, which marks them ENROLLED. kpr-outcomes follows the
cohorts from the scheduling events (questionnaires open when a cohort starts) and counts the
referrals into the recruitment funnel. kpr-notify welcomes every accepted citizen (by SMS, or
e-mail for every third) and sends the cohort's dates: watch the SMS arrive with
  tail -f var/local/logs/sms-gateway.log
and find the e-mails, with their kurser.ics, in var/local/mail/new/.
Tokens (valid 12 hours, the most the services accept; run this script again for fresh ones)
are in var/local/tokens/. Try:

  export KPR_TOKEN=\$(cat var/local/tokens/coordinator)
  alias kprctl=$KPRCTL
  kprctl list --municipality 0165
  kprctl get <id from the list>
  kprctl status <id> under_review --note "called, intake Monday"
  kprctl contact <id>                      # personal data: audited
  KPR_TOKEN=\$(cat var/local/tokens/analyst) kprctl funnel --municipality 0183
  export KPR_SCHEDULING_ADDR=$SCHEDULING_GRPC
  kprctl cohort list --municipality 0165
  kprctl plan --municipality 0183 --program kultur-paa-recept --start-week 2027-W33
  kprctl sessions --municipality 0165 --institution musikskolen --from 2027-01-18 --to 2027-01-24
  kprctl waitlist --municipality 0165 --program sund-med-kultur
  kprctl ics --municipality 0165 --institution sundhedshuset --from 2027-01-01 --to 2027-03-31 --out sundhedshuset.ics
  KPR_TOKEN=\$(cat var/local/tokens/instructor) kprctl participants --municipality 0165 --cohort <cohort id>
  export KPR_OUTCOMES_ADDR=$OUTCOMES_GRPC
  KPR_TOKEN=\$(cat var/local/tokens/analyst) kprctl outcomes report program --municipality 0165 --program sund-med-kultur --from 2026-01-01 --to 2027-01-01
  export KPR_NOTIFY_ADDR=$NOTIFY_GRPC
  kprctl notify deliveries --municipality 0165 --status sent
  kprctl notify preview --municipality 0165 --trigger session-reminder --language da
  kprctl help

MSG

if [ "$DETACH" -eq 1 ]; then
  echo "Detached. Stop with deploy/local/stop.sh"
  exit 0
fi
echo "Ctrl-C stops everything."
trap '"$ROOT/deploy/local/stop.sh"; exit 0' INT TERM
while kill -0 "$(cat "$VAR/referral.pid")" 2>/dev/null && kill -0 "$(cat "$VAR/scheduling.pid")" 2>/dev/null \
  && kill -0 "$(cat "$VAR/outcomes.pid")" 2>/dev/null && kill -0 "$(cat "$VAR/notify.pid")" 2>/dev/null; do
  sleep 1
done
echo "a service exited; see var/local/logs/" >&2
"$ROOT/deploy/local/stop.sh"
exit 1
