#!/usr/bin/env bash
# The run command: set-up, build, then the suite on this machine on the embedded SQLite
# default, in the foreground; Ctrl-C (or SIGTERM) stops every service gracefully.
#
# Data lives in $IBM_DATA_DIR (default: var/ in the checkout), one SQLite file per service.
# On first start the registry is loaded with Indonesia's regions (npm idn-area-data@4.0.1:
# 38 provinces, 514 regencies, 7,285 districts, 83,762 villages) and BNN central plus one
# BNNP per province are created. Later starts find them there and skip this.
#
# Sensitive fields (agents' contact details, clients' identity) are encrypted at rest with the
# keys in $data/field-keys, made on first start (mode 600). Keep that file with the data:
# without it they cannot be read back. Back it up apart from the databases. The NIK index
# (cases) has its own key file, $data/nik-index-keys, kept and backed up apart from both.
#
# Authentication is the loud --insecure_dev_auth mode: callers pick their role and satker
# with x-dev-role / x-dev-satker headers (ibmctl: --dev_role / --dev_satker). Never point
# this at real client data. Dev auth serves only on loopback: an IBM_HOST that is not
# (another machine's view of this one) also needs IBM_INSECURE_DEV_AUTH_ALLOW_NON_LOOPBACK=1,
# which puts an unauthenticated registry on the network.
#
# Services and their ports (gRPC / Prometheus metrics), on $IBM_HOST (default 127.0.0.1):
#   registry 7001 / 9001   regions, satker, IBM units, recovery agents, officers
#   cases    7002 / 9002   clients, screenings, cases (asks the registry on each caller's behalf)
#   referrals 7003 / 9003  the provider directory (referrals themselves: issue 10, being built)
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/build.sh ibm-registry ibm-cases ibm-referrals ibmctl  # only what it runs: the tests are tools/test.sh's
data=${IBM_DATA_DIR:-$PWD/var}
host=${IBM_HOST:-127.0.0.1}
mkdir -p "$data"
new_key_file() {  # path description: one fresh key, mode 600, unless the file exists
  [ -s "$1" ] && return
  (umask 077 && printf '# %s: "<id> <32 bytes base64>", the first is used\nlocal1 %s\n' \
    "$2" "$(head -c 32 /dev/urandom | base64 -w0)" > "$1")
}
keys=$data/field-keys
new_key_file "$keys" "field-encryption keys"
nik_keys=$data/nik-index-keys
new_key_file "$nik_keys" "NIK-index keys (HMAC of NIKs; apart from the field keys)"

pids=()
stop() {
  trap - INT TERM
  echo "stopping the suite..." >&2
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait
}
trap stop INT TERM

start_service() {  # name grpc_port metrics_port [flags...]
  local name=$1 port=$2 metrics=$3
  shift 3
  build/services/"$name"/ibm-"$name" --listen="$host:$port" --metrics_listen="$host:$metrics" \
    --db="sqlite://$data/$name.db" --field_keys="$keys" --insecure_dev_auth "$@" &
  pids+=($!)
}

start_service registry 7001 9001
start_service cases 7002 9002 --registry="$host:7001" --nik_index_keys="$nik_keys"
start_service referrals 7003 9003 --registry="$host:7001"

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

echo "suite running: registry on $host:7001, cases on $host:7002, referrals on $host:7003" \
  "(health, reflection), metrics on :9001-9003; data in $data; try: build/tools/ibmctl regions list 32;" \
  "Ctrl-C stops" >&2
wait
