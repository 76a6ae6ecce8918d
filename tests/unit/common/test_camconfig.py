"""Camera configuration: good files load, bad ones fail with errors naming camera and field."""
from __future__ import annotations

import copy
import textwrap
from pathlib import Path

import pytest
import yaml

from roadcam.cli.main import main as roadcam_main
from roadcam.common.camconfig import load_config, parse_config
from roadcam.common.errors import ConfigError

GOOD = yaml.safe_load(textwrap.dedent("""
    version: 1
    cameras:
      - id: gunma-r17-001
        name: 国道17号 前橋
        source: {url: "rtsp://10.0.0.5:554/stream1", credentials_secret: cam-r17-001, transport: udp}
        purposes: [road_management, traffic_survey, crime_prevention]
        department: road-maintenance
        retention_days: 7
        frame_size: [1280, 720]
        privacy_masks:
          - {name: house window, polygon: [[0, 0], [200, 0], [200, 150]]}
        counting_lines:
          - {id: main, start: [0, 400], end: [1279, 400], pos_name: 上り, neg_name: 下り}
        calibration:
          image_points: [[100, 700], [1180, 700], [800, 300], [480, 300]]
          ground_points_m: [[0, 0], [12, 0], [12, 60], [0, 60]]
        notice: {operator: 群馬県 県土整備部, purpose: 道路管理, contact: "027-000-0000"}
        public_view: {width: 640, height: 360, fps: 10}
        recording: {enabled: true, segment_seconds: 10}
      - id: file-demo
        name: Demo
        source: {url: ./clip.mp4, loop: true}
        purposes: [traffic_survey]
        department: planning
        notice: {operator: City, purpose: survey, contact: x}
"""))


def variant(path: tuple, value, camera: int = 0) -> dict:
    raw = copy.deepcopy(GOOD)
    target = raw["cameras"][camera]
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return raw


def test_good_configuration_loads() -> None:
    config = parse_config(GOOD)
    cam = config.camera("gunma-r17-001")
    assert cam.records and cam.publishes and cam.counts
    assert cam.counting_lines[0].pos_name == "上り"
    assert config.camera("file-demo").retention_days == 7  # default (Gunma)
    assert not config.camera("file-demo").records


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("retention_days",), 60, "retention_days: Input should be less than or equal to 31"),
        (("retention_days",), 0, "retention_days"),
        (("colour",), "red", "colour: unknown key"),
        (("source", "url"), "rtsp://admin:secret@10.0.0.5/s", "credentials must not be written in the URL"),
        (("source", "url"), "ftp://x/y", "unsupported scheme"),
        (("purposes",), ["road_management", "road_management"], "purposes are listed twice"),
        (("purposes",), ["surveillance"], "purposes.0: Input should be"),
        (("purposes",), ["road_management"], "counting_lines need the traffic_survey purpose"),
        (("id",), "Bad Id!", "id: String should match pattern"),
        (("notice",), KeyError, "notice: Field required"),
        (("frame_size",), KeyError, "frame_size is required"),
        (("frame_size",), [640, 360], "outside frame_size 640x360"),
        (("counting_lines",), [{"id": "a", "start": [1, 1], "end": [1, 1], "pos_name": "p", "neg_name": "n"}], "two different points"),
        (("privacy_masks",), [{"name": "m", "polygon": [[0, 0], [1, 1]]}], "privacy_masks.0.polygon"),
        (("public_view", "width"), 5000, "public_view.width"),
        (("source", "open_timeout_s"), -1, "source.open_timeout_s"),
    ],
)
def test_bad_field_is_named_with_its_camera(path: tuple, value, expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(variant(path, value))
    message = str(err.value)
    named = value if path == ("id",) else "gunma-r17-001"
    assert f"camera '{named}' (cameras[0])" in message
    assert expected in message


def test_recording_needs_a_recording_purpose() -> None:
    raw = variant(("recording",), {"enabled": True}, camera=1)
    with pytest.raises(ConfigError, match=r"camera 'file-demo' \(cameras\[1\]\): .*recording needs"):
        parse_config(raw)


def test_duplicate_camera_ids_are_rejected() -> None:
    raw = copy.deepcopy(GOOD)
    raw["cameras"][1]["id"] = "gunma-r17-001"
    with pytest.raises(ConfigError, match="used twice"):
        parse_config(raw)


def test_unknown_top_level_key_and_empty_list() -> None:
    with pytest.raises(ConfigError, match="camaras: unknown key"):
        parse_config({"version": 1, "cameras": GOOD["cameras"], "camaras": []})
    with pytest.raises(ConfigError, match="cameras: List should have at least 1 item"):
        parse_config({"version": 1, "cameras": []})


def test_file_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("cameras: [\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n")
    with pytest.raises(ConfigError, match="expected a mapping"):
        load_config(scalar)


def test_config_check_command(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(yaml.safe_dump(GOOD, allow_unicode=True))
    bad.write_text(yaml.safe_dump(variant(("retention_days",), 90), allow_unicode=True))
    assert roadcam_main(["config", "check", str(good)]) == 0
    assert "OK, 2 cameras" in capsys.readouterr().out
    assert roadcam_main(["config", "check", str(bad)]) == 2
    assert "camera 'gunma-r17-001' (cameras[0]): retention_days" in capsys.readouterr().err
