"""Policy tests on every rendered overlay: every container limited, probed, non-root, read-only, with
no capabilities and RuntimeDefault seccomp; nothing privileged; pinned images; consumers scaled by
KEDA within the partitions; ingest shards = replicas; the recorder's spool holds its limit."""
from __future__ import annotations

import re

import pytest

from services.recorder.settings import Settings as RecorderSettings
from tests.deploy.k8s import (OVERLAYS, WORKLOAD_KINDS, containers, env, named, of_kind, overlay, pod_spec,
                              quantity)

PINNED = re.compile(r"^[\w.\-/:]+:(?!latest$)[\w.\-]+$|@sha256:[0-9a-f]{64}$")


def workloads(name: str) -> list[dict]:
    return of_kind(overlay(name), *WORKLOAD_KINDS)


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_container_is_limited_probed_and_locked_down(name: str) -> None:
    problems = []
    for workload in workloads(name):
        spec, wname = pod_spec(workload), workload["metadata"]["name"]
        pod_sc = spec.get("securityContext", {})
        if not (pod_sc.get("runAsNonRoot") and pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault"):
            problems.append(f"{wname}: pod securityContext")
        if spec.get("hostNetwork") or spec.get("hostPID") or spec.get("hostIPC"):
            problems.append(f"{wname}: host namespaces")
        for c in containers(workload):
            where, sc, res = f"{wname}/{c['name']}", c.get("securityContext", {}), c.get("resources", {})
            for kind in ("requests", "limits"):
                if not {"cpu", "memory"} <= set(res.get(kind, {})):
                    problems.append(f"{where}: {kind} lacks cpu or memory")
            if "livenessProbe" not in c or "readinessProbe" not in c:
                problems.append(f"{where}: probes")
            if sc.get("privileged") or sc.get("allowPrivilegeEscalation", True) or not sc.get("readOnlyRootFilesystem"):
                problems.append(f"{where}: privileged, escalation or writable root")
            if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
                problems.append(f"{where}: capabilities")
            if not PINNED.search(c["image"]):
                problems.append(f"{where}: image {c['image']} is not pinned")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", OVERLAYS)
def test_roadcam_services_probe_their_health_endpoints(name: str) -> None:
    for workload in workloads(name):
        if not workload["metadata"]["name"].startswith("roadcam-"):
            continue
        c = containers(workload)[0]
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        port = env(c)[f"ROADCAM_{c['name'].upper()}_HEALTH_PORT"]["value"]
        assert {"name": "health", "containerPort": int(port)} in c["ports"]


@pytest.mark.parametrize("name", OVERLAYS)
def test_operator_managed_pods_are_locked_down_too(name: str) -> None:
    for tenant in of_kind(overlay(name), "Tenant"):
        for pool in tenant["spec"]["pools"]:
            assert pool["securityContext"]["runAsNonRoot"] and pool["containerSecurityContext"]["readOnlyRootFilesystem"]
            assert {"requests", "limits"} <= set(pool["resources"])
    for pool in of_kind(overlay(name), "KafkaNodePool"):
        assert {"requests", "limits"} <= set(pool["spec"]["resources"])


@pytest.mark.parametrize("name", OVERLAYS)
def test_every_pod_is_selected_by_a_specific_network_policy(name: str) -> None:
    docs = overlay(name)
    policies = [p for p in of_kind(docs, "NetworkPolicy") if p["spec"]["podSelector"]]
    assert named(docs, "NetworkPolicy", "default-deny")["spec"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    for workload in workloads(name):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert any(selects(p["spec"]["podSelector"], labels) for p in policies), workload["metadata"]["name"]


def selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        value, op = labels.get(expr["key"]), expr["operator"]
        ok = {"In": value in expr.get("values", []), "NotIn": value not in expr.get("values", []),
              "Exists": expr["key"] in labels, "DoesNotExist": expr["key"] not in labels}[op]
        if not ok:
            return False
    return True


@pytest.mark.parametrize("name", OVERLAYS)
def test_video_consumers_scale_on_lag_within_the_partitions(name: str) -> None:
    docs = overlay(name)
    partitions = named(docs, "KafkaTopic", "roadcam.video.v1")["spec"]["partitions"]
    assert not of_kind(docs, "HorizontalPodAutoscaler"), "KEDA owns the HPAs"
    for service in ("anonymizer", "counter", "recorder"):
        scaled = named(docs, "ScaledObject", f"roadcam-{service}")["spec"]
        assert scaled["scaleTargetRef"]["name"] == f"roadcam-{service}"
        trigger = scaled["triggers"][0]
        assert trigger["type"] == "kafka" and trigger["metadata"]["topic"] == "roadcam.video.v1"
        assert trigger["metadata"]["consumerGroup"] == f"roadcam-{service}"   # ConsumerSettings' default group
        assert trigger["metadata"]["tls"] == "enable" and trigger["metadata"]["allowIdleConsumers"] == "false"
        assert scaled["minReplicaCount"] <= scaled["maxReplicaCount"] <= partitions, service


@pytest.mark.parametrize("name", OVERLAYS)
def test_ingest_shard_count_is_its_replica_count(name: str) -> None:
    ingest = named(overlay(name), "StatefulSet", "roadcam-ingest")
    variables = env(containers(ingest)[0])
    assert variables["ROADCAM_INGEST_SHARD_COUNT"]["value"] == str(ingest["spec"]["replicas"])
    index = variables["ROADCAM_INGEST_SHARD_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert index == "metadata.labels['apps.kubernetes.io/pod-index']"


@pytest.mark.parametrize("name", OVERLAYS)
def test_recorder_spool_volume_holds_its_spill_limit(name: str) -> None:
    recorder = named(overlay(name), "Deployment", "roadcam-recorder")
    c, spec = containers(recorder)[0], pod_spec(recorder)
    variables = env(c)
    limit = int(variables.get("ROADCAM_RECORDER_SPOOL_MAX_BYTES", {}).get(
        "value", RecorderSettings.model_fields["spool_max_bytes"].default))
    spool_dir = variables["ROADCAM_RECORDER_SPOOL_DIR"]["value"]
    mount = next(m for m in c["volumeMounts"] if m["mountPath"] == spool_dir)
    volume = next(v for v in spec["volumes"] if v["name"] == mount["name"])
    size = quantity(volume["ephemeral"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"])
    assert size >= limit * 1.05, f"spool volume {size} B below SPOOL_MAX_BYTES {limit} + 5 %"
    memory = quantity(c["resources"]["limits"]["memory"])
    buffer = int(variables["ROADCAM_RECORDER_BUFFER_MAX_BYTES"]["value"])
    assert memory >= buffer + 1 * 2**30, "memory limit must hold the in-memory buffer plus ~1 GiB working set"
