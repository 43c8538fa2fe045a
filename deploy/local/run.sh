#!/usr/bin/env bash
# The run command: set-up, build, then the suite on this machine on the embedded SQLite
# default, in the foreground; Ctrl-C (or SIGTERM) stops every service gracefully.
#
# Data lives in $IBM_DATA_DIR (default: var/ in the checkout), one SQLite file per service.
# On first start the registry is loaded with Indonesia's regions (npm idn-area-data@4.0.1:
# 38 provinces, 514 regencies, 7,285 districts, 83,762 villages) and BNN central plus one
# BNNP per province are created. Later starts find them there and skip this.
#
# Sensitive fields (agents' contact details) are encrypted at rest with the keys in
# $data/field-keys, made on first start (mode 600). Keep that file with the data: without
# it they cannot be read back. Back it up apart from the databases.
#
# Authentication is the loud --insecure_dev_auth mode: callers pick their role and satker
# with x-dev-role / x-dev-satker headers (ibmctl: --dev_role / --dev_satker). Never point
# this at real client data. Dev auth serves only on loopback: an IBM_HOST that is not
# (another machine's view of this one) also needs IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK=1,
# which puts an unauthenticated registry on the network.
#
# Services and their ports (gRPC / Prometheus metrics), on $IBM_HOST (default 127.0.0.1):
#   registry 7001 / 9001   regions, satker, IBM units, recovery agents, officers
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/build.sh ibm-registry ibmctl  # only what it runs: the tests are tools/test.sh's
data=${IBM_DATA_DIR:-$PWD/var}
host=${IBM_HOST:-127.0.0.1}
mkdir -p "$data"
keys=$data/field-keys
if [ ! -s "$keys" ]; then
  (umask 077 && printf '# field-encryption keys: "<id> <32 bytes base64>", the first seals\nlocal1 %s\n' \
    "$(head -c 32 /dev/urandom | base64 -w0)" > "$keys")
fi

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
  build/services/"$name"/ibm-"$name" --listen="$host:$2" --metrics_listen="$host:$3" \
    --db="sqlite://$data/$name.db" --field_keys="$keys" --insecure_dev_auth &
  pids+=($!)
}

start_service registry 7001 9001

ibmctl() { build/tools/ibmctl --registry="$host:7001" --dev_role=officer --dev_satker=bnn "$@"; }
for _ in $(seq 1 60); do
  ibmctl regions editions >/dev/null 2>&1 && break
  sleep 0.5
done
if [ -z "$(ibmctl --json regions editions | grep -o '"edition"' || true)" ]; then
  echo "first start: loading Indonesia's regions into the registry" >&2
  regions_dir=$(tools/fetch-region-data.sh)
  ibmctl regions import --dir "$regions_dir" --edition idn-area-data@4.0.1
  ibmctl satkers bootstrap
fi

echo "suite running: registry on $host:7001 (health, reflection), metrics on :9001;" \
  "data in $data; try: build/tools/ibmctl regions list 32; Ctrl-C stops" >&2
wait
