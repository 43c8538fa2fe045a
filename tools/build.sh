#!/usr/bin/env bash
# Installs what is missing (Debian 12) and builds the whole suite (2 jobs) into build/, or
# with IBM_SANITIZE=address into build-asan/ (AddressSanitizer + UBSan, for tools/test.sh).
# Arguments name the targets to build (the run command builds only what it runs); none
# builds everything, tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-debian.sh
dir=build
args=(-DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}")
if [ "${IBM_SANITIZE:-}" = address ]; then
  dir=build-asan
  flags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  args=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS=$flags" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
fi
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$dir" -j "${IBM_BUILD_JOBS:-2}" "${targets[@]}"
