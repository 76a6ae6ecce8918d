"""Pure parts of the live configuration feed: version order and validation (issue 10)."""
from __future__ import annotations

import json

import pytest

from roadcam.common.config_feed import ConfigDocument, ConfigDocumentError, ConfigVersions, validate

CAMERA = {"id": "cam-a", "name": "a", "source": {"url": "rtsp://127.0.0.1:1/x"}, "purposes": ["traffic_survey"],
          "department": "roads", "frame_size": [640, 352], "notice": {"operator": "city", "purpose": "survey", "contact": "x"},
          "counting_lines": [{"id": "l1", "start": [10, 10], "end": [10, 300], "pos_name": "n", "neg_name": "s"}]}


def doc(version: int, camera: dict | None = None, raw: str | None = None, removed: bool = False) -> ConfigDocument:
    return ConfigDocument("cam-a", version, raw if raw is not None else json.dumps(camera or CAMERA), 1, removed)


def test_only_newer_versions_pass_per_camera() -> None:
    versions = ConfigVersions()
    assert versions.is_new(doc(2)) and not versions.is_new(doc(2)) and not versions.is_new(doc(1))
    assert versions.is_new(doc(3))
    assert versions.is_new(ConfigDocument("cam-b", 1, "{}"))  # cameras are independent


def test_valid_document_gives_the_camera_entry() -> None:
    change = validate(doc(2))
    assert change.config is not None and change.config.counting_lines[0].id == "l1" and change.version == 2


def test_removed_camera_has_no_config() -> None:
    assert validate(doc(2, raw="", removed=True)).config is None


@pytest.mark.parametrize("raw", ["{not json", json.dumps({"id": "cam-a"}),
                                 json.dumps({**CAMERA, "counting_lines": [{"id": "x", "start": [9000, 1], "end": [1, 1]}]}),
                                 json.dumps({**CAMERA, "id": "cam-other"})])
def test_bad_documents_are_refused_with_the_camera_named(raw: str) -> None:
    with pytest.raises(ConfigDocumentError, match="cam-"):
        validate(doc(2, raw=raw))
