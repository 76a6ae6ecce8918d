"""Versioned configuration (issue 10): the README example round-trips byte for byte through
`roadcam config import` / `export`; changes need a reason, keep a diff, and never overwrite a newer one."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from roadcam.cli.main import main
from roadcam.common.errors import ConfigError
from services.api.console.config_versions import ConfigVersions, parse_document, with_camera
from services.api.db.engine import make_engine, migrate
from services.api.errors import Conflict

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_example() -> str:
    found = re.search(r"### Cameras: one YAML file\n\n```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert found, "README has no camera configuration example"
    return found.group(1)


def test_readme_example_round_trips_byte_for_byte(tmp_path: Path, monkeypatch, capsysbinary) -> None:
    monkeypatch.setenv("ROADCAM_API_DATABASE_URL", f"sqlite:///{tmp_path / 'api.sqlite3'}")
    source = tmp_path / "cameras.yaml"
    source.write_bytes(readme_example().encode("utf-8"))
    assert main(["config", "import", str(source), "--reason", "初期設定"]) == 0
    assert main(["config", "export", "--out", str(tmp_path / "out.yaml")]) == 0
    assert (tmp_path / "out.yaml").read_bytes() == source.read_bytes()
    capsysbinary.readouterr()
    assert main(["config", "export"]) == 0
    assert capsysbinary.readouterr().out == source.read_bytes()


def test_import_refuses_invalid_files_and_missing_reasons(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ROADCAM_API_DATABASE_URL", f"sqlite:///{tmp_path / 'api.sqlite3'}")
    bad = tmp_path / "bad.yaml"
    bad.write_text(readme_example().replace("retention_days: 7", "retention_days: 99"), encoding="utf-8")
    assert main(["config", "import", str(bad), "--reason", "x"]) == 2
    assert "retention_days" in capsys.readouterr().err
    good = tmp_path / "good.yaml"
    good.write_text(readme_example(), encoding="utf-8")
    assert main(["config", "import", str(good), "--reason", "  "]) == 2
    assert main(["config", "export"]) == 2  # nothing stored yet
    assert "import FILE" in capsys.readouterr().err


def test_versions_keep_diff_and_refuse_stale_edits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'api.sqlite3'}")
    migrate(engine)
    versions = ConfigVersions(engine)
    v1 = versions.seeded(readme_example(), "cameras.yaml", 1)
    assert (v1.version, v1.actor, versions.seeded("ignored", "x", 2).version) == (1, "system", 1)
    raw, _ = parse_document(v1.document)
    camera = raw["cameras"][0]
    camera["counting_lines"][0]["pos_name"] = "前橋方面"
    v2 = versions.add(with_camera(v1.document, camera), "boss", "方向名を修正", 3, camera["id"], base_version=1)
    assert v2.version == 2 and "+" in v2.diff and "前橋方面" in v2.diff and "-" in v2.diff
    with pytest.raises(Conflict):
        versions.add(v1.document, "other", "stale", 4, base_version=1)
    camera["retention_days"] = 40
    with pytest.raises(ConfigError, match="retention_days"):
        versions.add(with_camera(v2.document, camera), "boss", "too long", 5, base_version=2)
    assert [v.version for v in versions.history()] == [2, 1]
    engine.dispose()
