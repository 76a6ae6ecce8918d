"""The configured cameras as the api answers about them: who may see which, direction names, which
publish a public view. They follow the newest saved configuration version (console or `roadcam
config import`), checked at most every `check_s` seconds, so a saved change shows on every replica
without a restart; with no version stored yet they are the YAML file's.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError

from roadcam.common.camconfig.models import CameraConfig, RoadcamConfig
from roadcam.common.errors import ConfigError
from services.api.store.accounts import Principal

log = logging.getLogger(__name__)


class VersionSource(Protocol):
    def newest_number(self) -> int: ...           # 0 when no version is stored

    def config(self, version: int) -> RoadcamConfig: ...  # ConfigError when it does not validate


class _Snapshot:
    """One configuration version, with what the hot paths look up in it."""

    def __init__(self, version: int, config: RoadcamConfig) -> None:
        self.version, self.config = version, config
        self.cameras = list(config.cameras)
        self.publishing = frozenset(c.id for c in self.cameras if c.publishes)
        self.direction_names: dict[tuple[str, str, str], str] = {}
        for cam in self.cameras:
            for line in cam.counting_lines:
                self.direction_names[(cam.id, line.id, "pos")] = line.pos_name
                self.direction_names[(cam.id, line.id, "neg")] = line.neg_name


class CameraDirectory:
    def __init__(self, config: RoadcamConfig, source: VersionSource | None = None, check_s: float = 2.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        """`config`: the YAML file's, used until a version is stored. A stored newest version that
        does not validate stops the start with a ConfigError."""
        self._now = _Snapshot(0, config)
        self._source, self._check_s, self._monotonic = source, check_s, monotonic
        self._checked_at = monotonic()
        self._lock = threading.Lock()
        self.on_change: list[Callable[[], None]] = []  # e.g. kept answers that name directions
        newest = source.newest_number() if source is not None else 0
        if newest:
            self._install(newest)

    @property
    def version(self) -> int:
        """The configuration version answered from (0: the YAML file, nothing stored yet)."""
        return self._current().version

    @property
    def config(self) -> RoadcamConfig:
        return self._current().config

    @property
    def all(self) -> list[CameraConfig]:
        return list(self._current().cameras)

    def visible(self, who: Principal) -> list[CameraConfig]:
        return [c for c in self._current().cameras if who.sees_department(c.department)]

    def camera(self, camera_id: str) -> CameraConfig:
        """KeyError for an unknown camera."""
        return self._current().config.camera(camera_id)

    def publishing(self) -> frozenset[str]:
        """Ids of the cameras whose public view is on."""
        return self._current().publishing

    def direction_name(self, camera_id: str, line_id: str, direction: str) -> str:
        """The operator's name for a direction (上り/下り), or the raw one for an unknown line."""
        return self._current().direction_names.get((camera_id, line_id, direction), direction)

    def refresh(self) -> None:
        """Look for a newer version now (after this process saved one)."""
        self._checked_at = self._monotonic() - self._check_s
        self._current()

    def _current(self) -> _Snapshot:
        now = self._monotonic()
        if self._source is None or now - self._checked_at < self._check_s:
            return self._now
        if not self._lock.acquire(blocking=False):
            return self._now  # another thread is looking already
        try:
            self._checked_at = now
            newest = self._source.newest_number()
            if newest != self._now.version:
                self._install(newest)
        except (SQLAlchemyError, ConfigError) as exc:
            # Keep answering from the version we have; retried at the next check.
            log.error("camera directory stays at version %d: %s", self._now.version, exc)
        finally:
            self._lock.release()
        return self._now

    def _install(self, version: int) -> None:
        self._now = _Snapshot(version, self._source.config(version))
        for listener in self.on_change:
            listener()
        log.info("camera directory at configuration version %d (%d cameras)", version, len(self._now.cameras))
