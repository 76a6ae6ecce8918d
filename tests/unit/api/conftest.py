from tests.unit.api.apikit import api_fixture  # noqa: F401  (the `api` fixture)
