"""Run the recorder against real servers: settings, publishing clips, a switchable S3 proxy."""
from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import yaml

from roadcam.common import topics
from roadcam.common.bus import BusConsumer, BusProducer, ensure_topics
from roadcam.common.media import PacketBatch
from roadcam.common.settings import KafkaSettings, PayloadSettings
from roadcam.common.signing import service_key
from roadcam.common.video_bus import encode_batch
from services.recorder.settings import Settings
from tests.support.services import wait_for  # noqa: F401 (re-exported)
from tests.integration.recorder.support import SECRET, s3_settings

NOTICE = {"operator": "test", "purpose": "test", "contact": "test"}


def camera(camera_id: str, records: bool = True, segment_seconds: float = 2, retention_days: int = 7) -> dict:
    return {
        "id": camera_id, "name": camera_id, "source": {"url": "/dev/null"},
        "purposes": ["crime_prevention"] if records else ["traffic_survey"], "department": "test",
        "notice": NOTICE, "retention_days": retention_days,
        "recording": {"enabled": records, "segment_seconds": segment_seconds},
    }


# The recorder signs its audit events with service_key(api master, "recorder"); tests use this master.
TEST_AUDIT_MASTER = b"recorder tests: the api's audit signing master"
TEST_AUDIT_KEY = service_key(TEST_AUDIT_MASTER, "recorder").hex()


def recorder_env(settings: Settings) -> dict[str, str]:
    """The same settings as ROADCAM_RECORDER_* variables (for the subprocess tests)."""
    p = "ROADCAM_RECORDER_"
    return {
        f"{p}CONFIG_FILE": str(settings.config_file), f"{p}KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        f"{p}S3__ENDPOINT": settings.s3.endpoint, f"{p}S3__CA_FILE": str(settings.s3.ca_file),
        f"{p}S3__ACCESS_KEY": settings.s3.access_key, f"{p}S3_SECRET_KEY": SECRET,
        f"{p}MASTER_KEY": settings.master_key.get_secret_value(), f"{p}BUCKET": settings.bucket,
        f"{p}SESSION_TIMEOUT_MS": str(settings.session_timeout_ms), f"{p}PAYLOAD__MODE": "inline",
        f"{p}RETRY_MAX_S": str(settings.retry_max_s), "ROADCAM_SECRETS_DIR": "/nonexistent",
        f"{p}AUDIT_KEY": settings.audit_key.get_secret_value() if settings.audit_key else "",
    }


def recorder_settings(tmp_path: Path, cameras: list[dict], kafka: KafkaSettings, s3_server, bucket: str,
                      master_key: str, endpoint: str | None = None, **extra) -> Settings:
    config = tmp_path / "cameras.yaml"
    config.write_text(yaml.safe_dump({"version": 1, "cameras": cameras}))
    return Settings(
        config_file=config, kafka=kafka, s3=s3_settings(s3_server, endpoint), s3_secret_key=SECRET,
        master_key=master_key, bucket=bucket, session_timeout_ms=2000, payload=PayloadSettings(mode="inline"),
        retry_max_s=1.0, s3_timeout_s=3.0, sweep_interval_s=3600, **{"audit_key": TEST_AUDIT_KEY, **extra},
    )


async def publish(kafka: KafkaSettings, batches: list[PacketBatch]) -> None:
    await ensure_topics(kafka, None, topics.ALL)
    producer = BusProducer(kafka, None, client_id="test-camera")
    await producer.start()
    try:
        for batch in batches:
            await producer.send(topics.VIDEO, batch.camera_id, await encode_batch(batch, None))
        await producer.flush()
    finally:
        await producer.stop()


async def read_topic(kafka: KafkaSettings, topic: str, count: int, timeout: float = 20.0) -> list[bytes]:
    consumer = BusConsumer(kafka, None, [topic], f"test-{topic}", from_beginning=True, session_timeout_ms=2000)
    await consumer.start()
    values: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            async for records in consumer.batches():
                values += [r.value for r in records]
                if len(values) >= count:
                    break
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return values


class SwitchableProxy:
    """A TCP proxy in front of S3 that can refuse connections and cut open ones (an outage)."""

    def __init__(self, target_port: int) -> None:
        self._target = target_port
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True)
        self._writers -= {writer, up_writer}

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.close()
