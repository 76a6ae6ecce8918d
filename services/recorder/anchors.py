"""Write-once anchors of each camera's chain head, so truncation of the chain is detected.

The chain head `_heads/{camera}.json` is rewritten per segment, so whoever can delete the last
segments can also rewind it. Each head is therefore also written as
`_anchors/{camera}/{10^16 - end_us:016d}.json` under S3 object lock in COMPLIANCE mode: no
one, root included, can delete that version or shorten its retention until it expires (the
camera's retention plus a day). A plain DELETE only puts a delete marker on top and an overwrite
only adds a version, so anchors are read from the version listing. Names count down, so the
newest anchor is listed first. A forged newer anchor cannot hide a truncation: it matches no
segment, and `verify` reports it.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.recorder.chain import SegmentMeta
from services.recorder.storage import RecordingStore

log = logging.getLogger(__name__)
ANCHOR_PREFIX = "_anchors/"
_FAR_US = 10**16


class Anchor(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    camera_id: str = Field(min_length=1, max_length=63)
    end_us: int = Field(ge=0, lt=_FAR_US)
    chain_hash: str = Field(min_length=64, max_length=64)
    object_key: str = Field(min_length=1, max_length=200)

    @classmethod
    def of(cls, meta: SegmentMeta) -> "Anchor":
        return cls(camera_id=meta.camera_id, end_us=meta.end_us, chain_hash=meta.chain_hash, object_key=meta.object_key)


def anchor_key(camera_id: str, end_us: int) -> str:
    return f"{ANCHOR_PREFIX}{camera_id}/{_FAR_US - end_us:016d}.json"


@dataclass(frozen=True)
class AnchorReading:
    """The versions of the newest anchor name; `forged` are those whose content contradicts it."""

    anchors: list[Anchor]
    forged: list[str]


def write_anchor(store: RecordingStore, meta: SegmentMeta, retention_days: int) -> None:
    until = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=retention_days + 1)
    anchor = Anchor.of(meta)
    store.put_locked(anchor_key(meta.camera_id, meta.end_us), json.dumps(anchor.model_dump(), sort_keys=True).encode(), until)


def newest_anchor(store: RecordingStore, camera_id: str) -> AnchorReading:
    """Every stored version of the camera's newest anchor (retries write identical ones)."""
    name, versions = None, []
    for obj in store.versions(f"{ANCHOR_PREFIX}{camera_id}/"):
        if name is not None and obj.object_name != name:
            break
        name = obj.object_name
        if not obj.is_delete_marker:
            versions.append(obj.version_id)
    anchors, forged = [], []
    for version in versions:
        try:
            anchor = Anchor.model_validate_json(store.get_version(name, version))
        except ValidationError:
            forged.append(f"{name}@{version}")
            continue
        if anchor_key(anchor.camera_id, anchor.end_us) != name or anchor.camera_id != camera_id:
            forged.append(f"{name}@{version}")
        elif anchor not in anchors:
            anchors.append(anchor)
    return AnchorReading(anchors, forged)
