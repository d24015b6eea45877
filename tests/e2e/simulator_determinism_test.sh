#!/usr/bin/env bash
# End-to-end: the journey simulator, started by scripts/run.sh --simulate in
# deterministic mode, gives the same final figures for the same seed and
# number of journeys on two fresh suites; running it again on the same suite
# as the same caller changes nothing (every request id is derived from the
# seed and journey), and another caller's re-run is refused.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export JIT_SIMULATOR_SEED=4242 JIT_SIMULATOR_DETERMINISTIC=true JIT_SIMULATOR_SPEED=0
journeys=60

simulate_once() {
  local data="$1" out="$2"
  start_suite "$data" "$work/run-$(basename "$data").log" --simulate "$journeys"
  for _ in $(seq 1 600); do
    grep -q '"msg":"simulation done"' "$data/logs/simulator.log" 2>/dev/null && break
    sleep 0.5
  done
  grep -q '"msg":"simulation done","seed":4242' "$data/logs/simulator.log" || fail "the simulator did not finish"
  grep '"msg":"simulation done"' "$data/logs/simulator.log" | grep -q '"status":"ok"' || fail "simulation failed"
  settle
  figures_grpc >"$out"
  jtest 'd.get("applicants", 0) > 0' <"$out" || fail "no applicant after the simulation"
}

simulate_once "$work/data1" "$work/figures1.json"
rerun() {  # token file, log file
  "$simulator" --deterministic --seed=4242 --journeys="$journeys" --speed=0 --aggregator_address= \
    --enrollment_address="$JITCTL_ENROLLMENT" --progress_address="$JITCTL_PROGRESS" \
    --placement_address="$JITCTL_PLACEMENT" --ca_file="$JITCTL_CA_FILE" --token_file="$1" >"$2" 2>&1
}
# Again on the same suite, as the same caller (run.sh's simulator token):
# replayed, nothing doubles.
rerun "$work/data1/secrets/simulator.token" "$work/rerun.log" || fail "re-run of the simulator failed"
settle
figures_grpc >"$work/figures1b.json"
cmp -s "$work/figures1.json" "$work/figures1b.json" ||
  fail "a re-run changed the figures: $(cat "$work/figures1.json") vs $(cat "$work/figures1b.json")"
# The same request ids from another caller (another administrator): refused,
# the stored answers are not replayed to it, nothing changes.
if rerun "$work/admin.token" "$work/rerun-other.log"; then fail "another caller replayed the simulator's requests"; fi
grep -q "already used by another caller" "$work/rerun-other.log" ||
  fail "another caller's re-run failed for another reason: $(tail -5 "$work/rerun-other.log")"
settle
figures_grpc >"$work/figures1c.json"
cmp -s "$work/figures1.json" "$work/figures1c.json" ||
  fail "another caller's re-run changed the figures: $(cat "$work/figures1c.json")"
stop_suite "$work/data1"

simulate_once "$work/data2" "$work/figures2.json"
stop_suite "$work/data2"
cmp -s "$work/figures1.json" "$work/figures2.json" ||
  fail "same seed, different figures: $(cat "$work/figures1.json") vs $(cat "$work/figures2.json")"
log "figures: $(cat "$work/figures1.json")"
log "PASS"
