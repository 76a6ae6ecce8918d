from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.api.auth.roles import Role
from tests.unit.api.apikit import Api, make_api
from tests.unit.disclosure.kit import configure


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    made = make_api(tmp_path)
    configure(made, tmp_path / "exports")
    made.add_account("op-roads", Role.OPERATOR, departments=("roads",))
    made.add_account("op-parks", Role.OPERATOR, departments=("parks",))
    made.add_account("boss", Role.MANAGER)
    made.add_account("boss2", Role.MANAGER)
    made.add_account("auditor", Role.AUDITOR)
    yield made
    made.client.close()
    made.parts.engine.dispose()
