"""Isolation (I3, T5, R5, O2): who reaches which backend, who reads raw video, what the public
ingress exposes, and TLS to every backend in production."""
from __future__ import annotations

import pytest

from tests.deploy.k8s import OVERLAYS, SERVICES, env, containers, named, of_kind, overlay
from tests.deploy.test_policy import selects

NS = "roadcam"
# Backends as seen from a roadcam pod: (namespace, pod labels, port) per overlay.
BACKENDS = {
    "dev": {"kafka": (NS, {"strimzi.io/cluster": "roadcam", "strimzi.io/broker-role": "true"}, 9093),
            "redis": (NS, {"app.kubernetes.io/name": "redis"}, 6379),
            "object-store": (NS, {"v1.min.io/tenant": "roadcam-minio"}, 9000),
            "postgresql": (NS, {"app.kubernetes.io/name": "postgresql"}, 5432)},
    "prod": {"kafka": (NS, {"strimzi.io/cluster": "roadcam", "strimzi.io/broker-role": "true"}, 9093),
             "redis": ("redis", {"app.kubernetes.io/name": "redis"}, 6380),
             "object-store": ("minio-tenant", {"v1.min.io/tenant": "minio"}, 9000),
             "postgresql": ("postgres", {"app.kubernetes.io/name": "postgresql"}, 5432)},
}
EXPECTED = {
    "kafka": set(SERVICES),
    "redis": set(SERVICES),
    "object-store": {"anonymizer", "recorder", "api"},
    "postgresql": {"api"},
}


def peer_matches(peer: dict, namespace: str, labels: dict) -> bool:
    if "ipBlock" in peer:
        return True   # conservative: an address range may contain any pod or service IP
    if "namespaceSelector" in peer:
        if not selects(peer["namespaceSelector"], {"kubernetes.io/metadata.name": namespace}):
            return False
    elif namespace != NS:
        return False
    return "podSelector" not in peer or selects(peer["podSelector"], labels)


def port_matches(rule: dict, port: int) -> bool:
    return "ports" not in rule or any(p.get("port") == port for p in rule["ports"])


def allowed(policies, direction: str, pod: dict, peer_ns: str, peer: dict, port: int) -> bool:
    """True if some policy selecting `pod` for `direction` admits the peer on `port`."""
    key, field = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    for policy in policies:
        spec = policy["spec"]
        if direction not in spec.get("policyTypes", []) or not selects(spec["podSelector"], pod):
            continue
        for rule in spec.get(key, []):
            peers = rule.get(field)
            if port_matches(rule, port) and (peers is None or any(peer_matches(p, peer_ns, peer) for p in peers)):
                return True
    return False


def reaches(docs, service: str, backend_ns: str, backend: dict, port: int) -> bool:
    policies = of_kind(docs, "NetworkPolicy")
    workload = named(docs, "StatefulSet" if service == "ingest" else "Deployment", f"roadcam-{service}")
    pod = workload["spec"]["template"]["metadata"]["labels"]
    out = allowed(policies, "Egress", pod, backend_ns, backend, port)
    inbound = backend_ns != NS or allowed(policies, "Ingress", backend, NS, pod, port) or "strimzi.io/cluster" in backend
    return out and inbound   # Strimzi writes the brokers' ingress policies itself (listener networkPolicyPeers)


@pytest.mark.parametrize("name", OVERLAYS)
@pytest.mark.parametrize("backend", sorted(EXPECTED))
def test_only_the_expected_services_reach_each_backend(name: str, backend: str) -> None:
    docs = overlay(name)
    backend_ns, labels, port = BACKENDS[name][backend]
    reachable = {s for s in SERVICES if reaches(docs, s, backend_ns, labels, port)}
    assert reachable == EXPECTED[backend]


@pytest.mark.parametrize("name", OVERLAYS)
def test_counter_provably_cannot_reach_storage_or_database_on_any_port(name: str) -> None:
    docs = overlay(name)
    for backend in ("object-store", "postgresql"):
        backend_ns, labels, _ = BACKENDS[name][backend]
        for port in (80, 443, 5432, 9000, 9443):
            assert not reaches(docs, "counter", backend_ns, labels, port), (backend, port)


@pytest.mark.parametrize("name", OVERLAYS)
def test_only_ingest_writes_and_only_video_consumers_read_raw_video(name: str) -> None:
    writers, readers = set(), set()
    for user in of_kind(overlay(name), "KafkaUser"):
        for acl in user["spec"]["authorization"]["acls"]:
            res = acl["resource"]
            if res["type"] == "topic" and res["name"] == "roadcam.video.v1" and res.get("patternType", "literal") == "literal":
                ops = set(acl["operations"])
                writers |= {user["metadata"]["name"]} if ops & {"Write", "All"} else set()
                readers |= {user["metadata"]["name"]} if ops & {"Read", "All"} else set()
            assert not (res["type"] == "topic" and res.get("patternType") == "prefix"), "no prefix topic grants"
    assert writers == {"roadcam-ingest"}
    assert readers == {"roadcam-anonymizer", "roadcam-counter", "roadcam-recorder"}


def ingress_matches(path_rule: dict, url: str) -> bool:
    path = path_rule["path"]
    if path_rule["pathType"] == "Exact":
        return url == path
    return url == path or url.startswith(path.rstrip("/") + "/")


def api_routes() -> list[tuple[str, str]]:
    from services.api.app import ROUTERS, _flatten   # _flatten: FastAPI may nest included routers

    return [(r.path, r.name) for router in ROUTERS for r in _flatten(router.routes)]


def console_paths() -> list[str]:
    from services.api import console
    from services.api.app import _flatten

    return [r.path for r in _flatten(console.create_router().routes)]


@pytest.mark.parametrize("name", OVERLAYS)
def test_public_ingress_reaches_only_public_routes(name: str) -> None:
    from services.api.auth.roles import MATRIX, Role

    public = named(overlay(name), "Ingress", "roadcam-public")
    rules = [p for rule in public["spec"]["rules"] for p in rule["http"]["paths"]]
    def exposed(url: str) -> bool:
        return any(ingress_matches(r, url) for r in rules)
    for url in ("/metrics", "/docs", "/redoc", "/openapi.json", "/healthz", "/readyz", "/docs/oauth2-redirect"):
        assert not exposed(url), url
    for path, route in api_routes():
        url = path.replace("{camera_id}", "r17-x").replace("{username}", "u").replace("{key_id}", "k")
        if exposed(url):
            assert Role.PUBLIC in MATRIX[route] and not route.startswith("health."), route
    for path in console_paths():   # the staff console: sessions, counts, audit (never public)
        assert not exposed(path.replace("{camera_id}", "r17-x").replace("{path:path}", "x.js")), path
    for url in ("/", "/static/hls.min.js", "/hls/r17-x/index.m3u8", "/api/v1/open-data/counts", "/api/v1/notices",
                "/cameras/r17-x", "/map", "/opendata", "/static/site/roadcam.css"):
        assert exposed(url), url
    assert public["spec"]["tls"], "public ingress terminates TLS"


def test_production_talks_tls_to_kafka_redis_and_object_storage() -> None:
    docs = overlay("prod")
    for service in SERVICES:
        workload = named(docs, "StatefulSet" if service == "ingest" else "Deployment", f"roadcam-{service}")
        variables = env(containers(workload)[0])
        prefix = f"ROADCAM_{service.upper()}_"
        assert variables[prefix + "KAFKA__SECURITY_PROTOCOL"]["value"] == "SSL"
        if prefix + "S3__ENDPOINT" in variables:
            assert variables[prefix + "S3__SECURE"]["value"] == "true"
    listeners = named(docs, "Kafka", "roadcam")["spec"]["kafka"]["listeners"]
    assert all(lst["tls"] and lst["authentication"]["type"] == "tls" for lst in listeners)
    common = named(docs, "ConfigMap", next(c["metadata"]["name"] for c in of_kind(docs, "ConfigMap")
                                           if c["metadata"]["name"].startswith("roadcam-common")))
    assert common["data"]["S3_ENDPOINT"].endswith(":443")
    # Redis is reachable only on its TLS port (6380): a plain-text redis:// URL cannot connect.
    assert not reaches(docs, "api", "redis", {"app.kubernetes.io/name": "redis"}, 6379)
