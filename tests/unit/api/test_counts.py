"""Counts (T2): bins re-aggregated to 5/15/60 minutes, filters, CSV with BOM, open data, live tallies."""
from __future__ import annotations

import csv
import io

from services.api.auth.roles import Role
from services.api.messages import decode
from roadcam.v1 import counting_pb2
from tests.unit.api import busdata
from tests.unit.api.apikit import T0_US, Api

MIN_US = 60_000_000
HOUR_US = 60 * MIN_US
DAY0 = T0_US - 9 * HOUR_US  # 2026-06-01 00:00 JST


def feed(api: Api, records) -> None:
    api.sink().store(decode(records))


def two_hours_of_bins(api: Api) -> None:
    """bridge-1: 24 five-minute bins from 00:00 JST, car count i+1 up, truck 1 down; last bin open."""
    recs = []
    for i in range(24):
        start = DAY0 + i * 5 * MIN_US
        recs.append(busdata.count_bin("bridge-1", start, i + 1, final=i < 23))
        recs.append(busdata.count_bin("bridge-1", start, 1, cls="truck", direction=counting_pb2.DIRECTION_NEG))
    recs.append(busdata.count_bin("bridge-2", DAY0, 7))
    feed(api, recs)


def get(api: Api, **params):
    headers = api.role_headers()[Role.ANALYST]
    return api.client.get("/api/v1/counts", params={"start": "2026-06-01T00:00:00", "end": "2026-06-01T02:00:00",
                                                    **params}, headers=headers)


def test_bins_are_summed_into_the_requested_size(api: Api) -> None:
    two_hours_of_bins(api)
    body = get(api, camera="bridge-1", bin=60, object_class="car").json()
    assert [(r["bin_start"], r["count"], r["final"]) for r in body["rows"]] == [
        ("2026-06-01T00:00:00+09:00", sum(range(1, 13)), True),
        ("2026-06-01T01:00:00+09:00", sum(range(13, 25)), False),  # holds the open bin
    ]
    rows15 = get(api, camera="bridge-1", bin=15, object_class="car").json()["rows"]
    assert [r["count"] for r in rows15] == [sum(range(1 + 3 * k, 4 + 3 * k)) for k in range(8)]
    rows5 = get(api, camera="bridge-1", bin=5, census_class="大型車").json()["rows"]
    assert len(rows5) == 24 and {r["direction_name"] for r in rows5} == {"下り"}


def test_filters_by_camera_line_and_direction(api: Api) -> None:
    two_hours_of_bins(api)
    rows = get(api, bin=60).json()["rows"]
    assert {r["camera_id"] for r in rows} == {"bridge-1", "bridge-2"}
    rows = get(api, bin=60, direction="neg").json()["rows"]
    assert {(r["object_class"], r["direction"]) for r in rows} == {("truck", "neg")}
    assert get(api, bin=60, line="other").json()["rows"] == []


def test_replaying_the_bins_changes_nothing(api: Api) -> None:
    two_hours_of_bins(api)
    before = get(api, bin=5).json()
    two_hours_of_bins(api)
    assert get(api, bin=5).json() == before


def test_a_late_open_copy_never_overwrites_a_final_bin(api: Api) -> None:
    feed(api, [busdata.count_bin("bridge-1", DAY0, 10, final=True)])
    feed(api, [busdata.count_bin("bridge-1", DAY0, 3, final=False)])
    rows = get(api, bin=5).json()["rows"]
    assert [(r["count"], r["final"]) for r in rows] == [(10, True)]


def test_csv_with_bom_for_excel(api: Api) -> None:
    two_hours_of_bins(api)
    r = get(api, camera="bridge-1", bin=60, format="csv", bom="true")
    assert r.headers["content-type"].startswith("text/csv") and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0]["direction_name"] in ("上り", "下り") and {row["census_class"] for row in rows} == {"小型車", "大型車"}
    plain = get(api, camera="bridge-1", bin=60, format="csv")
    assert plain.content.startswith(b"camera_id,")


def test_open_data_is_public_closed_bins_per_census_class(api: Api) -> None:
    two_hours_of_bins(api)
    feed(api, [busdata.count_bin("bridge-1", DAY0, 5, cls="bus", direction=counting_pb2.DIRECTION_NEG)])
    r = api.client.get("/api/v1/open-data/counts", params={
        "camera": "bridge-1", "bin": 60, "start": "2026-06-01T00:00:00", "end": "2026-06-01T02:00:00"})
    assert r.status_code == 200
    body = r.json()
    assert body["license"] == "CC BY 4.0"
    first = {(x["census_class"], x["direction"]): x["count"] for x in body["rows"] if x["bin_start"].endswith("00:00:00+09:00")}
    assert first == {("小型車", "pos"): sum(range(1, 13)), ("大型車", "neg"): 12 + 5}  # truck + bus summed
    second = [x for x in body["rows"] if x["bin_start"].startswith("2026-06-01T01") and x["census_class"] == "小型車"]
    assert second[0]["count"] == sum(range(13, 24))  # the open bin is left out


def test_bad_queries_get_a_clear_4xx(api: Api) -> None:
    assert get(api, bin=7).status_code == 422
    r = get(api, start="2026-06-02T00:00:00")
    assert r.status_code == 422 and "before" in r.json()["detail"]
    r = get(api, start="2024-01-01T00:00:00")
    assert r.status_code == 422 and "366 days" in r.json()["detail"]
    assert get(api, camera="nope").status_code == 404
    r = api.client.get("/api/v1/open-data/counts", params={"bin": 5})
    assert r.status_code == 422


def test_live_tallies_since_local_midnight(api: Api) -> None:
    cars = [busdata.crossing("bridge-1", DAY0 + i * MIN_US) for i in range(5)]
    feed(api, [busdata.crossing("bridge-1", DAY0 - MIN_US)] + cars  # and one yesterday
         + [busdata.crossing("bridge-1", DAY0 + 10 * MIN_US, cls="truck")])
    feed(api, cars)  # the same bus records again: a replay
    headers = api.role_headers()[Role.OPERATOR]
    body = api.client.get("/api/v1/counts/live", headers=headers).json()
    assert body["since"] == "2026-06-01T00:00:00+09:00"
    assert [(r["census_class"], r["direction_name"], r["count"]) for r in body["rows"]] == [("大型車", "下り", 1), ("小型車", "下り", 5)]


def crossings_left(api: Api) -> list[tuple[int, int]]:
    from sqlalchemy import select

    from services.api.db.tables import Crossing
    with api.parts.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(Crossing.time_us, Crossing.bus_offset).order_by(Crossing.id))]


def test_crossings_keep_no_trajectory(api: Api) -> None:
    """Whole seconds only, folded into the bin and deleted once it is final; the live tally holds."""
    same_second = [busdata.crossing("bridge-1", DAY0 + 123_456), busdata.crossing("bridge-1", DAY0 + 654_321)]
    later = busdata.crossing("bridge-1", DAY0 + 7 * MIN_US + 5)
    feed(api, same_second + [later])
    assert [t for t, _ in crossings_left(api)] == [DAY0, DAY0, DAY0 + 7 * MIN_US]  # two cars in one second both count
    headers = api.role_headers()[Role.OPERATOR]

    def live() -> list:
        return [(r["census_class"], r["count"]) for r in api.client.get("/api/v1/counts/live", headers=headers).json()["rows"]]

    assert live() == [("小型車", 3)]
    feed(api, [busdata.count_bin("bridge-1", DAY0, 2, direction=counting_pb2.DIRECTION_NEG, final=False)])
    assert len(crossings_left(api)) == 3 and live() == [("小型車", 3)]  # an open bin folds nothing
    feed(api, [busdata.count_bin("bridge-1", DAY0, 2, direction=counting_pb2.DIRECTION_NEG, final=True)])
    assert [t for t, _ in crossings_left(api)] == [DAY0 + 7 * MIN_US] and live() == [("小型車", 3)]
    feed(api, same_second)  # a replay after the fold is folded at once
    assert len(crossings_left(api)) == 1 and live() == [("小型車", 3)]


def test_settled_answers_are_kept_until_a_write_touches_them(api: Api) -> None:
    from sqlalchemy import update

    from services.api.db.tables import CountBinRow

    feed(api, [busdata.count_bin("bridge-1", DAY0 + i * 5 * MIN_US, 3) for i in range(12)]
         + [busdata.count_bin("bridge-2", DAY0, 4, final=False)])
    api.clock.now_us = DAY0 + 3 * HOUR_US  # the first hour ended two hours ago: settled
    headers = api.role_headers()[Role.ANALYST]
    params = {"camera": "bridge-1", "bin": 60, "start": "2026-06-01T00:00:00", "end": "2026-06-01T01:00:00"}

    def total(p: dict = params) -> int:
        return sum(r["count"] for r in api.client.get("/api/v1/counts", params=p, headers=headers).json()["rows"])

    assert total() == 36
    with api.parts.engine.begin() as conn:  # behind the api's back: the kept answer is served
        conn.execute(update(CountBinRow).values(count=0))
    assert total() == 36
    feed(api, [busdata.count_bin("bridge-1", DAY0 + 55 * MIN_US, 5)])  # a correction through the bus
    assert total() == 5
    open_range = {**params, "camera": "bridge-2"}
    assert total(open_range) == 0  # open bins are never kept: the next write shows at once
    feed(api, [busdata.count_bin("bridge-2", DAY0, 9, final=False)])
    assert total(open_range) == 9
