"""The api SIGKILLed during a bus write (issue 16 item 3): legal-hold commands for the recorder.

The real path: a hold and its command are written in one database transaction (the outbox,
services/api/disclosure/holds.py) and the api answers 201 after the commit; `HoldSender` sends the
outbox and marks a command sent only after the broker acknowledged it. So a crash between commit and
send must lose nothing (the restarted api sends it), and one between send and mark sends it twice
(the recorder applies a command id once; its audit event id is deterministic).

The case: a manager places direct holds from several threads, and one thread places and at once
releases holds, while the api is SIGKILLed with requests in flight. After `roadcam up` restarts it:
- every acknowledged hold is listed and confirmed by the recorder, its stored segments under
  object-lock legal hold, its `hold_requested` audit entry written; every acknowledged release is gone;
- requests that got no answer are absent or whole: the recorder's holds (`_holds/` in the bucket) are
  exactly the api's active holds, each confirmed, and no command is left unsent in the outbox;
- nothing applied twice: one recorder `hold` audit entry per command id, the audit chain verifies;
- recording lost nothing, no service logged an error, only the api restarted.
Recovery (kill -> api ready, kill -> every hold confirmed) is printed, not asserted: the machine is shared.
"""
from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from tests.system.conftest import assert_nothing_lost, recovery
from tests.system.stack import RECORDINGS, SystemStack, wait_until
from tests.system.test_recording_faults import RECORDER_REREAD, RECOVERY_BAR_S, now_us, report

HOLDERS, PER_THREAD = 4, 10  # threads placing holds, requests each (bounded)
CHURN = 10  # place-then-release pairs of the churn thread
ACKED_BEFORE_KILL = 8  # the api dies once this many holds were answered 201
HOLD_SPAN_S = 20  # each hold covers this much footage (few segments: the recorder locks each)
SETTLE_S = 180  # generous: 2 shared cores


class Api:
    """The stack's REST api with the first manager's token (re-signed in after a 401)."""

    def __init__(self, stack: SystemStack) -> None:
        self.base = stack.state()["urls"]["api"].rstrip("/")  # `roadcam up` restarts it on the same port
        self.password = (stack.run_dir / "api-manager-password.txt").read_text().strip()
        self.token = ""

    def _sign_in(self) -> None:
        body = json.dumps({"username": "admin", "password": self.password}).encode()
        req = urllib.request.Request(self.base + "/api/v1/auth/token", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            self.token = json.loads(resp.read())["access_token"]

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """(status, parsed body); OSError when the api gave no answer (dead or refused)."""
        for attempt in (0, 1):
            if not self.token:
                self._sign_in()
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(self.base + path, data, method=method, headers={
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req, timeout=60) as resp:
                    raw = resp.read()
                    return resp.status, json.loads(raw) if raw else None
            except urllib.error.HTTPError as exc:
                if exc.code == 401 and attempt == 0:
                    self.token = ""
                    continue
                return exc.code, exc.read().decode(errors="replace")
        raise AssertionError("unreachable")

    def holds(self) -> list[dict]:
        status, rows = self.call("GET", "/api/v1/holds")
        assert status == 200, rows
        return rows["rows"] if isinstance(rows, dict) else rows

    def audit(self, action: str) -> list[dict]:
        status, rows = self.call("GET", f"/api/v1/audit?action={action}&limit=5000")
        assert status == 200, rows
        return rows


def iso(us: int) -> str:
    return dt.datetime.fromtimestamp(us / 1e6, dt.timezone.utc).isoformat()


class Load:
    """Hold requests from threads; what each got back (an answer or none)."""

    def __init__(self, api: Api, spans: dict[str, tuple[int, int]]) -> None:
        self.api, self.spans = api, spans
        self.lock = threading.Lock()
        self.placed: dict[str, int | str] = {}  # command id -> status; "" ids are not known
        self.released: dict[str, int | str] = {}  # command id -> release status or "no answer"
        self.unanswered = 0
        self.refused: list[tuple[int, object]] = []

    def acked(self) -> int:
        with self.lock:
            return sum(1 for s in self.placed.values() if s == 201)

    def place(self, camera: str, n: int) -> str | None:
        start, end = self.spans[camera]
        try:
            status, body = self.api.call("POST", "/api/v1/holds", {
                "camera": camera, "start": iso(start), "end": iso(end), "reason": f"api fault case {n}"})
        except (OSError, http.client.HTTPException):
            with self.lock:
                self.unanswered += 1
            return None
        with self.lock:
            if status == 201:
                self.placed[body["command_id"]] = status
            else:
                self.refused.append((status, body))
        return body["command_id"] if status == 201 else ""

    def holder(self, k: int) -> None:
        for i in range(PER_THREAD):
            if self.place(sorted(self.spans)[(k + i) % len(self.spans)], k * 100 + i) is None:
                return  # the api died: this thread's last request got no answer

    def churner(self) -> None:
        for i in range(CHURN):
            command_id = self.place(sorted(self.spans)[i % len(self.spans)], 1000 + i)
            if command_id is None:
                return
            if not command_id:
                continue
            try:
                status, _ = self.api.call("POST", f"/api/v1/holds/{command_id}/release", {"reason": "churn"})
            except (OSError, http.client.HTTPException):
                status = "no answer"
            with self.lock:
                self.released[command_id] = status
            if status == "no answer":
                return


def hold_spans(stack: SystemStack) -> dict[str, tuple[int, int]]:
    """Per camera, the first HOLD_SPAN_S seconds it recorded."""
    spans = {}
    for cam in stack.cameras:
        first = stack.recorded(cam["id"])[0][0]
        spans[cam["id"]] = (first, first + int(HOLD_SPAN_S * 1e6))
    return spans


def kill_under_load(stack: SystemStack, load: Load) -> tuple[int, float]:
    """Fire the requests, SIGKILL the api once ACKED_BEFORE_KILL holds were acknowledged."""
    threads = [threading.Thread(target=load.holder, args=(k,), daemon=True) for k in range(HOLDERS)]
    threads.append(threading.Thread(target=load.churner, daemon=True))
    for t in threads:
        t.start()
    wait_until(lambda: load.acked() >= ACKED_BEFORE_KILL, SETTLE_S, 0.01, "holds acknowledged before the kill")
    old = stack.kill("api")
    killed_at = time.monotonic()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a request thread hung"
    return old, killed_at


def recorder_holds(stack: SystemStack) -> set[str]:
    """Command ids of the holds the recorder has in storage (`_holds/{camera}/{command_id}.json`)."""
    return {re.sub(r"\.json$", "", key.rsplit("/", 1)[1]) for key in stack.objects(RECORDINGS, "_holds/")}


def converged(api: Api, stack: SystemStack) -> bool:
    """Every active hold confirmed, and the recorder holds exactly those."""
    holds = api.holds()
    return all(h["confirmed"] for h in holds) and {h["command_id"] for h in holds} == recorder_holds(stack)


def unsent_commands(stack: SystemStack) -> list[tuple]:
    """Rows of the api's outbox (its SQLite file, read-only) that were never sent."""
    db = sqlite3.connect(f"file:{stack.run_dir / 'api.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute("SELECT seq, command_id, release FROM disclosure_outbox WHERE sent_us = 0").fetchall()
    finally:
        db.close()


def held_segments(stack: SystemStack, camera: str, span: tuple[int, int]) -> dict[str, bool]:
    """Stored segments of a camera inside `span`: is each under object-lock legal hold?"""
    client, out = stack.s3(), {}
    for key in stack.objects(RECORDINGS, f"{camera}/"):
        found = re.search(r"(\d{16})-(\d{16})\.ts\.enc$", key)
        if found and span[0] <= int(found[1]) and int(found[2]) <= span[1]:
            out[key] = client.is_object_legal_hold_enabled(RECORDINGS, key)
    return out


def check_holds(api: Api, stack: SystemStack, load: Load) -> dict:
    holds = {h["command_id"]: h for h in api.holds()}
    acked_released = {c for c, s in load.released.items() if s == 204}
    acked = {c for c, s in load.placed.items() if s == 201} - acked_released
    assert acked <= holds.keys(), f"acknowledged holds lost: {sorted(acked - holds.keys())}"
    assert not acked_released & holds.keys(), f"acknowledged releases undone: {sorted(acked_released & holds.keys())}"
    assert not acked_released & recorder_holds(stack), "the recorder still holds what was released"
    assert all(holds[c]["confirmed"] and holds[c]["segments"] >= 0 for c in acked), [holds[c] for c in acked]
    assert unsent_commands(stack) == [], "commands left in the outbox"
    placed_by_recorder = Counter(e["details"].get("command_id") for e in api.audit("hold") if e["method"] == "recorder")
    twice = {c: n for c, n in placed_by_recorder.items() if n > 1}
    assert not twice, f"holds applied twice: {twice}"
    assert set(holds) <= set(placed_by_recorder), "an active hold the recorder never reported"
    requested = {e["details"].get("command_id") for e in api.audit("hold_requested")}
    assert acked <= requested, f"acknowledged holds without their audit entry: {sorted(acked - requested)}"
    status, chain = api.call("GET", "/api/v1/audit/verify")
    assert status == 200 and chain["ok"], chain
    return {"acked": sorted(acked), "active": len(holds), "acked_releases": len(acked_released),
            "unanswered": load.unanswered, "refused": load.refused[:5],
            "placed_without_answer": len(set(holds) - acked), "unaudited_unanswered": sorted(set(holds) - requested)}


def test_api_sigkilled_during_hold_writes(make_stack) -> None:
    stack = make_stack()
    api = Api(stack)
    wait_until(lambda: stack.ready("api")[0], SETTLE_S, 1, "api ready")
    load = Load(api, hold_spans(stack))
    old, killed_at = kill_under_load(stack, load)
    stack.wait_restarted("api", old, SETTLE_S)
    wait_until(lambda: stack.ready("api")[0], SETTLE_S, 0.2, "api ready after the kill")
    ready_s = time.monotonic() - killed_at
    report("api SIGKILL during hold writes: api ready", ready_s)
    wait_until(lambda: converged(api, stack), SETTLE_S, 0.5, "every hold confirmed, recorder in step")
    confirmed_s = time.monotonic() - killed_at
    report("api SIGKILL during hold writes: every hold confirmed", confirmed_s)
    summary = check_holds(api, stack, load)
    print(f"\napi SIGKILL holds: {summary} (bar {RECOVERY_BAR_S:.0f} s)")
    assert load.unanswered >= 1, "no request was in flight when the api died: the case did not run"
    for camera in {c.split("-", 1)[1].rsplit("-", 1)[0] for c in summary["acked"]}:
        held = held_segments(stack, camera, load.spans[camera])
        assert held and all(held.values()), f"{camera}: segments of an acknowledged hold not locked: {held}"
    seconds = recovery(stack, now_us())
    report("api SIGKILL during hold writes: stack whole", seconds)
    time.sleep(8)
    assert_nothing_lost(stack, "api SIGKILL during hold writes")
    assert {n: r for n, r in stack.restarts().items() if r} == {"api": 1}
    assert stack.log_errors(RECORDER_REREAD) == {}
