"""Build hook: map `services/` to the `roadcam` package and generate protobuf code from `proto/`.

The generated modules (services/v1/*_pb2.py, imported as roadcam.v1.*) are never committed or
hand-edited; every install (editable or not) regenerates them from the .proto files.
"""
from __future__ import annotations

import pathlib
import shutil
import tempfile

from setuptools import setup

ROOT = pathlib.Path(__file__).parent.resolve()
PROTO_ROOT = ROOT / "proto"
GENERATED = ROOT / "services" / "v1"


def generate_protos() -> None:
    from grpc_tools import protoc  # build requirement, see pyproject.toml

    sources = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    include = pathlib.Path(protoc.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as out:
        args = ["protoc", f"-I{PROTO_ROOT}", f"-I{include}", f"--python_out={out}", f"--pyi_out={out}"]
        if protoc.main(args + sources) != 0:
            raise RuntimeError(f"protoc failed on {sources}")
        # proto/roadcam/v1/x.proto -> roadcam/v1/x_pb2.py; the `roadcam` package is services/.
        shutil.rmtree(GENERATED, ignore_errors=True)
        shutil.copytree(pathlib.Path(out) / "roadcam" / "v1", GENERATED)
    (GENERATED / "__init__.py").write_text('"""Generated from proto/roadcam/v1 at install time; do not edit."""\n')


def roadcam_packages() -> list[str]:
    services = ROOT / "services"
    names = ["roadcam", "roadcam.v1"]
    for init in sorted(services.rglob("__init__.py")):
        rel = init.parent.relative_to(services)
        if rel.parts and rel.parts[0] != "v1":
            names.append("roadcam." + ".".join(rel.parts))
    return names


# Every setuptools entry point (wheel, sdist, editable) passes through here, so the generated
# package exists before setuptools lists and copies packages.
generate_protos()

setup(
    packages=roadcam_packages(),
    package_dir={"roadcam": "services"},
    package_data={"roadcam": ["**/static/**/*", "**/templates/*", "v1/*.pyi"]},
)
