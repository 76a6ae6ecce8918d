"""`roadcam up` restarts dead processes with backoff and reports a crash loop (real child processes)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from roadcam.devstack.processes import spawn
from roadcam.devstack.supervisor import INITIAL_DELAY_S, LOOP_RESTARTS, Supervisor


def _tick_until(supervisor: Supervisor, condition, timeout: float = 20.0) -> list[str]:
    said, deadline = [], time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        said += supervisor.tick(time.monotonic())
        time.sleep(0.05)
    assert condition(), said
    return said


def test_a_killed_process_is_restarted_after_backoff(tmp_path: Path) -> None:
    child = spawn("sleeper", [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path)
    supervisor = Supervisor([child])
    first_pid = child.pid
    try:
        child.process.kill()
        child.process.wait()
        noticed = time.monotonic()
        said = _tick_until(supervisor, lambda: child.alive() and child.pid != first_pid)
        assert time.monotonic() - noticed >= INITIAL_DELAY_S * 0.9  # backoff, not a tight loop
        assert "sleeper exited" in said[0] and supervisor.state()["sleeper"]["restarts"] == 1
        assert not supervisor.state()["sleeper"]["crash_loop"]
    finally:
        child.stop()


def test_a_process_that_keeps_dying_is_reported_as_a_crash_loop(tmp_path: Path) -> None:
    child = spawn("crasher", [sys.executable, "-c", "raise SystemExit(3)"], tmp_path)
    supervisor = Supervisor([child])
    clock = [time.monotonic()]
    said: list[str] = []
    for _ in range(400):  # a fake clock skips the backoff waits; the processes are real
        child.process.wait()
        clock[0] += 10
        said += supervisor.tick(clock[0])
        if supervisor.state()["crasher"]["crash_loop"]:
            break
    state = supervisor.state()["crasher"]
    assert state["crash_loop"] and state["restarts"] >= LOOP_RESTARTS and state["last_exit"] == 3
    assert any("crash-looping" in s for s in said)
    child.stop()
