"""A throw-away PostgreSQL server from the distribution's binaries (apt: postgresql)."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from roadcam.devstack.processes import free_port


@dataclass
class PostgresServer:
    bin_dir: Path
    base: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _as_postgres(argv: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; tests run as root in CI, so drop to the postgres user.
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def start_postgres(bin_dir: Path) -> PostgresServer:
    base = Path(tempfile.mkdtemp(prefix="roadcam-pg-"))  # under /tmp: the postgres user can reach it
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data, port = base / "data", free_port()
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                 "-E", "UTF8", "--no-locale", "--no-sync"]), check=True, capture_output=True)
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
                                 "-t", "60", "-o", opts, "start"]), check=True, capture_output=True)
    return PostgresServer(bin_dir, base, port)


def stop_postgres(server: PostgresServer) -> None:
    subprocess.run(_as_postgres([str(server.bin_dir / "pg_ctl"), "-D", str(server.base / "data"), "-m", "fast",
                                 "-w", "stop"]), check=False, capture_output=True)
    shutil.rmtree(server.base, ignore_errors=True)
