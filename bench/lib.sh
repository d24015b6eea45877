# Sourced by bench/run.sh and bench/profile.sh: a scratch folder ($work) and
# the processes they start ($pids), stopped in reverse order and the folder
# removed on exit, also on Ctrl-C or SIGTERM.
work="$(mktemp -d)"
pids=()
cleanup() {
  trap - EXIT INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "$(basename "$0"): interrupted" >&2; exit 130' INT TERM
