#!/usr/bin/env bash
# End-to-end: the newcomer's path. Starts the suite with the README's run
# command (scripts/run.sh, on a fresh data folder), waits for health, drives a
# journey with jitctl (including CSV imports with a bad row), sees the figures
# change over HTTP (aggregator JSON) and gRPC (jitctl dashboard), re-runs the
# imports and sees nothing doubled, stops the suite (SIGTERM) and checks that
# nothing is left running, then starts it again on the same data folder and
# finds the same figures.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
data="$work/data"
today="$(date -u +%F)"
day() { date -u -d "$today $1 days" +%F; }

start_suite "$data" "$work/run1.log"

# Before anything: no applicant, over both channels.
wait_figure applicants 0
[ "$(figures_grpc | jget 'd.get("applicants", 0)')" = 0 ] || fail "gRPC view: applicants should be 0"
before="$(figures_http)"

# Catalogue.
centre="$("$jitctl" centre create --name "Centre E2E Béni Mellal" --operator "OFPPT" --province MA-BEM --output json |
  jget 'd["centre"]["centreId"]')"
[ -n "$centre" ] || fail "centre create"
cohort="$("$jitctl" cohort create --name "Cyber E2E" --track cybersecurity --centre "$centre" --capacity 10 \
  --start "$(day -60)" --end "$(day +120)" --status open --output json | jget 'd["cohort"]["cohortId"]')"
[ -n "$cohort" ] || fail "cohort create"
"$jitctl" cohort list --region MA-05 | grep -q "$cohort" || fail "cohort list does not show the cohort"
"$jitctl" curriculum publish --track cybersecurity \
  --module "m1;Module un;20;20;10" --module "m2;Module deux;20;20;10" >/dev/null || fail "curriculum publish"

# One candidate by hand: apply, admit, enrol.
app="$("$jitctl" application submit --cohort "$cohort" --given-name Salma --family-name "El Amrani" \
  --national-id BE100001 --birth-date 2001-04-17 --phone 0612345678 --email salma@example.ma \
  --gender female --education bac+2 --residence MA-BEM --output json)"
app_id="$(jget 'd["application"]["applicationId"]' <<<"$app")"
trainee="$(jget 'd["application"]["traineeId"]' <<<"$app")"
"$jitctl" application admit "$app_id" >/dev/null || fail "admit"
"$jitctl" application enrol "$app_id" | grep -q enrolled || fail "enrol"

# Bulk import of applications: three good rows, one bad (national id).
cat >"$work/applications.csv" <<CSV
cohort_id,given_name,family_name,national_id,birth_date,phone,email,gender,education_level,residence_province
$cohort,Youssef,Benali,BE100002,1999-11-02,0622345678,youssef@example.ma,M,bac+3,MA-BEM
$cohort,"Fatima Zahra","Alaoui, née Tazi",BE100003,17/06/2000,0633345678,fz@example.ma,F,bac+5,MA-FQH
$cohort,Hamza,Tahiri,BE100004,2002-01-30,0644345678,hamza@example.ma,H,bac,MA-BEM
$cohort,Bad,Row,12345,2000-01-01,0655345678,bad@example.ma,F,bac,MA-BEM
CSV
set +e
"$jitctl" import applications "$work/applications.csv" --output json >"$work/import1.json" 2>"$work/import1.err"
rc=$?
set -e
[ $rc = 1 ] || fail "import with a bad row: exit code $rc, expected 1"
jtest 'd["imported"] == 3 and d["rejected"] == 1 and d["alreadyImported"] == 0' <"$work/import1.json" ||
  fail "first import: $(cat "$work/import1.json")"
jtest '[(r["row"], r["errors"][0]["column"]) for r in d["results"] if r["outcome"] == "rejected"] == [(4, "national_id")]' \
  <"$work/import1.json" || fail "the bad row is not reported with its column: $(cat "$work/import1.json")"

# Bulk import of attendance for the enrolled trainee: two good rows, one bad.
cat >"$work/attendance.csv" <<CSV
cohort_id;module_id;session_date;trainee_id;mark
$cohort;m1;$(day -40);$trainee;present
$cohort;m1;$(day -39);$trainee;AJ
$cohort;m1;$(day -38);$trainee;late
CSV
set +e
"$jitctl" import attendance "$work/attendance.csv" >"$work/import2.txt" 2>&1
rc=$?
set -e
[ $rc = 1 ] || fail "attendance import: exit code $rc, expected 1 ($(cat "$work/import2.txt"))"
grep -q "2 imported, 0 already imported, 1 rejected" "$work/import2.txt" || fail "attendance import: $(cat "$work/import2.txt")"
grep -q "mark:" "$work/import2.txt" || fail "attendance import: no reason for the bad row"

# A class session by hand, assessments (completes the training), certificate.
"$jitctl" attendance record --cohort "$cohort" --module m2 --date "$(day -35)" --present "$trainee" >/dev/null ||
  fail "attendance record"
"$jitctl" assessment record --cohort "$cohort" --trainee "$trainee" --module m1 --score 15 --date "$(day -34)" \
  >/dev/null || fail "assessment m1"
"$jitctl" assessment record --cohort "$cohort" --trainee "$trainee" --module m2 --score 16.5 --date "$(day -33)" |
  grep -q completed || fail "the trainee did not complete"
"$jitctl" certificate issue --cohort "$cohort" --trainee "$trainee" | grep -q "certificate" || fail "certificate"

# After the training: an employer, a placement, the follow-ups list.
ice="$(python3 -c 'b=4242424242424; print("%013d%02d" % (b, (97 - b * 100 % 97) % 97))')"
employer="$("$jitctl" employer register --name "Atlas Digital E2E" --ice "$ice" --sector it-services \
  --province MA-CAS --partner --output json | jget 'd["employer"]["employerId"]')"
[ -n "$employer" ] || fail "employer register"
"$jitctl" offer post --employer "$employer" --title "Analyste SOC" --track cybersecurity --contract permanent \
  --salary 5000-7999 --openings 2 >/dev/null || fail "offer post"
"$jitctl" placement record --trainee "$trainee" --type permanent --employer "$employer" --start "$(day -10)" \
  --salary 5000-7999 --verification employer >/dev/null || fail "placement record"
"$jitctl" followups due >/dev/null || fail "followups due"

# The figures moved, over HTTP and over gRPC, and agree.
wait_figure applicants 4
wait_figure enrolled 1
wait_figure completed 1
wait_figure certified 1
wait_figure placed 1
settle
after_http="$(figures_http)"
after_grpc="$(figures_grpc)"
[ "$after_http" != "$before" ] || fail "the HTTP figures did not change"
[ "$after_http" = "$after_grpc" ] || fail "HTTP and gRPC figures differ: $after_http vs $after_grpc"
"$jitctl" dashboard national --internal | grep -q "^applicants *4 " ||
  fail "dashboard national (text) does not show 4 applicants"
"$jitctl" dashboard region MA-05 --internal | grep -q "MA-BEM" || fail "dashboard region MA-05 has no province table"
log "figures after the journey: $after_http"

# Re-running the imports doubles nothing.
set +e
"$jitctl" import applications "$work/applications.csv" --output json >"$work/import3.json" 2>/dev/null
"$jitctl" import attendance "$work/attendance.csv" --output json >"$work/import4.json" 2>/dev/null
set -e
jtest 'd["imported"] == 0 and d["alreadyImported"] == 3 and d["rejected"] == 1' <"$work/import3.json" ||
  fail "re-import of applications: $(cat "$work/import3.json")"
jtest 'd["imported"] == 0 and d["alreadyImported"] == 2 and d["rejected"] == 1' <"$work/import4.json" ||
  fail "re-import of attendance: $(cat "$work/import4.json")"
# The journal holds request ids keyed with this installation's import key,
# never a plain hash of a row (which would confirm a guessed national ID).
[ "$(stat -c %a "$JITCTL_IMPORT_KEY_FILE")" = 600 ] || fail "the import key is not private"
[ "$(stat -c %a "$JITCTL_JOURNAL")" = 600 ] || fail "the import journal is not private"
grep -qv $'\timp-a[pt][pt]-v2-[0-9a-f]\{32\}\t' "$JITCTL_JOURNAL" &&
  fail "the journal holds ids that are not keyed: $(cat "$JITCTL_JOURNAL")"
# Even without the local journal, the services replay: nothing doubles.
"$jitctl" import applications "$work/applications.csv" --no-journal --quiet >/dev/null 2>&1 || true
settle
[ "$(figures_http)" = "$after_http" ] || fail "figures changed after re-importing: $(figures_http)"
[ "$("$jitctl" application list --cohort "$cohort" --all --output json | jget 'len(d["applications"])')" = 4 ] ||
  fail "the cohort should hold 4 applications"

# Stop (SIGTERM), nothing left running; start again on the same folder.
stop_suite "$data"
start_suite "$data" "$work/run2.log"
for _ in $(seq 1 150); do
  [ "$(figures_http)" = "$after_http" ] && break
  sleep 0.4
done
[ "$(figures_http)" = "$after_http" ] || fail "after a restart the figures differ: $(figures_http) vs $after_http"
[ "$(figures_grpc)" = "$after_http" ] || fail "after a restart the gRPC figures differ"
"$jitctl" application show "$app_id" | grep -q "El Amrani" || fail "the data did not survive the restart"
stop_suite "$data"
log "PASS"
