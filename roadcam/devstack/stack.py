"""`roadcam up`: infrastructure plus every roadcam service that exists, as child processes.

The run directory keeps each process's log, the generated configuration, the TLS certificate
and `stack.json` (URLs and pids), which `roadcam down` and `roadcam status` read.
"""
from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from roadcam.common.devhooks import DevSetup, StackInfo
from roadcam.devstack.processes import Child, StackError, free_port, port_open, spawn
from roadcam.devstack.servers import start_kafka, start_redis, start_s3

log = logging.getLogger(__name__)

# Start order: producers before consumers does not matter (consumers wait for topics).
SERVICES = ("ingest", "anonymizer", "counter", "recorder", "api")
S3_ACCESS_KEY, S3_SECRET_KEY = "roadcam-local", "roadcam-local-secret"


def service_exists(name: str) -> bool:
    return importlib.util.find_spec(f"services.{name}.__main__") is not None


def service_env(name: str, infra: StackInfo, health_port: int) -> tuple[dict[str, str], DevSetup]:
    """Environment for one service, plus what its `services.<name>.devstack` hook asked for."""
    p = f"ROADCAM_{name.upper()}_"
    env = {
        f"{p}CONFIG_FILE": infra.config_file,
        f"{p}KAFKA__BOOTSTRAP_SERVERS": infra.kafka,
        f"{p}REDIS_URL": infra.redis,
        # The local broker keeps every message forever: video bytes go to Redis (claim-check).
        f"{p}PAYLOAD__MODE": "redis",
        f"{p}PAYLOAD__TTL_SECONDS": "60",
        f"{p}HEALTH_PORT": str(health_port),
        f"{p}HEALTH_HOST": "127.0.0.1",
        f"{p}S3__ENDPOINT": infra.s3_endpoint,
        f"{p}S3__CA_FILE": infra.s3_ca_file,
        f"{p}S3__ACCESS_KEY": S3_ACCESS_KEY,
        f"{p}S3_SECRET_KEY": S3_SECRET_KEY,
        "ROADCAM_SECRETS_DIR": str(Path(infra.run_dir) / "secrets"),
    }
    setup = DevSetup()
    if importlib.util.find_spec(f"services.{name}.devstack") is not None:
        setup = importlib.import_module(f"services.{name}.devstack").setup(infra)
    env = {k: v for k, v in env.items() if not k.startswith(setup.unset_prefixes)}
    env.update(setup.env)
    for relative, text in setup.secret_files.items():
        write_secret(Path(infra.run_dir) / relative, text)
    return env, setup


def write_secret(path: Path, text: str) -> None:
    """Create a file readable by its owner only, from the first byte on; an existing one is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as out:
        out.write(text)


def recreate_topics(kafka_url: str) -> None:
    """The local broker restarts empty, yet accepts writes to topics it no longer knows, and a topic
    created after such writes collides with them (about every other write then fails). So create
    every roadcam topic the moment it is back, before clients reconnect (they retry every 100 ms)."""
    from roadcam.common import topics
    from roadcam.common.bus import ensure_topics
    from roadcam.common.settings import KafkaSettings

    asyncio.run(ensure_topics(KafkaSettings(bootstrap_servers=kafka_url), None, topics.ALL))
    log.info("re-created %d topics on the restarted broker", len(topics.ALL))


class LocalStack:
    def __init__(
        self, run_dir: Path, config_file: Path, services: tuple[str, ...] = SERVICES, models_dir: Path | None = None
    ) -> None:
        self.models_dir = models_dir
        self.run_dir = run_dir
        self.config_file = config_file
        self.services = services
        self.children: list[Child] = []
        self.urls: dict[str, str] = {}
        self.failed: dict[str, str] = {}
        self.infra: StackInfo | None = None
        self.started = time.time()

    def start(self) -> None:
        logs = self.run_dir / "logs"
        (self.run_dir / "secrets").mkdir(parents=True, exist_ok=True)
        self._forget_raw_video()
        try:
            kafka, redis = start_kafka(logs), start_redis(logs)
            kafka.child.after_restart = lambda: recreate_topics(kafka.url)
            self.children += [kafka.child, redis.child]
            s3 = start_s3(logs, self.run_dir / "tls")
            self.children.append(s3.child)
            infra = StackInfo(
                str(self.run_dir), str(self.config_file), kafka.url, redis.url, s3.endpoint, str(s3.ca_file),
                str(self.models_dir) if self.models_dir else None,
            )
            self.urls = {"kafka": kafka.url, "redis": redis.url, "s3": s3.url}
            for name in self.services:
                if service_exists(name):
                    self._start_service(name, infra, logs)
        except BaseException:
            self.stop()
            raise
        self.infra = infra
        self.write_state()

    def _start_service(self, name: str, infra: StackInfo, logs: Path) -> None:
        port = free_port()
        env, setup = service_env(name, infra, port)
        user_port = urlsplit(setup.public_url).port if setup.public_url else None
        try:
            # Heavy services (models) take a while; announce a service only once the port its users
            # call answers (the api's HTTP port opens a moment after its health port).
            child = spawn(name, [sys.executable, "-m", f"services.{name}"], logs, env=env,
                          ready=lambda: port_open(port) and (user_port is None or port_open(user_port)),
                          timeout=120)
        except StackError as exc:
            # One broken service must not take the others down; `up` reports it.
            log.error("%s", exc)
            self.failed[name] = str(exc).splitlines()[0]
            return
        self.children.append(child)
        self.urls[name] = setup.public_url or f"http://127.0.0.1:{port}/readyz"

    def write_state(self, restarts: dict[str, dict] | None = None) -> None:
        """stack.json: what `roadcam status` and `roadcam down` read (pids change on restarts)."""
        state = {
            "up_pid": os.getpid(),
            "started": self.started,
            "urls": self.urls,
            "infra": asdict(self.infra) if self.infra else {},
            "children": {c.name: c.pid for c in self.children},
            "restarts": restarts or {},
        }
        tmp = self.run_dir / "stack.json.tmp"
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.run_dir / "stack.json")

    def roll_ephemeral_topics(self) -> None:
        """The in-memory local broker never deletes: roll the high-volume, ephemeral topics."""
        from roadcam.common import topics
        from roadcam.common.bus import roll_topics
        from roadcam.common.settings import KafkaSettings

        kafka = KafkaSettings(bootstrap_servers=self.urls["kafka"])
        asyncio.run(roll_topics(kafka, None, [topics.VIDEO, topics.CAMERA_HEALTH]))
        log.info("rolled %s and %s", topics.VIDEO, topics.CAMERA_HEALTH)

    def dead_children(self) -> list[Child]:
        return [c for c in self.children if not c.alive()]

    def stop(self) -> None:
        # Services first (they flush to the bus and S3), infrastructure last.
        for child in reversed(self.children):
            child.stop()
        self.children.clear()
        self._forget_raw_video()

    def _forget_raw_video(self) -> None:
        """Redis's append-only file holds claim-checked raw video: it must not outlive the stack
        (removed at stop, and at start in case a stack before was killed)."""
        for data_dir in self.run_dir.glob("redis-*"):
            shutil.rmtree(data_dir, ignore_errors=True)
