"""Api replicas as real uvicorn servers on 127.0.0.1 free ports, in this process (one thread each)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from roadcam.common.devhooks import free_port
from services.api.app import create_app
from services.api.parts import ApiParts, open_parts
from tests.unit.api.apikit import settings_for


@dataclass
class Replica:
    app: FastAPI
    parts: ApiParts
    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.parts.engine.dispose()


def start_replica(tmp_path: Path, database_url: str) -> Replica:
    settings = settings_for(tmp_path, database_url)
    parts = open_parts(settings)
    app = create_app(settings, parts)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("api replica did not start")
        time.sleep(0.02)
    return Replica(app, parts, server, thread, f"http://127.0.0.1:{port}")
