#!/usr/bin/env bash
# The layers of services/common, as services/common/CMakeLists.txt builds them: each
# directory may include only itself and the directories listed for it. An include against
# the arrows (a cycle in the making) fails this check, which ctest runs.
set -euo pipefail
cd "$(dirname "$0")/../services/common"
declare -A allowed=(
  [base]=""
  [domain]="base"
  [sql]="base"
  [auth]="base domain"
  [audit]="base sql"
  [resource]="base domain sql"
  [platform]="base sql auth"
  [testing]="base domain sql auth audit resource platform"
)
status=0
for dir in "${!allowed[@]}"; do
  [ -d "$dir" ] || { echo "check-layers: no directory services/common/$dir" >&2; status=1; continue; }
  while IFS=: read -r file line include; do
    target=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$include")
    [ "$target" = "$dir" ] && continue
    [ -d "$target" ] || continue  # not ours (absl/, grpcpp/, google/, ...)
    if [[ " ${allowed[$dir]} " != *" $target "* ]]; then
      echo "check-layers: services/common/$file:$line includes $target/ (allowed for $dir/: ${allowed[$dir]:-nothing of ours})" >&2
      status=1
    fi
  done < <(grep -nE '^#include "[a-z_]+/' "$dir"/*.h "$dir"/*.cc /dev/null | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
done
# A service's store/ holds its SQL only: it includes no rules/, no handlers, no protos.
for store in ../*/store; do
  [ -d "$store" ] || continue
  if bad=$(grep -nE '^#include "([a-z_]+/(rules|core|services|access)|ibm/)' "$store"/*.h "$store"/*.cc); then
    echo "check-layers: ${store#../} includes more than the SQL layer:" >&2
    echo "$bad" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "check-layers: services/common is layered (${#allowed[@]} directories, no include against the arrows)"
exit $status
