"""Build hook: generate the protobuf modules from `proto/` into `roadcam/v1` (git-ignored).

Packages are found by pyproject.toml's package discovery (`roadcam`, `services`); this file only
runs protoc, so the generated code exists in editable installs and wheels alike. It is never
committed or hand-edited.
"""
from __future__ import annotations

import pathlib
import shutil
import tempfile

from setuptools import setup

ROOT = pathlib.Path(__file__).parent.resolve()
PROTO_ROOT = ROOT / "proto"
GENERATED = ROOT / "roadcam" / "v1"


def generate_protos() -> None:
    from grpc_tools import protoc  # build requirement, see pyproject.toml

    sources = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    include = pathlib.Path(protoc.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as out:
        args = ["protoc", f"-I{PROTO_ROOT}", f"-I{include}", f"--python_out={out}", f"--pyi_out={out}"]
        if protoc.main(args + sources) != 0:
            raise RuntimeError(f"protoc failed on {sources}")
        # proto/roadcam/v1/x.proto -> roadcam/v1/x_pb2.py, next to the hand-written roadcam package.
        shutil.rmtree(GENERATED, ignore_errors=True)
        shutil.copytree(pathlib.Path(out) / "roadcam" / "v1", GENERATED)
    (GENERATED / "__init__.py").write_text('"""Generated from proto/roadcam/v1 at install time; do not edit."""\n')


# Every setuptools entry point (wheel, sdist, editable) passes through here, so the generated
# package exists before setuptools discovers and copies packages.
generate_protos()
setup()
