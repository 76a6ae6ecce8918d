"""Fixtures for the api's integration tests: a PostgreSQL server, and an app on either database."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.api.postgres import PostgresServer, postgres_bin, start_postgres, stop_postgres
from tests.unit.api.apikit import Api, make_api


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    bin_dir = postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    server = start_postgres(bin_dir)
    yield server
    stop_postgres(server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'api.sqlite3'}"
    return request.getfixturevalue("postgres").new_database()


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    made = make_api(tmp_path, database_url)
    yield made
    made.client.close()
    made.parts.engine.dispose()
