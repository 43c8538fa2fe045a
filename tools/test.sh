#!/usr/bin/env bash
# The test command: set-up, build, then every test through ctest. ctest starts a private
# MariaDB (tests/mariadb-server.sh) for the tests that need one and stops it at the end,
# also when tests fail. Extra arguments go to ctest (e.g. -R Sql). IBM_SANITIZE=address
# runs everything under AddressSanitizer and UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
tools/build.sh
built=$(date +%s)
echo "build: $((built - start)) s"
status=0
dir=build
if [ "${IBM_SANITIZE:-}" = address ]; then
  dir=build-asan
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
fi
(cd "$dir" && ctest -j "${IBM_TEST_JOBS:-2}" --output-on-failure --timeout 300 "$@") || status=$?
echo "tests: $(( $(date +%s) - built )) s (build and tests: $(( $(date +%s) - start )) s)"
exit $status
