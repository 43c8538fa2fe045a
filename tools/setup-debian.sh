#!/usr/bin/env bash
# Installs everything the suite needs to build, run and test on Debian 12 (bookworm).
# Idempotent: when every package is already present it does nothing (no apt-get update).
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config ninja-build ccache clang-format
  # RPC and contracts
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  golang-github-gogo-googleapis-dev grpc-proto
  # storage
  libsqlite3-dev libmysqlcppconn-dev mariadb-server mariadb-client
  # platform: JSON, metrics, tokens
  nlohmann-json3-dev prometheus-cpp-dev libjwt-dev libssl-dev
  # tests (python3-grpcio, python3-protobuf: tests/python-stubs.sh imports the generated
  # Python stubs with /usr/bin/python3; its grpc_python_plugin comes with protobuf-compiler-grpc)
  libgtest-dev libgmock-dev openssl python3-grpcio python3-protobuf
  # region data import: RFC 4180 CSV parser
  libcsv-dev
  # the README's walkthrough picks names out of ibmctl --json
  jq
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the pinned tools that Debian does not package (buf for proto lint); any
# Node.js with npm will do, Debian's own when none is installed.
command -v npm >/dev/null || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# The MariaDB package would start a system server; the suite runs its own private one.
# A policy-rc.d keeps package scripts from starting services (removed again if it is ours).
own_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  $SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
  own_policy=1
fi
trap '[ -n "$own_policy" ] && $SUDO rm -f /usr/sbin/policy-rc.d' EXIT
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
