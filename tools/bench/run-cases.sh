#!/usr/bin/env bash
# The cases service's benchmark: builds what it needs into build/ and runs ibm-bench-cases
# (tools/bench/README.md). Arguments go to ibm-bench-cases, e.g.
#   tools/bench/run-cases.sh --duration=30s --engines=sqlite
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup-debian.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build --target ibm-bench-cases -j "${IBM_BUILD_JOBS:-2}"
exec build/tools/ibm-bench-cases "$@"
