"""Recorder storage faults: the spill area full while S3 is away, a consumer-group rebalance while
S3 is away (a second recorder joins and leaves), and corrupt packets from a camera."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from roadcam.devstack.processes import free_port, port_open
from roadcam.devstack.stack import service_env
from tests.system.conftest import CLIPS, assert_nothing_lost, recovery
from tests.system.stack import camera_entry, wait_until

RECOVERY_BAR_S = 30.0


def now_us() -> int:
    return int(time.time() * 1e6)


def test_spill_area_full_while_s3_is_down(make_stack, tmp_path) -> None:
    spool = tmp_path / "spool"
    stack = make_stack(env={
        "ROADCAM_RECORDER_BUFFER_MAX_BYTES": str(1024 * 1024),  # the smallest memory buffer
        "ROADCAM_RECORDER_SPOOL_DIR": str(spool),
        "ROADCAM_RECORDER_SPOOL_MAX_BYTES": str(300_000),  # below one 4 s segment: full at once
    })
    stack.signal("s3", signal.SIGSTOP)
    try:
        time.sleep(35)  # shorter than the claim-check lifetime (60 s): a paused consumer loses nothing
        _, during = stack.ready("recorder")
    finally:
        stack.signal("s3", signal.SIGCONT)
    seconds = recovery(stack, now_us())
    print(f"\nRECOVERY spill area full: {seconds:.1f} s; recorder while S3 was away: {during}")
    assert during["spilled_bytes"] > 0 or during["buffered_bytes"] > 0  # the fault did reach the recorder
    time.sleep(8)
    assert_nothing_lost(stack, "spill full")
    wait_until(lambda: stack.ready("recorder")[1].get("spilled_bytes") == 0, 60, 1, "spill drained")
    assert not [p for p in spool.rglob("*") if p.is_file()]  # nothing left behind
    assert seconds <= RECOVERY_BAR_S


def test_rebalance_while_s3_is_down(make_stack) -> None:
    """A second recorder joins (a rebalance), then S3 hangs, then it leaves (a rebalance while S3
    is away: what it held but could not store must be re-read by the first, not committed)."""
    stack = make_stack()
    port = free_port()
    env, _ = service_env("recorder", stack.infra(), port)
    second = subprocess.Popen([sys.executable, "-m", "services.recorder"], env={**os.environ, **env},
                              stdout=open(stack.run_dir / "logs" / "recorder-2.log", "ab"), stderr=subprocess.STDOUT)
    try:
        # It refuses to start without S3, so it joins first; the rebalance happens on joining.
        wait_until(lambda: port_open(port), 90, 0.5, "second recorder up")
        time.sleep(10)
        stack.signal("s3", signal.SIGSTOP)
        time.sleep(15)
    finally:
        second.send_signal(signal.SIGTERM)  # leaves while S3 is away: partitions move back
        try:
            second.wait(60)
        finally:
            stack.signal("s3", signal.SIGCONT)
    seconds = recovery(stack, now_us())
    print(f"\nRECOVERY rebalance while S3 was down: {seconds:.1f} s (second recorder exit {second.returncode})")
    time.sleep(8)
    assert_nothing_lost(stack, "rebalance while S3 down")
    assert seconds <= RECOVERY_BAR_S


def test_corrupt_packets_from_a_camera(make_stack, rtsp_camera_factory, looped_clip, tmp_path) -> None:
    clip = looped_clip(CLIPS["bridge"][0], 40)
    corrupt = tmp_path / "corrupt.mp4"
    data = bytearray(clip.read_bytes())
    rng = random.Random(16)
    for _ in range(300):  # damage inside the video payload, keep the container readable
        at = rng.randrange(200_000, len(data) - 200_000)
        data[at: at + 32] = rng.randbytes(32)
    corrupt.write_bytes(bytes(data))
    server = rtsp_camera_factory({"corrupt": corrupt})
    stack = make_stack(camera_list=[camera_entry("corrupt", server.url("corrupt"), (1280, 720))])
    time.sleep(40)
    assert {n: r for n, r in stack.restarts().items() if r} == {}  # nothing crashed on bad data
    assert stack.all_ready(["ingest", "anonymizer", "counter", "recorder"])
    assert_nothing_lost(stack, "corrupt packets")
