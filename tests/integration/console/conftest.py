"""Fixtures for the console and public-site tests: the api on a real SQLite database."""
from tests.unit.api.apikit import api_fixture  # noqa: F401  (the `api` fixture)
