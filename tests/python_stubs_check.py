"""Imports every generated *_pb2 / *_pb2_grpc module and checks each service's stubs.

Run by tests/python-stubs.sh with Debian's /usr/bin/python3:
    python_stubs_check.py <generated-dir> <descriptor-set>
Fails (exit 1) on any import error, any service without its Stub, Servicer or
add_<Service>Servicer_to_server, any stub lacking one of its methods, and any drift between
ibm.integration.v1's code lists and the ibm.cases.v1 enums they copy (when both exist).
"""

import importlib
import pathlib
import sys
import traceback

import grpc
from google.protobuf import descriptor_pb2

# ibm.integration.v1 enums that must keep the values of an ibm.cases.v1 enum (same value
# names after the enum's own prefix, same numbers).
MIRRORED_ENUMS = {
    "ibm.integration.v1.Substance": "ibm.cases.v1.Substance",
    "ibm.integration.v1.AdmissionPath": "ibm.cases.v1.AdmissionPath",
    "ibm.integration.v1.RiskLevel": "ibm.cases.v1.RiskLevel",
    "ibm.integration.v1.CaseState": "ibm.cases.v1.CaseState",
    "ibm.integration.v1.Sex": "ibm.cases.v1.Sex",
    "ibm.integration.v1.RouteOfUse": "ibm.cases.v1.RouteOfUse",
    "ibm.integration.v1.TreatmentKind": "ibm.cases.v1.TreatmentEpisode.Kind",
    "ibm.integration.v1.FundingSource": "ibm.cases.v1.FundingSource",
}


def module_name(proto_path, suffix):
    return proto_path[: -len(".proto")].replace("/", ".").replace("-", "_") + suffix


def enum_values(enum_desc):
    """{value name without the enum's prefix: number} of an EnumDescriptor."""
    zero = next((v.name for v in enum_desc.values if v.number == 0), "")
    prefix = zero[: -len("UNSPECIFIED")] if zero.endswith("UNSPECIFIED") else ""
    return {(v.name[len(prefix):] if v.name.startswith(prefix) else v.name): v.number
            for v in enum_desc.values}


def main():
    gen_dir, descriptor_set = sys.argv[1], sys.argv[2]
    sys.path.insert(0, gen_dir)
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(pathlib.Path(descriptor_set).read_bytes())

    failures = []
    modules = services = methods = 0
    pools = []
    for fd in fds.file:
        if fd.name.startswith("google/protobuf/"):
            continue  # shipped by python3-protobuf
        for suffix in ("_pb2", "_pb2_grpc"):
            name = module_name(fd.name, suffix)
            try:
                mod = importlib.import_module(name)
                modules += 1
            except Exception:  # any failure to import is a test failure
                failures.append(f"import {name}:\n{traceback.format_exc()}")
                continue
            if suffix == "_pb2":
                pools.append(mod.DESCRIPTOR.pool)
                continue
            for svc in fd.service:
                services += 1
                for attr in (f"{svc.name}Stub", f"{svc.name}Servicer",
                             f"add_{svc.name}Servicer_to_server"):
                    if not hasattr(mod, attr):
                        failures.append(f"{name}: no {attr} for service {fd.package}.{svc.name}")
                stub_cls = getattr(mod, f"{svc.name}Stub", None)
                if stub_cls is None:
                    continue
                channel = grpc.insecure_channel("localhost:1")  # never connected
                try:
                    stub = stub_cls(channel)
                    for m in svc.method:
                        methods += 1
                        if not callable(getattr(stub, m.name, None)):
                            failures.append(f"{name}: {svc.name}Stub lacks method {m.name}")
                except Exception:
                    failures.append(f"{name}: {svc.name}Stub(channel):\n{traceback.format_exc()}")
                finally:
                    channel.close()

    if modules == 0 or services == 0:
        failures.append(f"nothing checked ({modules} modules, {services} services)")

    mirrored = 0
    if pools:
        pool = pools[0]
        for ours, theirs in MIRRORED_ENUMS.items():
            try:
                mine = pool.FindEnumTypeByName(ours)
            except KeyError:
                continue  # ibm.integration.v1 not present
            try:
                other = pool.FindEnumTypeByName(theirs)
            except KeyError:
                continue  # ibm.cases.v1 not present (yet): nothing to compare
            mirrored += 1
            if enum_values(mine) != enum_values(other):
                failures.append(
                    f"{ours} drifted from {theirs}: {sorted(enum_values(mine).items())} "
                    f"!= {sorted(enum_values(other).items())}")

    for f in failures:
        print(f"python-stubs: FAIL: {f}", file=sys.stderr)
    if failures:
        print(f"python-stubs: {len(failures)} failure(s)", file=sys.stderr)
        return 1
    print(f"python-stubs: ok ({modules} modules, {services} services, {methods} methods, "
          f"{mirrored} mirrored enums checked; grpc {grpc.__version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
