"""The storage-backed tests of tests/unit/api, run again on SQLite AND PostgreSQL.

The functions are imported unchanged; the `api` fixture of this directory is parametrized over
both databases, so every query, upsert and the audit chain's locking run on each.
"""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.api.db.engine import make_engine, migrate
from services.api.db.tables import Base
from tests.unit.api.test_accounts import (  # noqa: F401
    test_api_keys_work_until_revoked, test_departments_scope_the_cameras, test_disabled_accounts_lose_access_at_once,
    test_failed_logins_are_rate_limited_per_user, test_operators_need_an_expiry_and_public_is_no_account_role)
from tests.unit.api.test_audit_api import (  # noqa: F401
    test_csv_export_has_every_entry_and_its_hashes, test_deleted_entries_are_detected,
    test_duplicate_event_ids_are_stored_once, test_verify_names_the_tampered_entry)
from tests.unit.api.test_consumers import (  # noqa: F401
    test_an_older_health_report_never_replaces_a_newer_one, test_camera_list_shows_health_and_alerts_name_offline_cameras,
    test_replaying_a_batch_changes_nothing)
from tests.unit.api.test_counts import (  # noqa: F401
    test_a_late_open_copy_never_overwrites_a_final_bin, test_bins_are_summed_into_the_requested_size,
    test_filters_by_camera_line_and_direction, test_live_tallies_since_local_midnight,
    test_open_data_is_public_closed_bins_per_census_class, test_replaying_the_bins_changes_nothing)
from tests.unit.api.test_count_quality import (  # noqa: F401
    test_a_final_count_replaces_the_not_seen_row_of_its_line_and_direction,
    test_a_replayed_older_report_never_wins_and_the_same_faults_keep_their_start,
    test_counts_carry_each_cameras_view_health_now, test_flagged_bins_are_in_the_json_and_csv,
    test_summed_bins_take_the_worst_quality_and_every_reason)
from tests.unit.api.test_role_matrix import test_every_cell  # noqa: F401

pytestmark = pytest.mark.slow


def test_migrations_match_the_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()
