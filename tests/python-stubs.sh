#!/usr/bin/env bash
# Generates Python stubs from every proto of ours (protos/ibm/**/*.proto) plus the google/rpc,
# google/type and other non-well-known protos they import (Debian's python3-protobuf ships only
# google.protobuf), then imports every generated module with Debian's /usr/bin/python3 and
# checks each service's stub, servicer and registration function (tests/python_stubs_check.py).
# Proves a partner in another language can generate from the contracts as they stand.
# Needs: protobuf-compiler, protobuf-compiler-grpc (grpc_python_plugin), python3-grpcio,
# python3-protobuf, golang-github-gogo-googleapis-dev, grpc-proto (tools/setup-debian.sh).
# Usage: tests/python-stubs.sh [protos-dir]. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
protos=$(cd "${1:-$root/protos}" && pwd)
googleapis=${GOOGLEAPIS_DIR:-/usr/share/gocode/src/github.com/gogo/googleapis}
grpc_proto=${GRPC_PROTO_DIR:-/usr/share/grpc-proto}
python=/usr/bin/python3      # Debian's interpreter: the one python3-grpcio belongs to
protoc=${PROTOC:-/usr/bin/protoc}
plugin=${GRPC_PYTHON_PLUGIN:-/usr/bin/grpc_python_plugin}
for tool in "$python" "$protoc" "$plugin"; do
  [ -x "$tool" ] || { echo "python-stubs: FAIL: $tool missing (run tools/setup-debian.sh)" >&2; exit 1; }
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
includes=(-I"$protos" -I"$googleapis" -I"$grpc_proto")

mapfile -t ours < <(cd "$protos" && find ibm -name '*.proto' | LC_ALL=C sort)
[ ${#ours[@]} -gt 0 ] || { echo "python-stubs: FAIL: no protos under $protos/ibm" >&2; exit 1; }

# Every file our protos need, imports included; the well-known google/protobuf ones come with
# python3-protobuf and are not generated again.
"$protoc" "${includes[@]}" --include_imports --descriptor_set_out="$out/all.pb" "${ours[@]}"
mapfile -t deps < <("$python" - "$out/all.pb" <<'PY'
import sys
from google.protobuf import descriptor_pb2
fds = descriptor_pb2.FileDescriptorSet()
with open(sys.argv[1], "rb") as f:
    fds.ParseFromString(f.read())
for fd in fds.file:
    if not fd.name.startswith("google/protobuf/") and not fd.name.startswith("ibm/"):
        print(fd.name)
PY
)

mkdir -p "$out/py"
"$protoc" "${includes[@]}" --python_out="$out/py" --grpc_out="$out/py" \
  --plugin=protoc-gen-grpc="$plugin" "${ours[@]}" ${deps[@]+"${deps[@]}"}

"$python" "$root/tests/python_stubs_check.py" "$out/py" "$out/all.pb"
