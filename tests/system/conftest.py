"""Fixtures of the fault suite: two looping RTSP cameras and a `roadcam up` stack around them."""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.system.stack import PUBLIC, SystemStack, camera_entry, wait_until

CORE = ("ingest", "anonymizer", "counter", "recorder", "api")
# A 720p and a 352p camera, each looping long enough for one test (5+ minutes).
CLIPS = {"bridge": ("bridge_dense_5s.mp4", 70, (1280, 720)), "crosswalk": ("crosswalk_peds_bikes_13s.mp4", 26, (640, 352))}


# The fault suite runs whole stacks (about 3 minutes a case, ~40 minutes in all on 2 cores) and is not
# green yet (issue 16): it runs when asked for, never silently; the skip reason says how. The end-to-end
# test (issue 16 item 1) is no fault case: it runs in the normal suite, marked slow.
RUN_SYSTEM = os.environ.get("ROADCAM_SYSTEM_TESTS") == "1"
IN_NORMAL_SUITE = ("test_end_to_end.py",)


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/system/" in str(item.fspath):
            item.add_marker(pytest.mark.slow)
            if not RUN_SYSTEM and item.fspath.basename not in IN_NORMAL_SUITE:
                item.add_marker(pytest.mark.skip(reason="fault suite: run with ROADCAM_SYSTEM_TESTS=1 (issue 16)"))


@pytest.fixture
def cameras(rtsp_camera_factory, looped_clip):
    server = rtsp_camera_factory({name: looped_clip(clip, times) for name, (clip, times, _) in CLIPS.items()})
    return server, [camera_entry(name, server.url(name), size) for name, (_, _, size) in CLIPS.items()]


@pytest.fixture
def models(shared_data: Path) -> Path:
    return shared_data / "models"


@pytest.fixture
def make_stack(tmp_path: Path, cameras, models) -> Iterator:
    """make_stack(env={...}) -> a started stack of both cameras, every service recording and live."""
    stacks: list[SystemStack] = []

    def make(env: dict | None = None, camera_list: list[dict] | None = None, services: str = ",".join(CORE),
             wait_live: bool = True, models_dir: Path | None = None) -> SystemStack:
        stack = SystemStack(tmp_path / f"stack{len(stacks)}", camera_list or cameras[1], models_dir or models,
                            services, env or {})
        stacks.append(stack)
        stack.start()
        if wait_live:
            names = [s for s in services.split(",") if s != "api"]
            wait_until(lambda: stack.all_ready(names), 120, 1, "every service ready")
            for cam in stack.cameras:
                wait_until(lambda: stack.recorded(cam["id"]), 90, 1, f"first recording of {cam['id']}")
        return stack

    yield make
    for stack in stacks:
        stack.stop()


def recovery(stack: SystemStack, fault_end_us: int, timeout: float = 120) -> float:
    """Seconds from now until the stack is whole again after a fault that ended at `fault_end_us`:
    every service ready, every camera recorded past the fault and publishing new public segments."""
    started = time.monotonic()
    public_before = {cam["id"]: set(stack.objects(PUBLIC, f"hls/{cam['id']}/")) for cam in stack.cameras}
    wait_until(lambda: stack.all_ready([s for s in stack.services.split(",") if s != "api"]), timeout, 0.5,
               "every service ready")
    for cam in stack.cameras:
        cid = cam["id"]
        wait_until(lambda: any(e >= fault_end_us for _, e in stack.recorded(cid)), timeout, 0.5,
                   f"{cid} recording past the fault")
        wait_until(lambda: set(stack.objects(PUBLIC, f"hls/{cid}/")) - public_before[cid], timeout, 0.5,
                   f"{cid} public view publishing again")
    return time.monotonic() - started


def recorded_gaps(spans: list[tuple[int, int]], tolerance_us: int = 1_000_000) -> list[float]:
    """Seconds between consecutive stored segments that are not contiguous."""
    return [(b[0] - a[1]) / 1e6 for a, b in zip(spans, spans[1:]) if b[0] - a[1] > tolerance_us]


def assert_nothing_lost(stack: SystemStack, fault: str, allowance_s: float = 0.0) -> dict[str, dict]:
    """Every second ingest handed over is recorded: the only holes in the chain are the ones
    ingest counted as gaps, and `roadcam recordings verify` finds nothing missing or tampered.
    `allowance_s`: a known, reported loss beyond that (per camera), named by the calling case."""
    summary = {}
    for cam in stack.cameras:
        cid = cam["id"]
        spans = stack.recorded(cid)
        status, findings = stack.verify(cid, spans[0][0], spans[-1][1])
        gaps = recorded_gaps(spans)
        counted = float(stack.camera_health(cid).get("gap_seconds", 0))
        summary[cid] = {"segments": len(spans), "verify": status, "recorded_gaps_s": gaps, "ingest_gap_s": counted}
        assert status in ("OK", "GAPS"), f"{fault}: {cid} verify {status}: {findings}"
        # A counted hole may widen to the next keyframe (<= 1 s GOP here) on each side.
        summary[cid]["unexplained_s"] = round(max(0.0, sum(gaps) - counted - 2.0 * len(gaps)), 2)
        assert summary[cid]["unexplained_s"] <= allowance_s, f"{fault}: {cid} lost recording: {summary[cid]} {findings}"
    print(f"\n{fault}: {summary}")
    return summary
