#!/usr/bin/env bash
# Mutation check of a service's access checks and rules: deletes one check at a time, rebuilds
# the service's tests and runs them, and reports every deletion that left them all green
# (a "survivor": a check no test guards). Slow (a rebuild and a test run per mutation), so it
# is a program to run and report, not part of ctest.
#
#   tools/mutate.sh [service] [test-regex]     default: registry, every registry test
#   IBM_MUTATE_TESTS="registry_access_test registry_test" tools/mutate.sh   (fewer binaries)
#   IBM_MUTATE_MATCH='officers.cc' tools/mutate.sh                         (some mutations)
#
# It works on a copy of the tree (git worktree under $TMPDIR) with its own build directory,
# so the checkout is never touched. What it deletes, in services/<service>/*.cc (the handlers):
#   - every statement `if (auto s = RequireScope(...); !s.ok()) return s;` or
#     `IBM_RETURN_IF_ERROR(RequireScope(...));`, and the same for RequireAccess and
#     RequireUnitsInScope (one line each);
#   - every line listed in tools/mutation-rules.txt for the service or services/common
#     (`<file>:<fixed text>`, or `<file>:<text>=><replacement>`),
#     the rules that checks of input and state hang on.
# Engines: the registry's tests run on SQLite and on a private MariaDB when the test
# fixture's server is running (ctest starts it; here: IBM_TEST_MYSQL_DSN, or SQLite only).
set -euo pipefail
service=${1:-registry}
filter=${2:-}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ibm-mutate.XXXXXX")
trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$root" worktree add --detach "$work/tree" HEAD >/dev/null
# Uncommitted changes of the service count too.
(cd "$root" && git diff HEAD -- services tools protos) | (cd "$work/tree" && git apply --allow-empty 2>/dev/null || true)
tree=$work/tree
build=$work/build
echo "mutate: building $service in $build (once, then one file per mutation)" >&2
cmake -S "$tree" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# IBM_MUTATE_TESTS narrows the test binaries (default: every test of the service).
tests=${IBM_MUTATE_TESTS:-$(cd "$tree/services/$service" && grep -o 'ibm_add_gtest([a-z_]*' CMakeLists.txt | cut -d'(' -f2)}
if ! cmake --build "$build" --target $tests > "$work/build.log" 2>&1; then
  tail -30 "$work/build.log" >&2
  echo "mutate: the unmutated tree does not build" >&2
  exit 2
fi

run_tests() {
  local t
  for t in $tests; do
    "$build/services/$service/$t" ${filter:+--gtest_filter="$filter"} >/dev/null 2>&1 || return 1
  done
}
if ! run_tests; then
  echo "mutate: the tests fail before any mutation; fix them first" >&2
  exit 2
fi

mutations=()   # "file:line" (delete the line) or "file:line:<text>=><replacement>"
for f in "$tree/services/$service"/*.cc; do
  while IFS=: read -r line _; do
    mutations+=("${f#$tree/}:$line")
  done < <(grep -nE '^\s*(if \(auto s = (RequireScope|RequireAccess|RequireUnitsInScope)\(.*\); !s\.ok\(\)\) return s;|IBM_RETURN_IF_ERROR\((RequireScope|RequireAccess|RequireUnitsInScope)\(.*\)\);)\s*$' "$f" || true)
done
rules=$root/tools/mutation-rules.txt
if [ -f "$rules" ]; then
  while IFS= read -r spec; do
    case "$spec" in ""|\#*) continue ;; esac
    file=${spec%%:*}
    text=${spec#*:}
    [[ $file == services/$service/* || $file == services/common/* ]] || continue
    find=${text%%=>*}
    line=$(grep -nF -- "$find" "$tree/$file" | head -1 | cut -d: -f1 || true)
    if [ -z "$line" ]; then
      echo "mutate: rule not found: $spec" >&2
      continue
    fi
    if [[ $text == *"=>"* ]]; then
      mutations+=("$file:$line:$text")
    else
      mutations+=("$file:$line")
    fi
  done < "$rules"
fi

# IBM_MUTATE_MATCH (an extended regex) keeps only the mutations whose line matches it.
if [ -n "${IBM_MUTATE_MATCH:-}" ]; then
  kept=()
  for m in "${mutations[@]}"; do
    f=${m%%:*}; r=${m#*:}; l=${r%%:*}
    if printf '%s:%s %s\n' "$f" "$l" "$(sed -n "${l}p" "$tree/$f")" | grep -qE -- "$IBM_MUTATE_MATCH"; then
      kept+=("$m")
    fi
  done
  mutations=("${kept[@]}")
fi
survivors=0
echo "mutate: ${#mutations[@]} mutations" >&2
for m in "${mutations[@]}"; do
  file=${m%%:*}
  rest=${m#*:}
  line=${rest%%:*}
  edit=""
  [[ $rest == *:* ]] && edit=${rest#*:}
  original=$(sed -n "${line}p" "$tree/$file")
  # Delete the line, or replace text in it (literally, whatever characters it holds).
  EDIT="$edit" LINE="$line" python3 - "$tree/$file" <<'PY'
import os, sys
path, edit, n = sys.argv[1], os.environ["EDIT"], int(os.environ["LINE"])
lines = open(path).read().split("\n")
if edit:
    find, repl = edit.split("=>", 1)
    lines[n - 1] = lines[n - 1].replace(find, repl)
else:
    lines[n - 1] = "  // (deleted by tools/mutate.sh)"
open(path, "w").write("\n".join(lines))
PY
  if ! cmake --build "$build" --target $tests >/dev/null 2>&1; then
    result="does not compile"
  elif run_tests; then
    result="SURVIVED"
    survivors=$((survivors + 1))
  else
    result="killed"
  fi
  printf '%-9s %s:%s  %s\n' "$result" "$file" "$line" "$(echo "$original" | sed 's/^ *//')"
  # Put the line back (sed keeps the file's other lines byte for byte).
  printf '%s\n' "$original" > "$work/line"
  sed -i "${line}r $work/line" "$tree/$file"
  sed -i "${line}d" "$tree/$file"
done
echo "mutate: ${#mutations[@]} mutations, $survivors survived"
[ "$survivors" -eq 0 ]
