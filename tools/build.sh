#!/usr/bin/env bash
# Installs what is missing (Debian 12) and builds the whole suite into build/ (2 jobs).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build -j "${IBM_BUILD_JOBS:-2}"
