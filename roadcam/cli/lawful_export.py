"""The command line's two ways to take footage out, both audited in the api's audit log (A2, A4).

`export_request` is the api's own export path (services.api.disclosure) run from a shell: the
same role, department and approval checks, the same signed package and audit entries; the one-time
link is claimed at once and the package copied to the operator's folder. `break_glass_export`
reads with the master key alone; it is recorded before any footage is read, so a failed audit
write means nothing is read.
"""
from __future__ import annotations

import json
from pathlib import Path

from roadcam.common.errors import ConfigError


def _api():
    from services.api.parts import open_parts
    from services.api.settings import Settings

    return open_parts(Settings())


def _account(parts, username: str, roles: tuple[str, ...]):
    account = parts.accounts.get(username)
    if account is None or not account.usable(parts.clock.now_us()):
        raise ConfigError(f"--as {username}: no such usable account")
    if account.role.value not in roles:
        raise ConfigError(f"--as {username}: a {account.role.value} may not do this (needs {' or '.join(roles)})")
    return account.principal("cli")


def _trail(parts, method: str):
    from services.api.audit_trail import AuditTrail

    return AuditTrail(parts.audit, parts.clock.now_us, "cli", method)


def export_request(request_id: int, actor: str, out_dir: Path) -> list[str]:
    from services.api.disclosure.exporter import write_private
    from services.api.disclosure.service import Disclosure

    parts = _api()
    try:
        who = _account(parts, actor, ("operator", "manager"))
        disclosure, trail = Disclosure.from_parts(parts), _trail(parts, "roadcam recordings export")
        out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        lines = []
        for package in disclosure.export(who, request_id, trail):
            path, name = disclosure.download(package.token, "cli", trail)
            write_private(out_dir / name, path.read_bytes())
            path.unlink(missing_ok=True)
            lines.append(f"{out_dir / name}: request {request_id}, camera {package.export.camera_id}, "
                         f"clip sha256 {package.export.clip_sha256}")
        return lines
    finally:
        parts.engine.dispose()


def break_glass_export(store, keyring, camera_id: str, start_us: int, end_us: int, out: Path, actor: str,
                       reason: str) -> str:
    from services.api.disclosure.exporter import write_private
    from services.recorder.export import export_clip

    if len(reason.strip()) < 10:
        raise ConfigError("--reason must say why the lawful path cannot be used (at least 10 characters)")
    parts = _api()
    try:
        who = _account(parts, actor, ("manager",))
        trail = _trail(parts, "roadcam recordings break-glass")
        trail.record(who, "break_glass", camera_id=camera_id, range_start_us=start_us, range_end_us=end_us,
                     reason=reason, details={"out": str(out), "stage": "before reading"})
        clip = export_clip(store, keyring, camera_id, start_us, end_us)
        write_private(out, clip.mp4)
        write_private(out.with_suffix(".manifest.json"), json.dumps(clip.manifest, indent=2).encode())
        trail.record(who, "break_glass", camera_id=camera_id, range_start_us=start_us, range_end_us=end_us,
                     reason=reason, details={"out": str(out), "stage": "written", "mp4_sha256": clip.manifest["mp4_sha256"]})
        return f"{out} ({len(clip.mp4)} bytes, mode 0600): break-glass read recorded in the audit log"
    finally:
        parts.engine.dispose()


