#!/usr/bin/env bash
# End-to-end: scripts/run.sh supervises the suite. Starts it, makes changes
# through the services (jitctl), then kill -9s training-progress three times:
# each time run.sh restarts it (a new pid, logged on the console and in
# <data>/logs/run.log) while the broker and the other services keep their
# pids; the backoff doubles (1 s, then 2 s for a crash right after a restart)
# and is back to 1 s once the service has stayed up long enough. The events
# written before the kills are still on the broker's topics (kcat), the
# aggregator's figures are unchanged, and the restarted service answers (a new
# change through it reaches the broker). Then kill -9s the broker: run.sh must
# stop the whole suite, say why and exit non-zero, leaving nothing running.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Up this long (seconds) and the backoff starts again from 1 s (default 60).
reset_after=20
export JIT_RUN_RESTART_RESET_AFTER=$reset_after
data="$work/data"
today="$(date -u +%F)"
day() { date -u -d "$today $1 days" +%F; }

# pid_of BINARY: the pid of this suite's process running BINARY (e.g.
# jit-training-progress), empty if none. One grep over /proc: quick enough to
# poll on a loaded machine.
pid_of() {
  local f
  for f in $(grep -laF -- "$data/" /proc/[0-9]*/cmdline 2>/dev/null); do
    grep -qaF -- "/$1" "$f" 2>/dev/null && { f="${f#/proc/}"; echo "${f%/cmdline}"; }
  done
  return 0
}
# topic_records TOPIC: every record on TOPIC as "partition offset key", sorted.
topic_records() {
  kcat -b "$(cat "$data/kafka.bootstrap")" -C -t "$1" -o beginning -e -q -f '%p %o %k\n' | sort
}
# wait_restarted BINARY OLD_PID: until another process runs BINARY (30 s);
# sets restarted_pid.
wait_restarted() {
  local end=$((SECONDS + 30)) p
  while [ "$SECONDS" -lt "$end" ]; do
    p="$(pid_of "$1")"
    if [ -n "$p" ] && [ "$p" != "$2" ]; then restarted_pid="$p"; return 0; fi
    sleep 0.2
  done
  fail "$1 was not restarted within 30 s of the kill -9 of pid $2"
}

command -v kcat >/dev/null || fail "kcat not found (scripts/install-deps.sh installs it)"
start_suite "$data" "$work/run.log"
binaries=(jit-kafka-broker jit-enrollment jit-training-progress jit-placement jit-aggregator)
declare -A pids
for b in "${binaries[@]}"; do
  pids[$b]="$(pid_of "$b")"
  [ -n "${pids[$b]}" ] || fail "no process for $b"
done
log "pids: $(for b in "${binaries[@]}"; do printf '%s=%s ' "$b" "${pids[$b]}"; done)"

# Changes through the services: catalogue, one trainee enrolled, attendance.
centre="$("$jitctl" centre create --name "Centre Supervision" --operator "OFPPT" --province MA-BEM --output json |
  jget 'd["centre"]["centreId"]')"
cohort="$("$jitctl" cohort create --name "Cyber Supervision" --track cybersecurity --centre "$centre" --capacity 10 \
  --start "$(day -60)" --end "$(day +120)" --status open --output json | jget 'd["cohort"]["cohortId"]')"
[ -n "$cohort" ] || fail "cohort create"
"$jitctl" curriculum publish --track cybersecurity --module "m1;Module un;20;20;10" >/dev/null || fail "curriculum publish"
app="$("$jitctl" application submit --cohort "$cohort" --given-name Amina --family-name Idrissi \
  --national-id BE200001 --birth-date 2000-03-11 --phone 0612345679 --email amina@example.ma \
  --gender female --education bac+2 --residence MA-BEM --output json)"
app_id="$(jget 'd["application"]["applicationId"]' <<<"$app")"
trainee="$(jget 'd["application"]["traineeId"]' <<<"$app")"
"$jitctl" application admit "$app_id" >/dev/null || fail "admit"
"$jitctl" application enrol "$app_id" | grep -q enrolled || fail "enrol"
"$jitctl" attendance record --cohort "$cohort" --module m1 --date "$(day -40)" --present "$trainee" >/dev/null ||
  fail "attendance record before the kill"
wait_figure applicants 1
settle
figures_before="$(figures_http)"

# The events written so far, as the broker holds them (outboxes are relayed
# asynchronously: wait until both topics have records and stop growing).
enrollment_before="" progress_before=""
for _ in $(seq 1 50); do
  e="$(topic_records jobintech.enrollment.v1)"; p="$(topic_records jobintech.progress.v1)"
  [ -n "$e" ] && [ -n "$p" ] && [ "$e" = "$enrollment_before" ] && [ "$p" = "$progress_before" ] && break
  enrollment_before="$e"; progress_before="$p"
  sleep 0.3
done
[ -n "$enrollment_before" ] || fail "no enrollment event on the broker before the kill"
[ -n "$progress_before" ] || fail "no progress event on the broker before the kill"
log "before the kill: $(wc -l <<<"$enrollment_before") enrollment and $(wc -l <<<"$progress_before") progress records"

# kill_and_check BACKOFF_SECONDS RESTART_NUMBER: kill -9 training-progress,
# then everything the supervisor promises.
kill_and_check() {
  local backoff="$1" nth="$2" old new b
  old="$(pid_of jit-training-progress)"
  [ -n "$old" ] || fail "training-progress is not running"
  kill -KILL "$old"
  log "kill -9 training-progress (pid $old)"
  wait_restarted jit-training-progress "$old"
  new="$restarted_pid"
  pids[jit-training-progress]="$new"
  for _ in $(seq 1 100); do
    grep -q "restarted training-progress (pid $new, restart #$nth); ready" "$work/run.log" && break
    sleep 0.2
  done
  grep -q "training-progress (pid $old) killed by signal 9 (KILL); restarting it in $backoff s" "$work/run.log" ||
    fail "run.sh did not report the kill of pid $old and a $backoff s backoff on the console"
  grep -q "restarted training-progress (pid $new, restart #$nth); ready" "$work/run.log" ||
    fail "run.sh did not report restart #$nth of training-progress (pid $new) as ready"
  grep -q "training-progress (pid $old) killed by signal 9 (KILL); restarting it in $backoff s" \
    "$data/logs/run.log" || fail "the kill of pid $old is not in $data/logs/run.log"
  grep -q "restarted training-progress (pid $new, restart #$nth)" "$data/logs/run.log" ||
    fail "restart #$nth is not in $data/logs/run.log"
  kill -0 "$run_pid" 2>/dev/null || fail "scripts/run.sh exited after a service was killed"
  for b in jit-kafka-broker jit-enrollment jit-placement jit-aggregator; do
    [ "$(pid_of "$b")" = "${pids[$b]}" ] || fail "$b changed pid (${pids[$b]} -> '$(pid_of "$b")') after killing training-progress"
  done
  log "training-progress restarted as pid $new after $backoff s; the broker and the others kept their pids"
}

kill_and_check 1 1
# A crash right after the restart: the backoff doubles.
kill_and_check 2 2
restart2_at=$SECONDS
# The broker kept every record written before the kills, and the aggregator
# every figure.
enrollment_after="$(topic_records jobintech.enrollment.v1)"
progress_after="$(topic_records jobintech.progress.v1)"
missing="$(comm -23 <(echo "$enrollment_before") <(echo "$enrollment_after"))"
[ -z "$missing" ] || fail "enrollment records lost after the kill: $missing"
missing="$(comm -23 <(echo "$progress_before") <(echo "$progress_after"))"
[ -z "$missing" ] || fail "progress records lost after the kill: $missing"
settle
[ "$(figures_http)" = "$figures_before" ] ||
  fail "the figures changed across the restart: before $figures_before, after $(figures_http)"

# The restarted service answers: a new change through it reaches the broker
# (its outbox relay runs again).
"$jitctl" attendance record --cohort "$cohort" --module m1 --date "$(day -39)" --present "$trainee" >/dev/null ||
  fail "attendance record after the restart"
for _ in $(seq 1 50); do
  [ "$(topic_records jobintech.progress.v1 | wc -l)" -gt "$(wc -l <<<"$progress_before")" ] && break
  sleep 0.3
done
[ "$(topic_records jobintech.progress.v1 | wc -l)" -gt "$(wc -l <<<"$progress_before")" ] ||
  fail "the restarted training-progress did not publish the new attendance"

# Up for longer than JIT_RUN_RESTART_RESET_AFTER: the next crash waits 1 s again.
while [ $((SECONDS - restart2_at)) -le $reset_after ]; do sleep 1; done
kill_and_check 1 3

# The broker's death ends the suite: every topic is gone with it.
broker="${pids[jit-kafka-broker]}"
kill -KILL "$broker"
log "kill -9 the broker (pid $broker)"
for _ in $(seq 1 300); do
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 0.2
done
kill -0 "$run_pid" 2>/dev/null && fail "scripts/run.sh still running 60 s after the broker was killed"
set +e
wait "$run_pid"
rc=$?
set -e
run_pid=""
[ "$rc" -ne 0 ] || fail "scripts/run.sh exited 0 after the broker died"
grep -q "the embedded Kafka broker (pid $broker) killed by signal 9 (KILL): every topic it held in memory is gone, so the suite stops" \
  "$work/run.log" || fail "run.sh did not say why it stopped"
grep -q "stopped\." "$work/run.log" || fail "run.sh did not stop the services"
left="$(suite_processes "$data")"
[ -z "$left" ] || fail "processes left running after the broker died: $left"
for port in $admin_ports; do
  port_free "$port" || fail "port $port still bound after the suite stopped"
done
log "the broker's death stopped the suite (run.sh exit $rc), nothing left running"
echo "PASS: supervisor"
