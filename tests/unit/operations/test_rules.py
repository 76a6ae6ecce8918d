"""The 規程 (A8) printed for the README example camera, by the CLI and the api, in Japanese, from the
configuration and accounts of the running system (change either and the print changes)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from roadcam.cli.main import main
from roadcam.common.camconfig import load_config
from services.api.auth.passwords import hash_password
from services.api.auth.roles import Role
from services.api.db.engine import make_engine, migrate
from services.api.store.accounts import Accounts, StoredAccount
from tests.unit.api.apikit import Api

REPO = Path(__file__).resolve().parents[3]
MARKS = "アイウエオカキクケコ"
YEAR_US = 365 * 86_400_000_000


def readme_yaml() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Cameras: one YAML file", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


@pytest.fixture
def readme_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Accounts]:
    config = tmp_path / "cameras.yaml"
    config.write_text(readme_yaml(), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'api.sqlite3'}"
    monkeypatch.setenv("ROADCAM_API_DATABASE_URL", url)
    monkeypatch.setenv("ROADCAM_API_CONFIG_FILE", str(config))
    engine = make_engine(url)
    migrate(engine)
    accounts = Accounts(engine)
    secret, now = hash_password("x" * 12), 1_780_000_000_000_000
    for name, role, departments, expires in (("kanri-sekinin", Role.MANAGER, ("*",), None),
                                             ("sousa-tanaka", Role.OPERATOR, ("road-maintenance",), now + YEAR_US),
                                             ("sousa-parks", Role.OPERATOR, ("parks",), now + YEAR_US),
                                             ("toukei", Role.ANALYST, ("*",), None)):
        accounts.create(StoredAccount(name, role, departments, expires, "管理室の端末のみ" if role is Role.OPERATOR else "",
                                      False, secret, now))
    return config, accounts


def printed(capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["rules", "print", *args]) == 0
    return capsys.readouterr().out


def test_readme_camera_rules_in_japanese_items_a_to_k(readme_system, capsys) -> None:
    config, _ = readme_system
    camera = load_config(config).cameras[0]
    text = printed(capsys, "--camera", camera.id)
    headings = re.findall(r"^## (\S) ", text, re.M)
    assert "".join(headings) == MARKS
    assert text.startswith(f"# {camera.name} カメラ管理・運用規程")
    for fact in (f"保存期間は{camera.retention_days}日間", camera.notice.operator, camera.notice.contact,
                 "道路管理", "交通量調査", "防犯", "民家の窓", "640×360", "kanri-sekinin", "sousa-tanaka",
                 "管理室の端末のみ", "road-maintenance", "個人情報の保護に関する法律", "その職を解かれた後も同様"):
        assert fact in text, fact
    assert "sousa-parks" not in text and "toukei" not in text  # other departments and roles are not operators here


def test_the_print_follows_the_configuration_and_the_accounts(readme_system, capsys) -> None:
    config, accounts = readme_system
    config.write_text(config.read_text(encoding="utf-8").replace("retention_days: 7", "retention_days: 14"),
                      encoding="utf-8")
    accounts.update("sousa-tanaka", disabled=True)
    text = printed(capsys)
    assert "保存期間は14日間" in text and "保存期間は7日間" not in text
    assert "sousa-tanaka" not in text and "操作取扱者は置かない" in text


def test_html_is_one_printable_page(readme_system, capsys, tmp_path: Path) -> None:
    out = tmp_path / "rules.html"
    assert main(["rules", "print", "--format", "html", "--output", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.startswith('<!doctype html><html lang="ja">') and "@media print" in html
    assert re.findall(r'data-item="(\S)"', html) == list(MARKS)
    assert main(["rules", "print", "--camera", "none-such"]) == 2


def test_the_api_prints_the_same_rules(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    r = api.client.get("/api/v1/rules?camera=bridge-1&format=md", headers=api.headers("boss"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "".join(re.findall(r"^## (\S) ", r.text, re.M)) == MARKS and "boss" in r.text
    assert "このカメラの映像は録画しない" in api.client.get(
        "/api/v1/rules?camera=bridge-2&format=md", headers=api.headers("boss")).text  # bridge-2 does not record
    assert api.client.get("/api/v1/rules?camera=nowhere", headers=api.headers("boss")).status_code == 404
