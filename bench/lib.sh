# Sourced by bench/run.sh and bench/profile.sh: a scratch folder ($work) and
# the processes they start ($pids), stopped in reverse order and the folder
# removed on exit, also on Ctrl-C or SIGTERM; the benchmark PKI (the suite is
# TLS-only with bearer tokens): tls_flags SERVICE for servers, JIT_BENCH_CA_FILE
# and JIT_BENCH_TOKEN_FILE for the clients. Needs $bin.
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

# The suite is TLS-only with bearer tokens: a benchmark PKI, the servers'
# flags, and the clients' CA and token (jit-loadgen, jit-bench-watch).
bench_pki="$work/pki"
mkdir -p "$bench_pki"
"$bin/tools/dev-pki/jit-dev-pki" --dir="$bench_pki" >/dev/null
"$bin/tools/dev-pki/jit-dev-pki" --dir="$bench_pki" --print_token=programme-admin \
  --token_subject=bench >"$bench_pki/bench.token"
export JIT_BENCH_CA_FILE="$bench_pki/ca.crt" JIT_BENCH_TOKEN_FILE="$bench_pki/bench.token"
tls_flags() {  # SERVICE
  echo --tls_cert_file="$bench_pki/$1.crt" --tls_key_file="$bench_pki/$1.key" \
    --tls_ca_file="$bench_pki/ca.crt" --token_issuer=jobintech-dev \
    --token_audience=jobintech-platform --token_keys_file="$bench_pki/token-keys.pem"
}
