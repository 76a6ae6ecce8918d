"""Fixture: RTSP test cameras served by GStreamer (tests/support/rtsp_server.py)."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from roadcam.devstack.processes import Child, free_port, port_open, spawn

SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, which has python3-gi and GstRtspServer


@dataclass
class RtspCamera:
    mounts: dict[str, Path]
    log_dir: Path
    port: int = field(default_factory=free_port)
    auth: str | None = None
    child: Child | None = None

    def url(self, mount: str) -> str:
        return f"rtsp://127.0.0.1:{self.port}/{mount}"

    def start(self) -> None:
        argv = [SYSTEM_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port)]
        for name, path in self.mounts.items():
            argv += ["--mount", f"/{name}={path}"]
        if self.auth:
            argv += ["--auth", self.auth]
        self.child = spawn(f"rtsp-{self.port}", argv, self.log_dir, ready=lambda: port_open(self.port))

    def stop(self) -> None:
        if self.child is not None:
            self.child.process.kill()  # a camera losing power, not a polite shutdown
            self.child.process.wait(5)
            self.child = None


@pytest.fixture
def rtsp_camera_factory(tmp_path: Path) -> Iterator:
    """rtsp_camera_factory({"cam": path}, auth="u:p") -> a started RtspCamera."""
    if not Path(SYSTEM_PYTHON).exists() or shutil.which("gst-launch-1.0") is None:
        pytest.skip("GStreamer RTSP server not installed (see .ci/apt-packages.txt)")
    cameras: list[RtspCamera] = []

    def make(mounts: dict[str, Path], auth: str | None = None) -> RtspCamera:
        camera = RtspCamera(mounts, tmp_path / "logs", auth=auth)
        camera.start()
        cameras.append(camera)
        return camera

    yield make
    for camera in cameras:
        camera.stop()
