#!/usr/bin/env bash
# Rewrites the role x method matrices in docs/api.md from the services' access tables
# (services/<svc>/access.cc). ctest's access tests fail when the docs and the tables differ.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target registry_access_test cases_access_test referrals_access_test >/dev/null
IBM_WRITE_DOCS=1 build/services/registry/registry_access_test \
  --gtest_filter='AccessDocsTest.*' >/dev/null
IBM_WRITE_DOCS=1 build/services/cases/cases_access_test \
  --gtest_filter='CasesAccessDocsTest.*' >/dev/null
IBM_WRITE_DOCS=1 build/services/referrals/referrals_access_test \
  --gtest_filter='ReferralsAccessDocsTest.*' >/dev/null
git diff --stat -- docs/api.md
