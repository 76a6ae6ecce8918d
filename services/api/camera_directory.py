"""The configured cameras as the api answers about them: who may see which, direction names."""
from __future__ import annotations

from roadcam.common.camconfig.models import CameraConfig, RoadcamConfig
from services.api.store.accounts import Principal


class CameraDirectory:
    def __init__(self, config: RoadcamConfig) -> None:
        self.config = config
        self._direction_names: dict[tuple[str, str, str], str] = {}
        for cam in config.cameras:
            for line in cam.counting_lines:
                self._direction_names[(cam.id, line.id, "pos")] = line.pos_name
                self._direction_names[(cam.id, line.id, "neg")] = line.neg_name

    @property
    def all(self) -> list[CameraConfig]:
        return list(self.config.cameras)

    def visible(self, who: Principal) -> list[CameraConfig]:
        return [c for c in self.config.cameras if who.sees_department(c.department)]

    def camera(self, camera_id: str) -> CameraConfig:
        """KeyError for an unknown camera."""
        return self.config.camera(camera_id)

    def direction_name(self, camera_id: str, line_id: str, direction: str) -> str:
        """The operator's name for a direction (上り/下り), or the raw one for an unknown line."""
        return self._direction_names.get((camera_id, line_id, direction), direction)
