"""Recording survives infrastructure faults: broker, Redis, S3, a recorder crash mid-segment.

Each case: a whole stack with two RTSP cameras, one fault, then (1) recovery time printed,
(2) nothing lost: every second ingest handed over is in the encrypted chain, verify clean,
(3) nothing leaks: no buffered bytes or spill left, no errors beyond the fault's own.
"""
from __future__ import annotations

import signal
import time

import pytest

from tests.system.conftest import assert_nothing_lost, recovery

RECOVERY_BAR_S = 30.0  # the bar, used only as a generous deadline
SEGMENT_S = 4.0  # recording segment length of the system cameras
# After a restart or rebalance the recorder re-reads from its last commit and logs "footage lost"
# for re-read messages whose claim-check expired, although that footage is already stored (verify
# finds no gap): a misleading message, reported separately; the chain check is what counts here.
RECORDER_REREAD = ("expired or missing in the blob store",)
BUS_NOISE = ("aiokafka", "Unable connect to node", "Unable to update metadata", "NodeNotReadyError",
             "KafkaConnectionError", "Failed fetch messages", "Heartbeat", "coordinator", "not handed to the bus",
             "Group Coordinator", "dependency kafka")


def now_us() -> int:
    return int(time.time() * 1e6)


def report(name: str, seconds: float) -> None:
    print(f"\nRECOVERY {name}: {seconds:.1f} s")


def test_broker_killed_and_restarted(make_stack) -> None:
    stack = make_stack()
    time.sleep(6)
    old = stack.kill("kafka")
    stack.wait_restarted("kafka", old)
    fault_end = now_us()
    seconds = recovery(stack, fault_end)
    report("broker killed and restarted", seconds)
    time.sleep(8)  # a couple of segments after recovery, so the chain is checked across the fault
    # Known, reported: the in-memory broker forgets messages it had acknowledged; ingest counts
    # those seconds as gaps (the strict test below requires nothing beyond them).
    assert_nothing_lost(stack, "broker restart", allowance_s=SEGMENT_S + 2)
    assert seconds <= RECOVERY_BAR_S
    assert {n: r for n, r in stack.restarts().items() if r} == {"kafka": 1}  # no service crashed
    assert stack.log_errors(BUS_NOISE + RECORDER_REREAD) == {}


def test_broker_restart_loses_nothing_beyond_counted_gaps(make_stack) -> None:
    stack = make_stack()
    time.sleep(6)
    old = stack.kill("kafka")
    stack.wait_restarted("kafka", old)
    recovery(stack, now_us())
    time.sleep(8)
    assert_nothing_lost(stack, "broker restart (strict)")


def test_recorder_sigkilled_mid_segment(make_stack) -> None:
    stack = make_stack()
    time.sleep(6)  # 4 s segments: a segment is in progress now
    old = stack.kill("recorder")
    stack.wait_restarted("recorder", old)
    fault_end = now_us()
    seconds = recovery(stack, fault_end)
    report("recorder SIGKILL mid-segment", seconds)
    time.sleep(8)
    assert_nothing_lost(stack, "recorder SIGKILL")
    assert seconds <= RECOVERY_BAR_S
    assert stack.log_errors(RECORDER_REREAD) == {}


def test_s3_down_for_60_seconds(make_stack) -> None:
    stack = make_stack()
    time.sleep(4)
    stack.signal("s3", signal.SIGSTOP)  # hangs like an unreachable S3; keeps what it stored
    try:
        time.sleep(60)
    finally:
        stack.signal("s3", signal.SIGCONT)
    fault_end = now_us()
    seconds = recovery(stack, fault_end)
    report("S3 down 60 s", seconds)
    time.sleep(8)
    assert_nothing_lost(stack, "S3 down 60 s")
    buffered = [stack.ready("recorder")[1]]
    assert seconds <= RECOVERY_BAR_S, buffered
    assert stack.log_errors(("S3", "upload", "timed out", "Timeout", "dependency s3") + RECORDER_REREAD) == {}


def test_redis_killed_and_restarted(make_stack) -> None:
    stack = make_stack()
    time.sleep(6)
    old = stack.kill("redis")
    stack.wait_restarted("redis", old)
    fault_end = now_us()
    seconds = recovery(stack, fault_end)
    report("Redis killed and restarted", seconds)
    time.sleep(8)
    assert_nothing_lost(stack, "Redis restart")
    assert seconds <= RECOVERY_BAR_S
