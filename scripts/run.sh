#!/usr/bin/env bash
# make run: a real import end to end on this machine. It starts cmd/localstack
# (the GDT portal simulator, Firestore, fake GCS, Cloud Tasks and Workflows
# emulators) and cmd/server (every function), imports the simulator's demo
# company for the last two full months through the task API, shows the live
# progress, and prints the final line. Data lives in .localstack/ (Firestore
# export, GCS files), so a second run finds everything already stored and
# skips it. `rm -rf .localstack` starts afresh.
#
# Settings (environment): HOADON_RUN_DIR (default .localstack),
# HOADON_RUN_FROM / HOADON_RUN_TO (YYYY-MM-DD, default the last two full
# months), HOADON_RUN_PORT (default: the first free port from 18080),
# HOADON_RUN_GDT_URL (a real portal base URL instead of the simulator; then
# also HOADON_RUN_MST and HOADON_RUN_PASSWORD_FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${HOADON_RUN_DIR:-.localstack}
first=$(date +%Y-%m-01)
from=${HOADON_RUN_FROM:-$(date -d "$first -2 month" +%Y-%m-%d)}
to=${HOADON_RUN_TO:-$(date -d "$first -1 day" +%Y-%m-%d)}
mst=${HOADON_RUN_MST:-0100000003}   # the simulator's demo company (emulators/gdt README)
mkdir -p "$dir" bin

say() { printf 'run: %s\n' "$*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${HOADON_RUN_PORT:-}
if [ -z "$port" ]; then
  port=18080
  until port_free "$port"; do port=$((port + 1)); done
fi
api="http://127.0.0.1:$port"

say "building localstack, server and hoadon"
go build -o bin/ ./cmd/localstack ./cmd/server ./cmd/hoadon

pids=()
cleanup() {
  local code=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The demo password stays with the data (the encryption key too: --key-file).
pwfile=${HOADON_RUN_PASSWORD_FILE:-$dir/demo.password}
[ -n "${HOADON_RUN_PASSWORD_FILE:-}" ] || (umask 077 && printf 'Demo@2026' > "$pwfile")

rm -f "$dir/env"
ls_args=(--data-dir "$dir/data" --key-file "$dir/key" --env-file "$dir/env" --functions-url "$api" --quiet
         --wf-env HOADON_POLL_MAX_SECONDS=2)
[ -z "${HOADON_RUN_GDT_URL:-}" ] || ls_args+=(--gdt-url "$HOADON_RUN_GDT_URL")
say "starting the emulators (log: $dir/localstack.log)"
bin/localstack "${ls_args[@]}" > "$dir/localstack.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 240); do
  [ -s "$dir/env" ] && break
  kill -0 "${pids[0]}" 2>/dev/null || { say "localstack exited:"; tail -20 "$dir/localstack.log" >&2; exit 1; }
  sleep 0.5
done
[ -s "$dir/env" ] || { say "localstack did not come up in 2 minutes"; exit 1; }

# Everything the server needs (addresses, port, key file, internal principals:
# authentication as in production) is in the env file.
set -a; . "$dir/env"; set +a
if [ ! -s "$dir/apikey" ]; then
  (umask 077 && bin/hoadon apikey create --name "make run" > "$dir/apikey.new" 2>/dev/null) &&
    mv "$dir/apikey.new" "$dir/apikey"
fi
HOADON_API_KEY=$(cat "$dir/apikey")
export HOADON_API_KEY
# Data kept from a run before tenants moves into the default tenant (idempotent).
bin/hoadon migrate >> "$dir/localstack.log" 2>&1 || { say "hoadon migrate failed (see $dir/localstack.log)"; exit 1; }

say "starting the server on $api (log: $dir/server.log)"
bin/server > "$dir/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 "${pids[1]}" 2>/dev/null || { say "server exited:"; tail -20 "$dir/server.log" >&2; exit 1; }
  sleep 0.25
done

say "console: $api/ui/ (sign in with the key in $dir/apikey, or once with this link:)"
link=$(bin/hoadon apikey link --ttl 30m 2>/dev/null) && say "  $link"
say "metrics (Prometheus text): $api/metrics"

say "importing $mst from $from to $to"
id=$(bin/hoadon start --mst "$mst" --password-file "$pwfile" --from "$from" --to "$to" --json |
     sed -n 's/.*"id": *"\([^"]*\)".*/\1/p')
[ -n "$id" ] || { say "the import did not start"; exit 1; }
bin/hoadon watch "$id"
