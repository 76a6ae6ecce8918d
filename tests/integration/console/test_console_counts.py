"""Console counts (T2) and camera pages (O1, R6) on real stored bins and health reports."""
from __future__ import annotations

import csv
import io

from services.api.auth.roles import Role
from services.api.store.counts import CountOut
from services.api.store.operations import HealthIn
from tests.integration.console.consolekit import sign_in
from tests.unit.api.apikit import Api

FIVE_MIN_US = 300_000_000


def _bins(api: Api) -> None:
    start = api.clock.now_us - 3 * FIVE_MIN_US
    api.parts.counts.upsert_bins([
        CountOut("bridge-1", "main", "pos", "car", "小型車", start, 300, 7, True),
        CountOut("bridge-1", "main", "neg", "truck", "大型車", start + FIVE_MIN_US, 300, 2, True),
        CountOut("bridge-2", "main", "pos", "car", "小型車", start, 300, 99, True),
    ])


def test_chart_data_and_csv_are_the_same_rows(api: Api) -> None:
    api.add_account("ana", Role.ANALYST)
    sign_in(api, "ana")
    _bins(api)
    body = api.client.get("/console/counts/data.json", params={"camera": "bridge-1", "bin": 5, "hours": 2}).json()
    got = sorted((r["direction_name"], r["census_class"], r["count"]) for r in body["rows"])
    assert got == [("上り", "小型車", 7), ("下り", "大型車", 2)]
    text = api.client.get("/console/counts/data.csv", params={"camera": "bridge-1", "bin": 5, "hours": 2}).text
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert sorted((r["direction_name"], r["census_class"], int(r["count"])) for r in rows) == got
    hourly = api.client.get("/console/counts/data.json", params={"camera": "bridge-1", "bin": 60}).json()
    assert sum(r["count"] for r in hourly["rows"]) == 9
    assert api.client.get("/console/counts/data.json", params={"bin": 7}).status_code == 422


def test_live_tallies_show_todays_crossings(api: Api) -> None:
    from services.api.store.counts import CrossingIn

    api.add_account("op", Role.OPERATOR)
    sign_in(api, "op")
    api.parts.counts.add_crossings([CrossingIn("bridge-1", "main", "pos", "car", "小型車", api.clock.now_us - 1000 * i)
                                    for i in range(1, 4)])
    fragment = api.client.get("/console/counts/live", params={"camera": "bridge-1"}).text
    assert "上り" in fragment and "小型車" in fragment and '<td class="num">3</td>' in fragment


def test_counts_page_offers_the_three_bins_and_a_csv_of_what_is_shown(api: Api) -> None:
    api.add_account("op", Role.OPERATOR)
    sign_in(api, "op")
    page = api.client.get("/console/counts", params={"camera": "bridge-2", "bin": 60}).text
    for minutes in (5, 15, 60):
        assert f'<option value="{minutes}"' in page
    assert 'href="/console/counts/data.csv?camera=bridge-2&bin=60&hours=24"' in page
    assert api.client.get("/console/counts", params={"camera": "station-1"}).status_code == 404


def test_cameras_list_shows_health_view_recording_and_alerts(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    sign_in(api, "boss")
    now = api.clock.now_us
    api.parts.operations.upsert_health([
        HealthIn("bridge-1", "ONLINE", 9.8, 1e6, now - 100_000, "", "NONE", 0, now - 1_000_000, "i", now - 9e8),
        HealthIn("bridge-2", "RECONNECTING", 0.0, 0, now - 60e6, "connection refused", "NETWORK", 3, now, "i", 0),
    ])
    page = api.client.get("/console/cameras").text
    row1 = page.split('id="row-bridge-1"')[1].split("</tr>")[0]
    row2 = page.split('id="row-bridge-2"')[1].split("</tr>")[0]
    row3 = page.split('id="row-station-1"')[1].split("</tr>")[0]
    assert "オンライン" in row1 and "9.8" in row1 and "録画中（7日保存）" in row1
    assert "オフライン" in row2 and "connection refused" in row2 and "接続異常" in row2 and "録画なし" in row2
    assert "状態報告なし" in row3
    assert "一時停止中" in row1  # no object storage here: paused, never a guessed "live"


def test_camera_page_offers_the_anonymized_view_only(api: Api) -> None:
    api.add_account("boss", Role.MANAGER)
    sign_in(api, "boss")
    page = api.client.get("/console/cameras/bridge-1").text
    assert page.count("<video") == 1 and 'data-src="/hls/bridge-1/index.m3u8"' in page
    assert "原映像をライブで視聴することはできません" in page


def test_counts_chart_data_marks_flagged_bins_and_the_page_shows_view_health(api: Api) -> None:
    from services.api.store.view_health import ViewHealthIn

    api.add_account("ana", Role.ANALYST)
    sign_in(api, "ana")
    start = api.clock.now_us - api.clock.now_us % FIVE_MIN_US - 2 * FIVE_MIN_US
    api.parts.counts.upsert_bins([
        CountOut("bridge-1", "main", "pos", "car", "小型車", start, 300, 4, True, "degraded", "frozen", "class_only"),
        CountOut("bridge-1", "main", "neg", "", "", start, 300, 0, True, "degraded", "frozen"),
        CountOut("bridge-1", "main", "pos", "car", "小型車", start + FIVE_MIN_US, 300, 6, True)])
    api.parts.view_health.upsert([ViewHealthIn("bridge-1", ("frozen",), start + 60_000_000, True)])
    body = api.client.get("/console/counts/data.json", params={"camera": "bridge-1", "bin": 5, "hours": 1}).json()
    assert [(r["count"], r["quality"], r["quality_reason"]) for r in body["rows"]] == [
        (0, "degraded", "frozen"), (4, "degraded", "frozen"), (6, "ok", "")]
    assert body["view_health"][0]["faults"] == ["frozen"]
    text = api.client.get("/console/counts/data.csv", params={"camera": "bridge-1", "bin": 5, "hours": 1}).text
    assert [r["quality"] for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))] == ["degraded", "degraded", "ok"]
    page = api.client.get("/console/counts", params={"camera": "bridge-1", "lang": "en"}).text
    shown = page.split('id="view-health"', 1)[1].split("</p>", 1)[0]
    assert 'data-state="faulty"' in shown and 'data-fault="frozen"' in shown and ">frozen<" in shown
    assert 'id="flagged-bins"' in page and '"unusable": "unusable' in page  # labels for the chart's list
