#!/usr/bin/env bash
# Fails (and lists the files) when a tracked C++ file is not as clang-format (Debian's 14,
# .clang-format: Google style, 100 columns) would write it. Fix: tools/check-format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find services tools -name '*.cc' -o -name '*.h')
if [ "${1:-}" = "--fix" ]; then
  clang-format --style=file -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'not clang-formatted: %s\n' "${bad[@]}" >&2
  echo "fix with: tools/check-format.sh --fix" >&2
  exit 1
fi
echo "clang-format: ${#files[@]} files formatted"
