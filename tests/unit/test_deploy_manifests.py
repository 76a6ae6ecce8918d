"""The Kubernetes manifests stay true to the code: topics, modules, settings and the example config."""
from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path

import yaml

from roadcam.common import topics
from roadcam.common.camconfig import load_config

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"


def documents() -> list[dict]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [d for f in kustomization["resources"] for d in yaml.safe_load_all((K8S / f).read_text()) if d]


def test_every_bus_topic_is_declared_with_retention() -> None:
    declared = {d["metadata"]["name"]: d["spec"] for d in documents() if d["kind"] == "KafkaTopic"}
    assert set(declared) == set(topics.ALL)
    for name, spec in declared.items():
        assert spec["config"]["retention.ms"] == int(topics.CONFIGS[name]["retention.ms"]), name


def test_workloads_run_existing_modules_with_known_settings() -> None:
    workloads = [d for d in documents() if d["kind"] in ("Deployment", "StatefulSet")]
    assert {w["metadata"]["name"] for w in workloads} == {f"roadcam-{s}" for s in ("ingest", "anonymizer", "counter", "recorder", "api")}
    for workload in workloads:
        container = workload["spec"]["template"]["spec"]["containers"][0]
        module = container["command"][-1]
        assert importlib.util.find_spec(f"{module}.__main__"), module
        service = module.split(".")[-1]
        settings_cls = importlib.import_module(f"{module}.settings").Settings
        prefix = f"ROADCAM_{service.upper()}_"
        for env in container["env"]:
            field = env["name"].removeprefix(prefix).lower().split("__")[0]
            assert env["name"].startswith(prefix) and field in settings_cls.model_fields, env["name"]


def test_counter_holds_no_storage_credentials() -> None:
    counter = next(d for d in documents() if d["kind"] == "Deployment" and d["metadata"]["name"] == "roadcam-counter")
    env = [e["name"] for e in counter["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert not [name for name in env if "S3" in name]  # T5


def test_example_camera_configuration_is_valid() -> None:
    assert load_config(K8S / "cameras.yaml").cameras



