"""Schemathesis on the operations routes only (the api's fuzz test covers all routes together):
generated and malformed requests to the isolate switch, leak alerts, complaints and rules never 5xx."""
from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from services.api.auth.roles import Role
from tests.unit.api.apikit import make_api

pytestmark = pytest.mark.slow
_headers: dict[str, str] = {}


@pytest.fixture
def ops_schema(tmp_path: Path):
    api = make_api(tmp_path)
    _headers.clear()
    _headers.update(api.role_headers()[Role.MANAGER])
    yield schemathesis.openapi.from_asgi("/openapi.json", api.client.app, headers=dict(_headers))
    api.parts.engine.dispose()


schema = schemathesis.pytest.from_fixture("ops_schema").include(path_regex=r"^/api/v1/(admin|complaints|rules)")


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case) -> None:
    # Same exclusions as tests/integration/api/test_openapi_fuzz.py (cross-field 422s, lenient repeats).
    case.call_and_validate(headers=dict(_headers), excluded_checks=[positive_data_acceptance, negative_data_rejection])
