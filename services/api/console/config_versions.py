"""Versioned configuration documents (issue 10): validated by the same pydantic models as the YAML
file, never changed once written, each with who, when, why and the diff to the one before."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from roadcam.common.camconfig import parse_config
from roadcam.common.camconfig.models import RoadcamConfig
from roadcam.common.errors import ConfigError
from services.api.console.tables import ConfigVersion
from services.api.errors import Conflict


@dataclass(frozen=True)
class Version:
    version: int
    document: str
    created_us: int
    actor: str
    reason: str
    camera_id: str
    diff: str


def parse_document(text: str, origin: str = "configuration") -> tuple[Any, RoadcamConfig]:
    """(raw YAML data, validated config); ConfigError names the camera and field."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{origin}: expected a mapping with a 'cameras' list at the top")
    return raw, parse_config(raw, origin)


class _PlainDumper(yaml.SafeDumper):
    """No &anchors/*aliases: each camera reads on its own."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(raw: Any) -> str:
    return yaml.dump(raw, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, default_flow_style=None,
                     width=120)


def semantic_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """The diff of what changed, not of formatting or comments: both sides rendered the same way."""
    def canonical(text: str) -> str:
        return render(yaml.safe_load(text)) if text else ""

    return diff(canonical(old), canonical(new), old_name, new_name)


def with_camera(text: str, camera: dict) -> str:
    """The document with one camera replaced (matched by id), as YAML; comments are not kept."""
    raw, _ = parse_document(text)
    cams = raw["cameras"]
    index = next((i for i, c in enumerate(cams) if c.get("id") == camera.get("id")), None)
    if index is None:
        raise ConfigError(f"no camera {camera.get('id')!r} in the configuration")
    cams[index] = camera
    return render(raw)


def diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        old_name, new_name))


def _version(row) -> Version:
    return Version(row.version, row.document, row.created_us, row.actor, row.reason, row.camera_id, row.diff)


class ConfigVersions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def latest(self) -> Version | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(ConfigVersion).order_by(ConfigVersion.version.desc()).limit(1)).first()
        return _version(row) if row else None

    def newest_number(self) -> int:
        """The newest version's number; 0 when none is stored."""
        with self._engine.connect() as conn:
            return conn.scalar(select(func.max(ConfigVersion.version))) or 0

    def config(self, version: int) -> RoadcamConfig:
        """A stored version, validated (ConfigError if it no longer does, or does not exist)."""
        found = self.get(version)
        if found is None:
            raise ConfigError(f"no configuration version {version}")
        return parse_document(found.document, f"configuration version {version}")[1]

    def get(self, version: int) -> Version | None:
        with self._engine.connect() as conn:
            row = conn.execute(select(ConfigVersion).where(ConfigVersion.version == version)).first()
        return _version(row) if row else None

    def history(self, limit: int = 50, camera_id: str | None = None) -> list[Version]:
        q = select(ConfigVersion).order_by(ConfigVersion.version.desc()).limit(limit)
        if camera_id:
            q = q.where(ConfigVersion.camera_id.in_((camera_id, "")))
        with self._engine.connect() as conn:
            return [_version(r) for r in conn.execute(q)]

    def add(self, document: str, actor: str, reason: str, now_us: int, camera_id: str = "",
            base_version: int | None = None) -> Version:
        """Validate and store a new version. `base_version`: the version the change was made on;
        a newer one in between is a conflict (no silent overwrite of someone else's change)."""
        if not reason.strip():
            raise ConfigError("every configuration change needs a reason")
        parse_document(document)
        with self._engine.begin() as conn:
            newest = conn.scalar(select(func.max(ConfigVersion.version))) or 0
            if base_version is not None and base_version != newest:
                raise Conflict(f"the configuration changed (version {newest}) since you opened version "
                               f"{base_version}; reload and apply your change again")
            before = conn.scalar(select(ConfigVersion.document).where(ConfigVersion.version == newest)) or ""
            row = {"version": newest + 1, "document": document, "created_us": now_us, "actor": actor,
                   "reason": reason.strip(), "camera_id": camera_id,
                   "diff": semantic_diff(before, document, f"v{newest}", f"v{newest + 1}")}
            try:
                conn.execute(ConfigVersion.__table__.insert(), [row])
            except IntegrityError as exc:
                raise Conflict("another change was saved at the same moment; reload and try again") from exc
        return Version(**row)

    def seeded(self, text: str, origin: str, now_us: int) -> Version:
        """The newest version; the YAML file becomes version 1 when nothing is stored yet."""
        found = self.latest()
        if found is not None:
            return found
        try:
            return self.add(text, "system", f"seed from {origin}", now_us, base_version=0)
        except Conflict:
            return self.latest()  # another replica seeded it a moment ago
