"""Fixtures that start real servers on free 127.0.0.1 ports and stop them afterwards."""
from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from roadcam.common.settings import KafkaSettings
from roadcam.devstack.servers import S3Server, Server, start_kafka, start_redis, start_s3

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("ROADCAM_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (videos, ground truth, plates, faces, models); tests skip without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"test data not found at {SHARED_DATA} (set ROADCAM_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def videos(shared_data: Path) -> Path:
    return shared_data / "videos"


@pytest.fixture
def kafka(tmp_path: Path) -> Iterator[Server]:
    """A fresh tansu broker per test (starts in well under a second)."""
    server = start_kafka(tmp_path / "logs")
    yield server
    server.child.stop()


@pytest.fixture
def kafka_settings(kafka: Server) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka.url, partitions=4)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[Server]:
    server = start_redis(tmp_path / "logs", maxmemory_mb=256)
    yield server
    server.child.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server over TLS (self-signed; `ca_file` verifies it). Use a unique bucket per test."""
    base = tmp_path_factory.mktemp("s3")
    server = start_s3(base / "logs", base / "tls")
    yield server
    server.child.stop()


@pytest.fixture(scope="session")
def looped_clip(tmp_path_factory: pytest.TempPathFactory, videos: Path):
    """looped_clip("bridge_dense_5s.mp4", 20) -> the clip repeated 20x (stream copy, no re-encode)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    out_dir = tmp_path_factory.mktemp("looped")

    def make(name: str, times: int) -> Path:
        out = out_dir / f"{Path(name).stem}_x{times}.mp4"
        if not out.exists():
            subprocess.run(
                ["ffmpeg", "-loglevel", "error", "-stream_loop", str(times - 1), "-i", str(videos / name),
                 "-c", "copy", "-an", str(out)],
                check=True,
            )
        return out

    return make


from tests.support.rtsp import rtsp_camera_factory  # noqa: E402,F401  (fixture)
