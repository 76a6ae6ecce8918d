"""The camera configuration file: one YAML document, strictly validated."""
from roadcam.common.camconfig.loader import load_config, parse_config
from roadcam.common.camconfig.models import CameraConfig, CountingLine, Purpose, RoadcamConfig

__all__ = ["CameraConfig", "CountingLine", "Purpose", "RoadcamConfig", "load_config", "parse_config"]
