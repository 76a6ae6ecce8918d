"""Both overlays render, and every object validates against the Kubernetes schema (kubernetes-validate,
strict: unknown fields fail) or, for custom resources, the CRD schema vendored in deploy/k8s/schemas."""
from __future__ import annotations

import json
import logging

import jsonschema
import kubernetes_validate
import pytest

from tests.deploy.k8s import OVERLAYS, SCHEMAS, overlay, render

log = logging.getLogger(__name__)
KUBERNETES_VERSION = "1.30"   # oldest supported: pod-index label (1.28), matchLabelKeys (1.27 beta)


def crd_schema(obj: dict) -> dict | None:
    group, _, version = obj["apiVersion"].rpartition("/")
    path = SCHEMAS / f"{group}_{version}_{obj['kind']}.json"
    return json.loads(path.read_text()) if path.exists() else None


def validate(obj: dict) -> None:
    schema = crd_schema(obj)
    if schema is not None:
        jsonschema.Draft202012Validator(schema).validate(obj)
        return
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        pytest.fail(f"no schema for {obj['apiVersion']} {obj['kind']}: vendor one in deploy/k8s/schemas")


@pytest.mark.parametrize("name", OVERLAYS)
def test_overlay_renders_and_every_object_validates(name: str) -> None:
    docs = overlay(name)
    kinds = {d["kind"] for d in docs}
    assert {"Deployment", "StatefulSet", "KafkaTopic", "KafkaUser", "Kafka", "ScaledObject", "NetworkPolicy",
            "PodMonitor", "PrometheusRule"} <= kinds
    failures = []
    for obj in docs:
        try:
            validate(obj)
        except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as exc:
            failures.append(f"{obj['kind']}/{obj['metadata']['name']}: {'.'.join(map(str, exc.path))}: {exc.message}")
    log.info("%s: %d objects validated", name, len(docs))
    assert not failures, "\n".join(failures)


def test_base_renders_and_is_namespaced() -> None:
    docs = render("base")
    assert all(d["metadata"].get("namespace") == "roadcam" for d in docs if d["kind"] != "Namespace")


@pytest.mark.parametrize("bad", [
    {"resource": {"type": "group", "name": "roadcam-api"}, "prefix": True, "operations": ["Read"]},
    {"resource": {"type": "topic", "name": "x"}, "operations": ["Peek"]},
])
def test_vendored_schemas_reject_what_the_operator_would_drop(bad: dict) -> None:
    user = {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaUser", "metadata": {"name": "u"},
            "spec": {"authentication": {"type": "tls"}, "authorization": {"type": "simple", "acls": [bad]}}}
    with pytest.raises(jsonschema.ValidationError):
        validate(user)


def test_strict_kubernetes_validation_catches_typos() -> None:
    docs = overlay("dev")
    deployment = json.loads(json.dumps(next(d for d in docs if d["kind"] == "Deployment")))
    deployment["spec"]["template"]["spec"]["containers"][0]["resource"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(deployment)
