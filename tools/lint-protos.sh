#!/usr/bin/env bash
# Lints every proto under protos/ with buf (npm @bufbuild/buf, pinned below), STANDARD rules.
# The only exceptions are the two AIP ones: Get/Update return the resource itself
# (RPC_RESPONSE_STANDARD_NAME, RPC_REQUEST_RESPONSE_UNIQUE). The google/rpc and google/type
# imports come from Debian's golang-github-gogo-googleapis-dev and are not linted.
# buf is installed once into .cache/buf (offline after that). Usage: tools/lint-protos.sh [protos-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
protos=$(cd "${1:-$root/protos}" && pwd)
buf_version=1.75.0
cache=$root/.cache/buf
if [ ! -x "$cache/node_modules/.bin/buf" ] || [ "$("$cache/node_modules/.bin/buf" --version)" != "$buf_version" ]; then
  mkdir -p "$cache"
  (cd "$cache" && [ -f package.json ] || echo '{"private":true}' > package.json
   npm install --no-audit --no-fund --loglevel=error "@bufbuild/buf@$buf_version" >/dev/null)
fi
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
ln -s "$protos" "$ws/protos"
mkdir "$ws/deps"
ln -s /usr/share/gocode/src/github.com/gogo/googleapis/google "$ws/deps/google"
cat > "$ws/buf.yaml" <<'YAML'
version: v2
modules:
  - path: protos
    lint:
      use: [STANDARD]
      except: [RPC_RESPONSE_STANDARD_NAME, RPC_REQUEST_RESPONSE_UNIQUE]
  - path: deps
    lint:
      ignore: [deps/google]
YAML
cd "$ws"
"$cache/node_modules/.bin/buf" lint
echo "buf lint: clean ($(find -L protos -name '*.proto' | wc -l) protos)"
