"""`roadcam api ...`: accounts and the audit chain, straight on the api's database.

The database comes from the api's own settings (ROADCAM_API_DATABASE_URL or its secret file).
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys

ROLES = ("manager", "operator", "auditor", "analyst")


def register(subparsers: argparse._SubParsersAction) -> None:
    api = subparsers.add_parser("api", help="api accounts and audit log")
    actions = api.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create-account", help="create an account (password read from stdin)")
    create.add_argument("username")
    create.add_argument("--role", choices=ROLES, required=True)
    create.add_argument("--departments", default="*", help='comma-separated, "*" = all (default)')
    create.add_argument("--expires", help="ISO 8601 date-time; required for operators")
    create.add_argument("--conditions", default="", help="viewing conditions (operators)")
    create.set_defaults(handler=create_account)
    verify = actions.add_parser("verify-audit", help="recompute the audit hash chain")
    verify.set_defaults(handler=verify_audit)


def _engine():
    from services.api.db.engine import make_engine, migrate
    from services.api.settings import Settings

    engine = make_engine(Settings().database_url.get_secret_value())
    migrate(engine)
    return engine


def create_account(args: argparse.Namespace) -> int:
    from datetime import datetime

    from services.api.auth.passwords import hash_password
    from services.api.auth.roles import Role
    from services.api.errors import ApiError
    from services.api.audit_trail import system_record
    from services.api.store.accounts import Accounts, StoredAccount
    from services.api.store.audit import AuditLog
    from roadcam.common.timeutil import now_us

    if args.role == "operator" and not args.expires:
        raise ApiError("operator accounts need --expires (A1)")
    expires = int(datetime.fromisoformat(args.expires).timestamp() * 1_000_000) if args.expires else None
    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 12:
        raise ApiError("the password (first line of stdin) must have at least 12 characters")
    departments = tuple(d.strip() for d in args.departments.split(",") if d.strip())
    engine = _engine()
    Accounts(engine).create(StoredAccount(args.username, Role(args.role), departments, expires, args.conditions,
                                          False, hash_password(password), now_us()))
    actor = os.environ.get("SUDO_USER") or getpass.getuser()  # who ran the command, as the OS knows them
    AuditLog(engine).append(system_record(actor, "config_change", f"account {args.username} created",
                                          now_us(), "cli roadcam api create-account",
                                          account=args.username, role=args.role))
    sys.stdout.write(f"account {args.username} ({args.role}) created\n")
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    from services.api.parts import anchor_store
    from services.api.settings import Settings
    from services.api.store.audit import AuditLog

    check = AuditLog(_engine(), anchor_store(Settings())).verify()  # against the newest outside anchor too
    if check.ok:
        sys.stdout.write(f"audit chain intact: {check.checked} entries\n")
        return 0
    sys.stdout.write(f"audit chain BROKEN at entry {check.first_broken_seq}: {check.problem} "
                     f"({check.checked} entries before it are intact)\n")
    return 1
