"""Issue 16, item 1: the whole system end to end on a real local stack. `roadcam up` with two looping RTSP
cameras (tests/system/conftest.py), then what the public, the operators and a recipient of footage get:
both public HLS views play in headless Chromium; counts reach the api and the console; encrypted segments
land in S3 and `roadcam recordings verify` passes; a provision request registered by one manager and
approved by another is exported, and the downloaded clip decodes and its signed manifest verifies offline.
The issue asks for all of it within 60 s of `roadcam up`: the seconds to each milestone are measured and
printed, never asserted (the machine is shared, 2 cores); the waits are generous."""
from __future__ import annotations

import copy
import io
import json
import re
import secrets
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import av
import httpx
import pytest

from tests.integration.anonymizer.test_public_page_browser import ADVANCE_S, play_in_chromium
from tests.integration.console.test_console_stack_browser import StackApi
from tests.integration.console.test_site_browser import chromium_ready  # noqa: F401 (fixture)
from tests.integration.disclosure.test_footage_flow import verify_export
from tests.system.stack import RECORDINGS, SystemStack, wait_until
from tests.unit.disclosure.kit import police_request

pytestmark = pytest.mark.slow
# As in the console stack test: the anonymizer's overload limits (1 s a frame, 4 s behind) fail closed on
# a shared 2-core machine and would hold the public view paused; generous limits, as in its own tests.
TOLERANT = {"ROADCAM_ANONYMIZER_DETECTION__FRAME_TIMEOUT_S": "10", "ROADCAM_ANONYMIZER_HLS__MAX_LAG_S": "30",
            "ROADCAM_ANONYMIZER_HLS__SLATE_AFTER_S": "10"}
# The crosswalk camera counts on its ground-truth line (people on the zebra crossing, x = 440 of 640);
# the bridge camera on conftest's line across the traffic.
CROSSING = {"id": "crossing", "start": [440, 175], "end": [440, 350], "pos_name": "left", "neg_name": "right"}
APPROVER = "e2e-approver"
WAIT_S = 300  # for each milestone: the 60 s is reported, not asserted
WITHIN_S = 60


def counting_cameras(entries: list[dict]) -> list[dict]:
    cams = copy.deepcopy(entries)
    for cam in cams:
        if cam["id"] == "crosswalk":
            cam["counting_lines"] = [CROSSING]
    return cams


class Milestones(threading.Thread):
    """Seconds from `roadcam up` to the first time each thing is there (polled every 0.5 s): a segment in a
    camera's public playlist, a stored recording, a live tally and a count bin in the api."""

    def __init__(self, stack: SystemStack, api: StackApi, launched: float) -> None:
        super().__init__(daemon=True)
        self.stack, self.api, self.launched = stack, api, launched
        self.at: dict[str, float] = {}
        self.last_error = ""
        self.stopped = threading.Event()

    def mark(self, name: str, at: float | None = None) -> float:
        return self.at.setdefault(name, round((at or time.monotonic()) - self.launched, 1))

    def checks(self, cid: str) -> dict:
        return {f"public segment {cid}": lambda: b".ts" in (self.api.public(f"/hls/{cid}/index.m3u8") or b""),
                f"recorded {cid}": lambda: self.stack.recorded(cid),
                f"api live count {cid}": lambda: self.api.rows(f"/api/v1/counts/live?camera={cid}"),
                f"api count bin {cid}": lambda: self.api.rows(f"/api/v1/counts?camera={cid}&bin=5")}

    def run(self) -> None:
        checks = {name: seen for cam in self.stack.cameras for name, seen in self.checks(cam["id"]).items()}
        while not self.stopped.wait(0.5):
            for name, seen in checks.items():
                try:
                    if name not in self.at and seen():
                        self.mark(name)
                except Exception as exc:  # noqa: BLE001 - the api or S3 still starting: look again
                    self.last_error = f"{name}: {type(exc).__name__}: {exc}"

    def wait(self, name: str, timeout: float = WAIT_S) -> float:
        try:
            return wait_until(lambda: self.at.get(name), timeout, 0.5, name)
        except AssertionError as exc:
            raise AssertionError(f"{exc} (last poll error: {self.last_error or 'none'})") from None


def first_verified(stack: SystemStack, cid: str, watch: Milestones) -> None:
    """The first stored segment is ciphertext (not MPEG-TS) and `roadcam recordings verify` passes on it."""
    watch.wait(f"recorded {cid}")
    key = next(k for k in stack.objects(RECORDINGS, f"{cid}/") if k.endswith(".ts.enc"))
    response = stack.s3().get_object(RECORDINGS, key)
    try:
        stored = response.read()
    finally:
        response.close()
        response.release_conn()
    assert len(stored) > 188 * 4 and any(stored[i] != 0x47 for i in range(0, 188 * 4, 188)), f"{key} is plain MPEG-TS"
    start, end = stack.recorded(cid)[0]
    status, findings = stack.verify(cid, start, end)
    assert status == "OK", f"{cid}: roadcam recordings verify {status}: {findings}"
    watch.mark(f"first segment verified {cid}")


def play_public_views(api: StackApi, ids: list[str], tmp_path: Path, watch: Milestones) -> None:
    """Each camera's public page in headless Chromium (both at once): the player starts, plays ADVANCE_S
    seconds of media and shows the anonymized scene, not only the paused slate."""
    def play(cid: str) -> dict:
        watch.wait(f"public segment {cid}")
        where = tmp_path / f"chromium-{cid}"
        where.mkdir()
        opened = time.monotonic()
        result, _ = play_in_chromium(f"{api.base}/cameras/{cid}", where)
        if "startedAfterS" in result:
            watch.mark(f"playing in chromium {cid}", opened + result["startedAfterS"])
        return result

    with ThreadPoolExecutor(len(ids)) as pool:
        results = dict(zip(ids, pool.map(play, ids)))
    for cid, result in results.items():
        print(f"\n{cid} in chromium: {({k: v for k, v in result.items() if k not in ('notice', 'console')})}")
        assert "failure" not in result and "stderr" not in result, (cid, result)
        assert result["advanced"] >= ADVANCE_S and not result["paused"] and result["error"] is None, (cid, result)
        assert result["scenes"] > 0, f"{cid}: the player showed only the paused slate: {result}"


def console_tallies(api: StackApi, lines: dict[str, str], watch: Milestones) -> None:
    """The console's live tallies (the fragment its counts page loads every 5 s), as the first manager."""
    with httpx.Client(base_url=api.base, timeout=60) as console:
        page = console.get("/console/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and csrf, page.text[:500]
        signed_in = console.post("/console/login", data={"username": "admin", "password": api.password,
                                                         "csrf": csrf[1], "next": "/console"})
        assert signed_in.status_code == 303, signed_in.text[:500]
        for cid, line in lines.items():
            tallies = lambda cid=cid: console.get(f"/console/counts/live?camera={cid}").text  # noqa: E731
            wait_until(lambda: f"<td>{line}</td>" in tallies(), WAIT_S, 1, f"{cid} line {line} in the console")
            watch.mark(f"console count {cid}")


def call(api: StackApi, method: str, path: str, headers: dict, body: dict | None = None) -> httpx.Response:
    return httpx.request(method, api.base + path, json=body, headers=headers, timeout=300)


def second_manager(api: StackApi, admin: dict) -> dict:
    """A second manager, created through the api by the first; its bearer header."""
    password = secrets.token_urlsafe(18)
    made = call(api, "POST", "/api/v1/accounts", admin,
                {"username": APPROVER, "password": password, "role": "manager", "departments": ["*"]})
    assert made.status_code == 201, made.text
    token = call(api, "POST", "/api/v1/auth/token", {}, {"username": APPROVER, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def approved_request(api: StackApi, ids: list[str], start_us: int, end_us: int, watch: Milestones) -> dict:
    """Registered by the first manager (the recorder confirms its preservation holds over the bus),
    refused to its registrant's own decision, approved by the second manager."""
    admin = {"Authorization": f"Bearer {api.bearer()}"}
    iso = lambda us: datetime.fromtimestamp(us / 1e6, timezone.utc).isoformat()  # noqa: E731
    created = call(api, "POST", "/api/v1/requests", admin, police_request(cameras=ids, start=iso(start_us),
                                                                          end=iso(end_us)))
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    watch.mark("provision request registered")
    holds = lambda: call(api, "GET", f"/api/v1/requests/{rid}", admin).json()["holds"]  # noqa: E731
    wait_until(lambda: (h := holds()) and all(x["confirmed"] for x in h), WAIT_S, 1, "holds confirmed by the recorder")
    watch.mark("holds confirmed")
    decision = {"approve": True, "reason": "照会書確認"}
    own = call(api, "POST", f"/api/v1/requests/{rid}/decision", admin, decision)
    assert own.status_code == 403, f"the registrant decided their own request: {own.text}"
    approved = call(api, "POST", f"/api/v1/requests/{rid}/decision", second_manager(api, admin), decision)
    assert approved.status_code == 200 and approved.json()["state"] == "approved", approved.text
    return approved.json() | {"admin": admin}


def decoded(clip: Path) -> tuple[int, float]:
    """Frames PyAV decodes from the clip and the seconds they span."""
    with av.open(str(clip)) as container:
        times = [f.time for f in container.decode(video=0) if f.time is not None]
    return len(times), (max(times) - min(times)) if times else 0.0


def check_package(stack: SystemStack, request: dict, link: dict, folder: Path, span: tuple[int, int]) -> dict:
    """One downloaded package: the manifest verifies offline, names the stored segments of the range,
    and the clip plays (decodes across most of the range)."""
    got = httpx.get(stack.state()["urls"]["api"].rstrip("/") + link["download_url"], timeout=300)
    assert got.status_code == 200, got.text[:500]
    with zipfile.ZipFile(io.BytesIO(got.content)) as package:
        package.extractall(folder)
    clip, manifest = next(folder.glob("*.mp4")), next(folder.glob("*.manifest.json"))
    code, said = verify_export(clip, manifest)
    assert code == 0 and said.startswith("OK"), said
    doc, cid = json.loads(manifest.read_text()), link["camera_id"]
    assert (doc["request_id"], doc["camera_id"], doc["approved_by"], doc["exported_by"]) == \
        (request["id"], cid, [APPROVER], "admin"), doc
    listed, recorded = {(s["start_us"], s["end_us"]) for s in doc["segments"]}, set(stack.recorded(cid))
    inside = {s for s in recorded if span[0] <= s[0] and s[1] <= span[1]}
    assert listed and listed <= recorded and inside <= listed, (cid, sorted(listed), sorted(recorded), span)
    frames, seconds = decoded(clip)
    assert frames > 0 and seconds >= 0.5 * (span[1] - span[0]) / 1e6, (cid, frames, seconds)
    return {"segments": len(listed), "frames": frames, "seconds": round(seconds, 1), "verify": said.split(",")[0]}


def disclosure_round_trip(stack: SystemStack, api: StackApi, ids: list[str], tmp_path: Path,
                          watch: Milestones) -> dict:
    """Provision request -> approval -> export of 8 recorded seconds of both cameras -> download -> checks."""
    start = max(stack.recorded(cid)[0][0] for cid in ids) + 1
    span = (start, start + 8_000_000)
    wait_until(lambda: all(any(e > span[1] for _, e in stack.recorded(cid)) for cid in ids), WAIT_S, 1,
               "8 s recorded on every camera")
    request = approved_request(api, ids, *span, watch)
    made = call(api, "POST", f"/api/v1/requests/{request['id']}/exports", request["admin"])
    assert made.status_code == 201, made.text
    links = made.json()
    assert sorted(link["camera_id"] for link in links) == sorted(ids), links
    checked = {link["camera_id"]: check_package(stack, request, link, tmp_path / f"export-{link['camera_id']}", span)
               for link in links}
    watch.mark("export done")
    return checked


def report(at: dict[str, float]) -> None:
    print("\nend to end, seconds after `roadcam up` was launched (the test's later steps wait for its earlier ones):")
    for name, seconds in sorted(at.items(), key=lambda kv: kv[1]):
        print(f"  {seconds:7.1f}  {name}{'' if seconds <= WITHIN_S else f'   (beyond {WITHIN_S} s)'}")


def test_end_to_end(chromium_ready, make_stack, cameras, tmp_path: Path) -> None:  # noqa: F811 (fixture)
    launched = time.monotonic()
    stack = make_stack(env=TOLERANT, camera_list=counting_cameras(cameras[1]), wait_live=False)
    api = StackApi(stack)
    watch = Milestones(stack, api, launched)
    watch.mark("roadcam up ready (every service listening)")
    watch.start()
    ids = [cam["id"] for cam in stack.cameras]
    lines = {cam["id"]: cam["counting_lines"][0]["id"] for cam in stack.cameras}
    try:
        for cid in ids:
            first_verified(stack, cid, watch)
        play_public_views(api, ids, tmp_path, watch)
        for cid in ids:
            watch.wait(f"api live count {cid}")
            rows = api.rows(f"/api/v1/counts/live?camera={cid}")
            assert any(r["line_id"] == lines[cid] and r["count"] > 0 for r in rows), (cid, rows)
            watch.wait(f"api count bin {cid}")
        console_tallies(api, lines, watch)
        exported = disclosure_round_trip(stack, api, ids, tmp_path, watch)
        print(f"\nexports: {exported}")
        for cid in ids:
            spans = stack.recorded(cid)
            status, findings = stack.verify(cid, spans[0][0], spans[-1][1])
            print(f"{cid}: {len(spans)} segments, roadcam recordings verify {status}")
            assert status == "OK", f"{cid}: roadcam recordings verify {status}: {findings}"
        watch.mark("all recordings verified")
    finally:
        watch.stopped.set()
        watch.join(10)
        report(watch.at)
