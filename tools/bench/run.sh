#!/usr/bin/env bash
# The benchmark: builds what it needs into build/ and runs ibm-bench (tools/bench/README.md).
# Arguments go to ibm-bench, e.g. tools/bench/run.sh --duration=20s --engines=sqlite
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup-debian.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build --target ibm-bench -j "${IBM_BUILD_JOBS:-2}"
exec build/tools/ibm-bench "$@"
