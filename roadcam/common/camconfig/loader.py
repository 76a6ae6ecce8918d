"""Read the YAML file and turn pydantic's errors into lines that name the camera and field."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from roadcam.common.camconfig.models import RoadcamConfig
from roadcam.common.errors import ConfigError


def _camera_label(raw: Any, index: int) -> str:
    try:
        cam_id = raw["cameras"][index]["id"]
    except (KeyError, IndexError, TypeError):
        cam_id = None
    return f"camera {cam_id!r} (cameras[{index}])" if cam_id else f"cameras[{index}]"


def _describe(raw: Any, error: dict) -> str:
    loc = list(error["loc"])
    where = ""
    if len(loc) >= 2 and loc[0] == "cameras" and isinstance(loc[1], int):
        where = _camera_label(raw, loc[1]) + ": "
        loc = loc[2:]
    field = ".".join(str(part) for part in loc) or "(whole entry)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check the spelling)"
    return f"{where}{field}: {message}"


def parse_config(raw: Any, origin: str = "<config>") -> RoadcamConfig:
    try:
        return RoadcamConfig.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{origin}: {_describe(raw, e)}" for e in exc.errors()]
        raise ConfigError("invalid camera configuration:\n  " + "\n  ".join(lines)) from None


def load_config(path: str | Path) -> RoadcamConfig:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with a 'cameras' list at the top")
    return parse_config(raw, str(path))
