"""Segment metadata, the per-camera hash chain and the object key layout (pure, no I/O).

Object keys (UTC dates, microsecond timestamps zero-padded so names sort by time):
  {camera}/{YYYY}/{MM}/{DD}/{start_us:016d}-{end_us:016d}.ts.enc   encrypted segment
  _keys/{camera}/{YYYY-MM-DD}/{nonce}.key                         wrapped data key of that day
  _heads/{camera}.json                                            the camera's chain head
  _holds/{camera}/{command_id}.json                               an active legal hold
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re

from pydantic import BaseModel, ConfigDict, Field

GENESIS = "0" * 64
_SEGMENT_KEY = re.compile(r"^([a-z0-9][a-z0-9-]{0,62})/(\d{4})/(\d{2})/(\d{2})/(\d{16})-(\d{16})\.ts\.enc$")
DAY_US = 86_400_000_000


class SegmentMeta(BaseModel):
    """What is known about one stored segment; it travels as S3 user metadata."""

    model_config = ConfigDict(extra="forbid")

    camera_id: str = Field(description="camera slug")
    start_us: int = Field(ge=0, description="capture time of the first packet")
    end_us: int = Field(ge=0, description="capture time just after the last packet")
    plaintext_sha256: str = Field(min_length=64, max_length=64)
    prev_chain_hash: str = Field(min_length=64, max_length=64, description="the previous segment's chain hash")
    key_id: str = Field(min_length=1, max_length=200, description="data key that encrypts it")
    codec: str = Field(min_length=1, max_length=32)
    size_bytes: int = Field(0, ge=0, description="plaintext size")
    session_id: str = Field("", max_length=64, description="ingest connection of the packets")
    last_seq: int = Field(-1, description="sequence number of the last packet")
    last_capture_us: int = Field(0, ge=0, description="capture time of the last packet")

    def chain_input(self) -> bytes:
        """The bytes both the chain hash and the AES-GCM associated data are computed over."""
        return "|".join((
            "roadcam-segment-v1", self.camera_id, str(self.start_us), str(self.end_us),
            self.plaintext_sha256, self.prev_chain_hash, self.key_id, self.codec,
        )).encode()

    @property
    def chain_hash(self) -> str:
        return hashlib.sha256(self.chain_input()).hexdigest()

    @property
    def object_key(self) -> str:
        return segment_key(self.camera_id, self.start_us, self.end_us)

    def to_headers(self) -> dict[str, str]:
        fields = self.model_dump()
        headers = {f"x-amz-meta-rc-{k.replace('_', '-')}": str(v) for k, v in fields.items()}
        headers["x-amz-meta-rc-chain-hash"] = self.chain_hash
        return headers

    @classmethod
    def from_headers(cls, headers: dict[str, str]) -> tuple["SegmentMeta", str]:
        """(meta, stored chain hash) from an object's metadata; raises ValueError if incomplete."""
        lower = {k.lower(): v for k, v in headers.items()}
        prefix = "x-amz-meta-rc-"
        values = {k[len(prefix):].replace("-", "_"): v for k, v in lower.items() if k.startswith(prefix)}
        stored_chain = values.pop("chain_hash", "")
        return cls.model_validate(values), stored_chain


class SegmentName(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    camera_id: str
    start_us: int
    end_us: int
    key: str


def day_of(time_us: int) -> dt.date:
    return dt.datetime.fromtimestamp(time_us / 1e6, dt.timezone.utc).date()


def day_start_us(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp() * 1_000_000)


def day_prefix(camera_id: str, day: dt.date) -> str:
    return f"{camera_id}/{day:%Y/%m/%d}/"


def segment_key(camera_id: str, start_us: int, end_us: int) -> str:
    return f"{day_prefix(camera_id, day_of(start_us))}{start_us:016d}-{end_us:016d}.ts.enc"


def parse_segment_key(key: str) -> SegmentName | None:
    m = _SEGMENT_KEY.match(key)
    if not m:
        return None
    return SegmentName(camera_id=m.group(1), start_us=int(m.group(5)), end_us=int(m.group(6)), key=key)


def days_between(start_us: int, end_us: int) -> list[dt.date]:
    first, last = day_of(start_us), day_of(max(start_us, end_us))
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def overlaps(name: SegmentName, start_us: int, end_us: int) -> bool:
    return name.start_us < end_us and name.end_us > start_us


def key_prefix(camera_id: str, day: dt.date) -> str:
    return f"_keys/{camera_id}/{day:%Y-%m-%d}/"
