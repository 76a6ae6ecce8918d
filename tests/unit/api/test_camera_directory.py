"""The camera directory follows the newest saved configuration version (issue 10): counts
validation, camera list, notices and the public site see a change saved elsewhere (another replica,
`roadcam config import`) without a restart; a version that does not validate is never installed."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from roadcam.common.camconfig.models import RoadcamConfig
from roadcam.common.errors import ConfigError
from services.api.auth.roles import Role
from services.api.camera_directory import CameraDirectory
from services.api.console.config_versions import ConfigVersions
from services.api.store.counts import CountOut
from tests.unit.api.apikit import T0_US, Api, make_api

CHECK_S = 0.2


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    made = make_api(tmp_path, config_check_s=CHECK_S)
    yield made
    made.client.close()
    made.parts.engine.dispose()


def save_elsewhere(api: Api, change) -> int:
    """A new version stored straight in the database, as another replica or the CLI would."""
    versions = ConfigVersions(api.parts.engine)
    text = api.parts.settings.config_file.read_text(encoding="utf-8")
    current = versions.seeded(text, "cameras.yaml", api.clock.now_us)
    raw = yaml.safe_load(current.document)
    change(raw["cameras"])
    return versions.add(yaml.safe_dump(raw, allow_unicode=True), "other", "test", api.clock.now_us).version


def rename_and_add_camera(cams: list) -> None:
    cams[0]["counting_lines"][0]["pos_name"] = "前橋方面"
    cams[1]["purposes"] = ["traffic_survey"]  # no road_management: no public view
    cams.append({**cams[1], "id": "bridge-3", "name": "新しい橋"})


def test_a_version_saved_elsewhere_is_answered_from_without_a_restart(api: Api) -> None:
    headers = api.role_headers()[Role.ANALYST]
    params = {"camera": "bridge-3", "start": "2026-06-01T00:00:00", "end": "2026-06-01T01:00:00"}
    assert api.client.get("/api/v1/counts", params=params, headers=headers).status_code == 404
    api.parts.counts.upsert_bins([CountOut("bridge-1", "main", "pos", "car", "小型車", T0_US - 9 * 3_600_000_000, 300, 2, True)])
    kept = api.client.get("/api/v1/counts", params={**params, "camera": "bridge-1"}, headers=headers).json()
    assert kept["rows"][0]["direction_name"] == "上り" and len(api.parts.settled_counts) == 1
    assert "bridge-2" in api.parts.cameras.publishing()
    version = save_elsewhere(api, rename_and_add_camera)
    time.sleep(CHECK_S * 1.5)
    assert api.client.get("/api/v1/counts", params=params, headers=headers).status_code == 200
    ids = [c["id"] for c in api.client.get("/api/v1/cameras", headers=headers).json()]
    assert ids == ["bridge-1", "bridge-2", "station-1", "bridge-3"]
    assert api.parts.cameras.version == version and api.parts.cameras.direction_name("bridge-1", "main", "pos") == "前橋方面"
    renamed = api.client.get("/api/v1/counts", params={**params, "camera": "bridge-1"}, headers=headers).json()
    assert renamed["rows"][0]["direction_name"] == "前橋方面"  # not the kept answer with the old name
    assert "bridge-2" not in api.parts.cameras.publishing()  # its public HLS is no longer served
    assert api.client.get("/hls/bridge-2/index.m3u8").status_code == 404
    assert api.client.get("/api/v1/notices/bridge-3").json()["camera_name"] == "新しい橋"


def test_a_restart_answers_from_the_newest_version_not_the_file(api: Api, tmp_path: Path) -> None:
    version = save_elsewhere(api, rename_and_add_camera)
    again = make_api(tmp_path)  # the same database and file, as after a restart
    try:
        assert again.parts.cameras.version == version and "bridge-3" in [c.id for c in again.parts.cameras.all]
    finally:
        again.client.close()
        again.parts.engine.dispose()


class Versions:
    """Stored versions for the directory's own logic (pure: no database)."""

    def __init__(self, config: RoadcamConfig) -> None:
        self.docs: dict[int, RoadcamConfig | None] = {1: config}

    def newest_number(self) -> int:
        return max(self.docs)

    def config(self, version: int) -> RoadcamConfig:
        found = self.docs[version]
        if found is None:
            raise ConfigError(f"configuration version {version}: does not validate")
        return found


def test_an_invalid_newest_version_keeps_the_one_in_use(api: Api) -> None:
    config = api.parts.cameras.config
    fewer = config.model_copy(update={"cameras": config.cameras[:1]})
    versions, now = Versions(config), [0.0]
    directory = CameraDirectory(config, versions, check_s=1.0, monotonic=lambda: now[0])
    versions.docs[2] = fewer
    now[0] = 0.5
    assert directory.version == 1  # not looked for yet
    now[0] = 1.0
    assert directory.version == 2 and [c.id for c in directory.all] == ["bridge-1"]
    versions.docs[3] = None
    now[0] = 2.0
    assert directory.version == 2 and [c.id for c in directory.all] == ["bridge-1"]
    with pytest.raises(ConfigError, match="version 3"):
        CameraDirectory(config, versions)  # at start: refuse, with the version named
