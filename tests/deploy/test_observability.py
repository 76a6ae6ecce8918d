"""Alert rules pass `promtool check rules` (Debian package prometheus, .ci/apt-packages.txt) and use
metrics the code exports, except the pending ones listed in docs/operations.md; the dashboard too."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from tests.deploy.k8s import OVERLAYS, REPO, K8S, named, overlay

EXTERNAL = {"kafka_consumergroup_lag", "up"}   # Strimzi's Kafka exporter; Prometheus itself
PENDING: set[str] = set()
METRIC_DEF = re.compile(r"""(?:Counter|Gauge|Histogram|Summary)\(\s*["'](roadcam_\w+)["']""")


def exported() -> set[str]:
    names = set()
    for path in [*REPO.glob("services/**/*.py"), *REPO.glob("roadcam/**/*.py")]:
        names |= set(METRIC_DEF.findall(path.read_text(errors="replace")))
    series = set(names)
    for name in names:   # prometheus_client's histogram series
        series |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    return series


def used(expr: str) -> set[str]:
    return {m for m in re.findall(r"\b(roadcam_[a-z0-9_]+|kafka_consumergroup_lag)\b", expr)}


def rules(name: str) -> dict:
    return named(overlay(name), "PrometheusRule", "roadcam")["spec"]


@pytest.mark.parametrize("name", OVERLAYS)
def test_promtool_accepts_the_rules(name: str, tmp_path) -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found: apt-get install prometheus (.ci/apt-packages.txt)")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules(name)))
    out = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def test_rules_cover_the_required_alerts_with_real_metrics() -> None:
    alerts = {r["alert"]: r["expr"] for g in rules("prod")["groups"] for r in g["rules"] if "alert" in r}
    for needed in ("RoadcamCameraOffline", "RoadcamPublicViewPaused", "RoadcamRecorderBacklog",
                   "RoadcamRecorderSpilling", "RoadcamSweepFailed", "RoadcamVerifyFailed", "RoadcamIsolateOn"):
        assert needed in alerts, needed
    real = exported()
    missing = set().union(*(used(e) for e in alerts.values())) - real - EXTERNAL
    assert missing <= PENDING, f"rules use metrics nobody exports: {missing - PENDING}"
    assert not PENDING & real, f"now exported, drop from PENDING: {PENDING & real}"
    guide = (REPO / "docs" / "operations.md").read_text()
    assert all(metric in guide for metric in PENDING), "docs/operations.md lists the pending metrics"


def test_dashboard_is_valid_and_shipped_in_every_overlay() -> None:
    dashboard = json.loads((K8S / "components" / "observability" / "grafana-dashboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len({p["id"] for p in dashboard["panels"]}) == len(dashboard["panels"])
    assert set().union(*(used(e) for e in exprs)) - exported() - EXTERNAL <= PENDING
    titles = " ".join(p["title"] for p in dashboard["panels"]).lower()
    for topic in ("cameras online", "live", "paused", "counter fps", "lag", "backlog", "spill", "sweep", "verify", "api latency"):
        assert topic in titles, topic
    for name in OVERLAYS:
        cm = named(overlay(name), "ConfigMap", "roadcam-grafana-dashboard")
        assert cm["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert json.loads(cm["data"]["grafana-dashboard.json"]) == dashboard
