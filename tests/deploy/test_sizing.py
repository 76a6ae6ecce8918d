"""The sizing formula of docs/operations.md, recomputed from the prod overlay's roadcam-sizing
ConfigMap and compared with the replicas, KEDA bounds, partitions and broker disk it renders."""
from __future__ import annotations

import math
import re

from tests.deploy.k8s import REPO, named, of_kind, overlay, quantity

MIN_REPLICAS = 2


def sizing() -> dict[str, int]:
    maps = [c for c in of_kind(overlay("prod"), "ConfigMap") if c["metadata"]["name"].startswith("roadcam-sizing")]
    assert len(maps) == 1
    return {k: int(v) for k, v in maps[0]["data"].items()}


def formula(s: dict[str, int]) -> dict[str, int]:
    """docs/operations.md, "Sizing", in code."""
    n = s["CAMERAS"]
    out = {"ingest": math.ceil(n / s["CAMERAS_PER_INGEST"])}
    for service in ("anonymizer", "counter", "recorder"):
        out[service] = max(MIN_REPLICAS, math.ceil(n / s[f"CAMERAS_PER_{service.upper()}"]))
    out["partitions"] = max(12, 6 * math.ceil(max(out["anonymizer"], out["counter"], out["recorder"]) / 6))
    video_bytes = n * s["CAMERA_BITRATE_MBPS"] * 1e6 / 8 * 3600 * s["VIDEO_RETENTION_HOURS"]
    out["broker_disk"] = math.ceil(video_bytes * 3 / s["KAFKA_BROKERS"] * 1.3)   # replication 3, 30 % headroom
    return out


def test_prod_overlay_follows_the_documented_formula() -> None:
    docs, want = overlay("prod"), formula(sizing())
    assert named(docs, "StatefulSet", "roadcam-ingest")["spec"]["replicas"] == want["ingest"]
    for service in ("anonymizer", "counter", "recorder"):
        assert named(docs, "ScaledObject", f"roadcam-{service}")["spec"]["maxReplicaCount"] == want[service], service
    assert named(docs, "KafkaTopic", "roadcam.video.v1")["spec"]["partitions"] == want["partitions"]
    pools = of_kind(docs, "KafkaNodePool")
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    assert brokers == sizing()["KAFKA_BROKERS"] == 3
    disk = quantity(pools[0]["spec"]["storage"]["volumes"][0]["size"])
    assert want["broker_disk"] <= disk <= want["broker_disk"] * 1.5, (disk, want["broker_disk"])
    kafka = named(docs, "Kafka", "roadcam")["spec"]["kafka"]["config"]
    assert kafka["min.insync.replicas"] == 2 and kafka["default.replication.factor"] == 3
    for topic in of_kind(docs, "KafkaTopic"):
        assert topic["spec"]["replicas"] == 3 and topic["spec"]["partitions"] >= 12


def test_formula_in_the_guide_matches_the_code() -> None:
    guide = (REPO / "docs" / "operations.md").read_text()
    for text in ("ceil(N / 32)", "max(2, ceil(N / 4))", "max(2, ceil(N / 6))", "max(2, ceil(N / 32))",
                 "max(12, 6 × ceil(", "× 1.3"):
        assert text in guide, text
    example = formula({**sizing(), "CAMERAS": 96})
    assert re.search(rf"\|\s*96\s*\|\s*{example['ingest']}\s*\|\s*{example['anonymizer']}\s*\|\s*{example['counter']}"
                     rf"\s*\|\s*{example['recorder']}\s*\|\s*{example['partitions']}\s*\|", guide)
