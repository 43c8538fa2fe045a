#!/usr/bin/env bash
# The run command: set-up, build, then the whole suite on this machine on the embedded
# SQLite default, in the foreground; Ctrl-C (or SIGTERM) stops every service gracefully.
#
# Data lives in $IBM_DATA_DIR (default: var/ in the checkout), one SQLite file per service.
# Authentication is the loud --insecure_dev_auth mode: callers pick their role and satker
# with x-dev-role / x-dev-satker headers. Never point this at real client data.
#
# Services and their ports (gRPC / Prometheus metrics):
#   smoke    7000 / 9000   the platform's smoke server: echo, diagnostics, health, reflection
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/build.sh
data=${IBM_DATA_DIR:-$PWD/var}
mkdir -p "$data"

pids=()
stop() {
  trap - INT TERM
  echo "stopping the suite..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
}
trap stop INT TERM

start_service() {  # name grpc_port metrics_port
  local name=$1
  build/services/"$name"/ibm-"$name" --listen="${IBM_HOST:-127.0.0.1}:$2" \
    --metrics_listen="${IBM_HOST:-127.0.0.1}:$3" --db="sqlite://$data/$name.db" \
    --insecure_dev_auth &
  pids+=($!)
}

start_service smoke 7000 9000
echo "suite running: smoke on 127.0.0.1:7000 (health, reflection), metrics on :9000; data in $data; Ctrl-C stops" >&2
wait
