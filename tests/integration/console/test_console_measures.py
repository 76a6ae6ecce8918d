"""Queue length and speed charts in the console (T3) from the measurements the api stored."""
from __future__ import annotations

from services.api.auth.roles import Role
from services.api.store.measures import QueueIn, SpeedIn
from tests.integration.console.consolekit import sign_in
from tests.unit.api.apikit import Api


def test_queue_and_speed_series_per_lane_and_line(api: Api) -> None:
    api.add_account("ana", Role.ANALYST)
    sign_in(api, "ana")
    now = api.clock.now_us
    api.parts.measures.add_queues([QueueIn("bridge-1", "lane-a", now - 120_000_000, 35.5, 6),
                                   QueueIn("bridge-1", "lane-a", now - 60_000_000, 12.0, 2),
                                   QueueIn("bridge-1", "lane-b", now - 60_000_000, 3.25, 1),
                                   QueueIn("bridge-2", "lane-a", now - 60_000_000, 99.0, 20)])
    api.parts.measures.upsert_speeds([SpeedIn("bridge-1", "main", "car", "小型車", now - 900_000_000, 900, 14, 41.5,
                                              52.0, True)])
    q = api.client.get("/console/counts/queues.json", params={"camera": "bridge-1"}).json()
    assert len(q["times"]) == 2 and q["series"]["lane-a"] == [35.5, 12.0] and q["series"]["lane-b"] == [None, 3.25]
    s = api.client.get("/console/counts/speeds.json", params={"camera": "bridge-1"}).json()
    assert s["series"] == {"main 小型車 p85": [52.0], "main 小型車 mean": [41.5]}
    page = api.client.get("/console/counts", params={"camera": "bridge-1"}).text
    assert 'id="queue-chart"' in page and 'id="speed-chart"' in page


def test_measures_follow_departments_and_roles(api: Api) -> None:
    api.add_account("parks", Role.OPERATOR, departments=("parks",))
    sign_in(api, "parks")
    assert api.client.get("/console/counts/queues.json", params={"camera": "bridge-1"}).status_code == 404
    api.client.cookies.clear()
    api.add_account("aud", Role.AUDITOR)
    sign_in(api, "aud")
    assert api.client.get("/console/counts/speeds.json", params={"camera": "bridge-1"}).status_code == 403
