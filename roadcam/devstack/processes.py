"""Start and stop child processes on free 127.0.0.1 ports; shared by `roadcam up` and the tests."""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from roadcam.common.devhooks import free_port  # noqa: F401 (re-exported for the stack and tests)
from roadcam.common.errors import RoadcamError

log = logging.getLogger(__name__)


class StackError(RoadcamError):
    """A local server could not be started."""


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log_path: Path
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    ready: Callable[[], bool] | None = None
    # Run once the restarted process is ready again, e.g. re-create what a restart forgot.
    after_restart: Callable[[], None] | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


def spawn(
    name: str, argv: list[str], log_dir: Path, env: dict[str, str] | None = None,
    ready: Callable[[], bool] | None = None, timeout: float = 30.0,
) -> Child:
    """Start `argv`, logging to log_dir/name.log, and wait until `ready()` holds."""
    log_dir.mkdir(parents=True, exist_ok=True)
    child = Child(name, _popen(argv, log_dir / f"{name}.log", env or {}), log_dir / f"{name}.log",
                  list(argv), dict(env or {}), ready)
    wait_ready(child, timeout)
    log.info("%s started (pid %d)", name, child.pid)
    return child


def respawn(child: Child) -> None:
    """Start a dead child again with the same command, environment and ports (no wait, unless
    it has an `after_restart` step, which needs it ready)."""
    child.process = _popen(child.argv, child.log_path, child.env)
    if child.after_restart is not None:
        wait_ready(child, 30)
        child.after_restart()


def wait_ready(child: Child, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while child.ready is not None and not child.ready():
        if not child.alive():
            tail = child.log_path.read_text(errors="replace")[-2000:]
            raise StackError(f"{child.name} exited with {child.process.returncode} while starting:\n{tail}")
        if time.monotonic() > deadline:
            child.stop()
            raise StackError(f"{child.name} did not become ready within {timeout:.0f}s (log: {child.log_path})")
        time.sleep(0.1)


def _popen(argv: list[str], log_path: Path, env: dict[str, str]) -> subprocess.Popen:
    with open(log_path, "ab") as out:
        return subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **env}, start_new_session=True,
        )
