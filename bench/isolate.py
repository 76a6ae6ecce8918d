"""Isolate-switch propagation (O2, target: under one second): two api replicas (real uvicorn servers)
on one database; a manager isolates on A, and B is polled every 5 ms with an operator's request
until it refuses. Prints min/median/max over `--rounds` isolate/lift cycles, for SQLite (one file)
or PostgreSQL (`--postgres`, needs the PostgreSQL binaries the api tests use).

    python bench/isolate.py [--rounds 10] [--postgres]
"""
from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from services.api.auth.passwords import hash_password  # noqa: E402
from services.api.auth.roles import Role  # noqa: E402
from services.api.store.accounts import StoredAccount  # noqa: E402
from tests.integration.operations.replicas import start_replica  # noqa: E402

log = logging.getLogger("bench.isolate")
PASSWORD = "bench password 1234"


def token(url: str, name: str) -> dict[str, str]:
    r = httpx.post(f"{url}/api/v1/auth/token", json={"username": name, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def until(url: str, headers: dict, refused: bool, limit_s: float = 5.0) -> float:
    start = time.perf_counter()
    with httpx.Client(base_url=url) as http:
        while time.perf_counter() - start < limit_s:
            if (http.get("/api/v1/cameras", headers=headers).status_code == 403) == refused:
                return time.perf_counter() - start
            time.sleep(0.005)
    return float("inf")


def run(rounds: int, database_url: str, tmp: Path) -> list[float]:
    (tmp / "a").mkdir(), (tmp / "b").mkdir()
    a, b = start_replica(tmp / "a", database_url), start_replica(tmp / "b", database_url)
    now = a.parts.clock.now_us()
    for name, role in (("boss", Role.MANAGER), ("clerk", Role.OPERATOR)):
        a.parts.accounts.create(StoredAccount(name, role, ("*",), now + 86_400_000_000, "", False,
                                              hash_password(PASSWORD), now))
    boss, clerk, times = token(a.url, "boss"), token(a.url, "clerk"), []
    try:
        for _ in range(rounds):
            httpx.post(f"{a.url}/api/v1/admin/isolate", json={"reason": "bench"}, headers=boss).raise_for_status()
            times.append(until(b.url, clerk, refused=True))
            httpx.delete(f"{a.url}/api/v1/admin/isolate", headers=boss).raise_for_status()
            until(b.url, clerk, refused=False)
            time.sleep(0.05)
    finally:
        a.stop()
        b.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if args.postgres:
            from tests.integration.api.postgres import postgres_bin, start_postgres, stop_postgres

            server = start_postgres(postgres_bin())
            url = server.new_database()
        else:
            url = f"sqlite:///{Path(tmp) / 'api.sqlite3'}"
        try:
            times = run(args.rounds, url, Path(tmp))
        finally:
            if server is not None:
                stop_postgres(server)
    ms = sorted(t * 1000 for t in times)
    sys.stdout.write(f"isolate propagation A->B ({'postgresql' if args.postgres else 'sqlite'}, {len(ms)} rounds): "
                     f"min {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms "
                     f"(target < 1000 ms)\n")
    return 0 if ms[-1] < 1000 else 1


if __name__ == "__main__":
    sys.exit(main())
