"""Queue lengths and speeds (T3) from the bus, with the counts' filters and CSV."""
from __future__ import annotations

import csv
import io

from services.api.auth.roles import Role
from services.api.messages import decode
from tests.unit.api import busdata
from tests.unit.api.apikit import T0_US, Api

MIN_US = 60_000_000


def feed(api: Api, records) -> None:
    api.sink().store(decode(records))


def test_queue_lengths_are_stored_filtered_and_exported(api: Api) -> None:
    batch = [busdata.queue_length("bridge-1", T0_US - 10 * MIN_US + 250_000, 42.5, 6),
             busdata.queue_length("bridge-1", T0_US - 5 * MIN_US, 12.0, 2, lane="lane-2"),
             busdata.queue_length("station-1", T0_US - 5 * MIN_US, 80.0, 11)]
    feed(api, batch)
    feed(api, batch)  # a replay changes nothing
    headers = api.role_headers()[Role.ANALYST]
    body = api.client.get("/api/v1/queue-lengths", params={"camera": "bridge-1"}, headers=headers).json()
    assert [(r["lane_id"], r["length_m"], r["vehicles"]) for r in body["rows"]] == [("lane-1", 42.5, 6), ("lane-2", 12.0, 2)]
    assert body["rows"][0]["time"] == "2026-06-01T08:50:00+09:00"  # whole seconds only
    one = api.client.get("/api/v1/queue-lengths", params={"camera": "bridge-1", "lane": "lane-2"}, headers=headers)
    assert len(one.json()["rows"]) == 1
    r = api.client.get("/api/v1/queue-lengths", params={"format": "csv", "bom": "true"}, headers=headers)
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert r.content.startswith("\ufeff".encode()) and len(rows) == 3 and rows[0]["length_m"] == "42.5"


def test_speeds_keep_final_bins_and_respect_departments(api: Api) -> None:
    start = T0_US - 60 * MIN_US
    feed(api, [busdata.speed_bin("bridge-1", start, 48.0), busdata.speed_bin("bridge-1", start, 30.0, final=False),
               busdata.speed_bin("bridge-1", start, 61.0, cls="truck", seconds=300),
               busdata.speed_bin("station-1", start, 20.0)])
    api.add_account("roads-only", Role.ANALYST, departments=("roads",))
    headers = api.headers("roads-only")
    body = api.client.get("/api/v1/speeds", params={"bin": 15}, headers=headers).json()
    assert [(r["camera_id"], r["census_class"], r["mean_kmh"], r["p85_kmh"], r["final"]) for r in body["rows"]] == [
        ("bridge-1", "小型車", 48.0, 57.6, True)]  # the open copy did not overwrite the final bin
    trucks = api.client.get("/api/v1/speeds", params={"census_class": "大型車"}, headers=headers).json()["rows"]
    assert [(r["bin_minutes"], r["mean_kmh"]) for r in trucks] == [(5, 61.0)]
    assert api.client.get("/api/v1/speeds", params={"camera": "station-1"}, headers=headers).status_code == 404
    assert api.client.get("/api/v1/speeds", params={"bin": 7}, headers=headers).status_code == 422
    assert api.client.get("/api/v1/speeds").status_code == 401
