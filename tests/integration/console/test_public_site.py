"""The public site (V3, A7, Gunma 5): list, one player per camera page, notice, map, open data."""
from __future__ import annotations

import json

import pytest

from services.api.public.view_state import decide
from tests.unit.api.apikit import Api


def test_list_page_has_no_player_and_links_each_public_camera(api: Api) -> None:
    page = api.client.get("/").text
    assert '<html lang="ja">' in page and "<video" not in page
    for cid in ("bridge-1", "bridge-2", "station-1"):
        assert f'href="/cameras/{cid}"' in page
    # Storage is unreachable in this test: the list says paused, never guesses live.
    assert "一時停止中" in page and "配信中" not in page


def test_camera_page_has_only_its_own_player_and_the_full_notice(api: Api) -> None:
    page = api.client.get("/cameras/bridge-1").text
    assert page.count("<video") == 1 and 'data-src="/hls/bridge-1/index.m3u8"' in page
    assert "bridge-2" not in page
    for text in ("群馬県 県土整備部", "道路管理・交通量調査", "027-000-0000", "7日", "録画を行っています",
                 "第三者への提供", "書面による申請", "現在、映像の配信を一時停止しています"):
        assert text in page, text
    unrecorded = api.client.get("/cameras/bridge-2").text
    assert "録画は行っていません" in unrecorded and "第三者に提供することはありません" in unrecorded


def test_camera_page_in_english(api: Api) -> None:
    page = api.client.get("/cameras/bridge-1?lang=en").text
    assert '<html lang="en">' in page and "Recording is in operation (kept 7 days" in page
    assert "Provision to third parties" in page and 'href="/cameras/bridge-1?lang=ja"' in page


def test_unknown_camera_is_a_404_page(api: Api) -> None:
    r = api.client.get("/cameras/no-such-camera")
    assert r.status_code == 404 and "ページが見つかりません" in r.text


def test_map_uses_gsi_tiles_by_default_and_lists_cameras_without_tiles(api: Api) -> None:
    page = api.client.get("/map").text
    assert 'data-tiles="https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"' in page
    assert "/static/site/vendor/leaflet/leaflet.js" in page
    assert page.count('data-href="/cameras/') == 3 and "位置未登録" in page


def test_open_data_page_points_at_the_public_endpoint(api: Api) -> None:
    page = api.client.get("/opendata").text
    assert "/api/v1/open-data/counts?bin=60&format=csv" in page and "CC BY 4.0" in page
    labels = json.loads(page.split('id="od-labels">')[1].split("</script>")[0])
    assert labels["小型車"] == "小型車" and set(labels) == {"歩行者", "自転車", "二輪車", "小型車", "大型車"}
    en = api.client.get("/opendata?lang=en").text
    assert json.loads(en.split('id="od-labels">')[1].split("</script>")[0])["大型車"] == "Large vehicles"


@pytest.mark.parametrize("path", ["vendor/htmx/htmx.min.js", "vendor/uplot/uPlot.iife.min.js",
                                  "vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "roadcam.css"])
def test_static_assets_are_served_locally(api: Api, path: str) -> None:
    for prefix in ("/static/site/", "/console/static/"):
        r = api.client.get(prefix + path)
        assert r.status_code == 200 and len(r.content) > 1000, prefix + path


@pytest.mark.parametrize("path", ["../__init__.py", "..%2F__init__.py", "i18n/ja.json", "missing.js"])
def test_static_never_serves_files_outside_static(api: Api, path: str) -> None:
    assert api.client.get("/static/site/" + path).status_code == 404


def test_view_state_decisions() -> None:
    now = 1_000.0
    assert decide(None, None, None, now).reason == "no_video"
    assert decide(now - 60, None, None, now).reason == "stopped"
    assert decide(now - 2, None, None, now).live
    paused = json.dumps({"state": "paused", "reason": "model_missing"}).encode()
    assert decide(now - 2, paused, now - 1, now).reason == "model_missing"
    assert decide(now - 2, paused, now - 600, now).live  # a stale state file no longer decides
    assert decide(now - 2, b"{not json", now - 1, now).live
