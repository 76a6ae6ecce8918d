"""Fixtures: the api integration fixtures (PostgreSQL server, a database URL on either database)."""
from tests.integration.api.conftest import database_url, postgres  # noqa: F401
