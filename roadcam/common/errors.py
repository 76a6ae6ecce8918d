"""One error hierarchy for the whole project, so callers can catch `RoadcamError`."""
from __future__ import annotations


class RoadcamError(Exception):
    """Base of every error roadcam raises on purpose."""


class ConfigError(RoadcamError):
    """A configuration file or setting is invalid; the message names the camera and field."""


class SourceError(RoadcamError):
    """A camera source could not be opened or read. `kind` is a CameraErrorKind name."""

    def __init__(self, message: str, kind: str = "INTERNAL") -> None:
        super().__init__(message)
        self.kind = kind


class BusError(RoadcamError):
    """The message bus (Kafka) or the blob store refused or lost a message."""


class DecodeError(RoadcamError):
    """Compressed video could not be turned into frames."""


class ModelMissingError(RoadcamError):
    """A model file named in the settings does not exist or cannot be loaded."""
