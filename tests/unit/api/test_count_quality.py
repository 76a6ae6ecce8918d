"""Count quality and view health (issues 10, 14): the counter's flags kept per bin and shown in the
counts JSON/CSV; each camera's view health (faults, since when) from its reports."""
from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from services.api import messages
from services.api.auth.roles import Role
from services.api.messages import decode
from services.api.count_rows import view_health_dicts
from services.api.store.view_health import ViewHealth, ViewHealthIn, fold
from roadcam.v1 import counting_pb2
from tests.unit.api import busdata
from tests.unit.api.apikit import T0_US, Api

MIN_US = 60_000_000
HOUR_US = 60 * MIN_US
DAY0 = T0_US - 9 * HOUR_US  # 2026-06-01 00:00 JST
NEG = counting_pb2.DIRECTION_NEG


def feed(api: Api, records) -> None:
    api.sink().store(decode(records))


def get(api: Api, **params):
    headers = api.role_headers()[Role.ANALYST]
    return api.client.get("/api/v1/counts", params={"start": "2026-06-01T00:00:00", "end": "2026-06-01T01:00:00",
                                                    "camera": "bridge-1", **params}, headers=headers)


def test_bus_bins_keep_quality_reason_and_size_basis() -> None:
    raw = busdata.count_bin("bridge-1", DAY0, 4, quality="degraded", reason="dark,frozen", size_basis="image_size")
    b = messages.count_bin(raw.value)
    assert (b.quality, b.quality_reason, b.size_basis) == ("degraded", "dark,frozen", "image_size")
    assert messages.count_bin(busdata.count_bin("bridge-1", DAY0, 4).value).quality == "ok"  # an older counter
    # A flag this api does not know is never read as trustworthy.
    assert messages.count_bin(busdata.count_bin("bridge-1", DAY0, 4, quality="suspect").value).quality == "degraded"


def test_view_health_reports_decode_and_fold() -> None:
    v = messages.view_health(busdata.view_health("bridge-1", T0_US, "frozen", "dark", "frozen").value)
    assert v == ViewHealthIn("bridge-1", ("dark", "frozen"), T0_US, True)
    folded = fold([ViewHealthIn("c", ("frozen",), 30, True), ViewHealthIn("c", (), 10, False),
                   ViewHealthIn("c", ("frozen",), 20, True)])
    assert (folded["c"].faults, folded["c"].since_us, folded["c"].reported_us) == (("frozen",), 20, 30)


def test_view_health_as_the_answers_show_it() -> None:
    tz = ZoneInfo("Asia/Tokyo")
    known = {"a": ViewHealth("a", (), T0_US, T0_US + 1, False), "b": ViewHealth("b", ("covered",), T0_US, T0_US, True)}
    shown = view_health_dicts(["b", "a", "c"], known, tz)
    assert [(v["camera_id"], v["state"], v["faults"], v["reference_learned"]) for v in shown] == [
        ("b", "faulty", ["covered"], True), ("a", "ok", [], False), ("c", "unknown", [], False)]
    assert shown[0]["since"] == "2026-06-01T09:00:00+09:00" and shown[2]["since"] is None


def test_flagged_bins_are_in_the_json_and_csv(api: Api) -> None:
    feed(api, [busdata.count_bin("bridge-1", DAY0, 3, quality="degraded", reason="frozen", size_basis="image_size"),
               busdata.count_bin("bridge-1", DAY0, 0, cls="", direction=NEG, quality="degraded", reason="frozen"),
               busdata.count_bin("bridge-1", DAY0 + 5 * MIN_US, 6)])
    rows = get(api, bin=5).json()["rows"]
    assert [(r["bin_start"][11:16], r["direction"], r["object_class"], r["count"], r["quality"], r["quality_reason"],
             r["size_basis"]) for r in rows] == [
        ("00:00", "neg", "", 0, "degraded", "frozen", ""),  # not seen: never an empty road
        ("00:00", "pos", "car", 3, "degraded", "frozen", "image_size"),
        ("00:05", "pos", "car", 6, "ok", "", "")]
    text = get(api, bin=5, format="csv").content.decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0].endswith(",final,quality,quality_reason,size_basis")
    assert [(r["quality"], r["quality_reason"]) for r in table] == [("degraded", "frozen")] * 2 + [("ok", "")]


def test_summed_bins_take_the_worst_quality_and_every_reason(api: Api) -> None:
    feed(api, [busdata.count_bin("bridge-1", DAY0, 2, quality="degraded", reason="frozen"),
               busdata.count_bin("bridge-1", DAY0 + 5 * MIN_US, 1, quality="unusable", reason="covered,frozen"),
               busdata.count_bin("bridge-1", DAY0 + 10 * MIN_US, 5)])
    (row,) = get(api, bin=15).json()["rows"]
    assert (row["count"], row["quality"], row["quality_reason"]) == (8, "unusable", "covered,frozen")
    opened = api.client.get("/api/v1/open-data/counts", params={
        "camera": "bridge-1", "bin": 60, "start": "2026-06-01T00:00:00", "end": "2026-06-01T01:00:00"}).json()
    assert [(r["census_class"], r["quality"], r["quality_reason"]) for r in opened["rows"]] == [
        ("小型車", "unusable", "covered,frozen")]


def test_a_final_count_replaces_the_not_seen_row_of_its_line_and_direction(api: Api) -> None:
    feed(api, [busdata.count_bin("bridge-1", DAY0, 0, cls="", final=False, quality="degraded", reason="dark")])
    assert [r["object_class"] for r in get(api, bin=5).json()["rows"]] == [""]
    feed(api, [busdata.count_bin("bridge-1", DAY0, 4, quality="degraded", reason="dark")])
    rows = get(api, bin=5).json()["rows"]
    assert [(r["object_class"], r["count"], r["final"]) for r in rows] == [("car", 4, True)]


def test_counts_carry_each_cameras_view_health_now(api: Api) -> None:
    feed(api, [busdata.count_bin("bridge-1", DAY0, 3)])
    assert get(api, bin=5).json()["view_health"] == [{
        "camera_id": "bridge-1", "state": "unknown", "faults": [], "since": None, "reported_at": None,
        "reference_learned": False}]
    assert len(api.parts.settled_counts) == 1  # the hour asked for ended long ago: its answer is kept
    feed(api, [busdata.view_health("bridge-1", DAY0 + 2 * HOUR_US, "frozen"),
               busdata.view_health("bridge-1", DAY0 + 2 * HOUR_US + MIN_US, "frozen")])
    (health,) = get(api, bin=5).json()["view_health"]  # the kept rows, today's view health
    assert (health["state"], health["faults"], health["since"]) == ("faulty", ["frozen"], "2026-06-01T02:00:00+09:00")
    assert health["reported_at"] == "2026-06-01T02:01:00+09:00"
    assert "view_health" not in get(api, bin=5, format="csv").text


def test_a_replayed_older_report_never_wins_and_the_same_faults_keep_their_start(api: Api) -> None:
    first, later = busdata.view_health("bridge-2", T0_US, "covered"), busdata.view_health("bridge-2", T0_US + MIN_US)
    feed(api, [first, later])
    feed(api, [first])  # replay
    assert api.parts.view_health.current()["bridge-2"].faults == ()
    feed(api, [busdata.view_health("bridge-2", T0_US + 2 * MIN_US, "moved")])
    feed(api, [busdata.view_health("bridge-2", T0_US + 3 * MIN_US, "moved")])
    v = api.parts.view_health.current()["bridge-2"]
    assert (v.faults, v.since_us, v.reported_us) == (("moved",), T0_US + 2 * MIN_US, T0_US + 3 * MIN_US)
    cams = api.client.get("/api/v1/cameras", headers=api.role_headers()[Role.MANAGER]).json()
    shown = {c["id"]: c["view_health"] for c in cams}
    assert shown["bridge-2"]["faults"] == ["moved"] and shown["station-1"] is None  # station-1 counts nothing
    alerts = api.client.get("/api/v1/alerts", headers=api.role_headers()[Role.MANAGER]).json()
    moved = [a for a in alerts if a["kind"].startswith("view_")]
    assert [(a["camera_id"], a["kind"], a["since"]) for a in moved] == [("bridge-2", "view_moved", "2026-06-01T09:02:00+09:00")]
    metrics = api.client.get("/metrics", headers=api.role_headers()[Role.MANAGER]).text
    assert 'roadcam_api_camera_alert{camera="bridge-2",kind="view_moved"} 1.0' in metrics


from tests.unit.api.apikit import api_fixture  # noqa: F401  (the `api` fixture)
