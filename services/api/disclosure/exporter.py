"""Exports (A4): clips remuxed from the original segments, a signed custody manifest, and a
one-time link that expires. The package (clip + manifest, a stored zip) is written mode 0600 in
a 0700 directory, and removed once downloaded."""
from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from services.api.disclosure import custody
from services.api.disclosure.labels import iso_local
from services.api.disclosure.records import ExportRecord, ProvisionRequest
from services.api.disclosure.redacted_clip import ClipRedactor
from services.api.disclosure.redaction import Mark
from services.api.disclosure.self_disclosure import derivative_manifest, needs_redaction
from services.api.errors import ApiError
from services.api.settings import Settings
from roadcam.common.errors import ConfigError


@dataclass(frozen=True)
class Package:
    export: ExportRecord
    token: str
    manifest: dict


def package_names(request_id: int, camera_id: str) -> tuple[str, str]:
    base = f"request-{request_id}-{camera_id}"
    return f"{base}.mp4", f"{base}.manifest.json"


def write_private(path: Path, data: bytes) -> None:
    """Create the file 0600 from the start (never a moment world-readable, whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def zip_package(clip_name: str, clip: bytes, manifest_name: str, manifest: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as z:  # video does not compress
        z.writestr(clip_name, clip)
        z.writestr(manifest_name, json.dumps(manifest, indent=2, ensure_ascii=False))
    return buf.getvalue()


class Exporter:
    def __init__(self, settings: Settings, tz) -> None:
        self._settings, self._tz = settings, tz
        self._recordings = None
        self.clip_source = self.recorded_clip  # (camera, start_us, end_us) -> recorder Export

    @property
    def settings(self) -> Settings:
        return self._settings

    def _key(self):
        if self._settings.export_signing_key is None:
            raise ConfigError("exports need export_signing_key (ROADCAM_API_EXPORT_SIGNING_KEY or a secret file)")
        return custody.load_signing_key(self._settings.export_signing_key.get_secret_value())

    def recordings(self):
        if self._recordings is None:
            from services.recorder.bootstrap import open_recordings  # only installations that export need it

            s = self._settings
            self._recordings = open_recordings(s.s3, s.s3_secret_key, s.recordings_bucket, s.master_key,
                                               s.master_key_id)
        return self._recordings

    def recorded_clip(self, camera_id: str, start_us: int, end_us: int):
        from services.recorder.export import export_clip

        store, keyring, _ = self.recordings()
        return export_clip(store, keyring, camera_id, start_us, end_us)

    def manifest(self, request: ProvisionRequest, recorder_manifest: dict, exported_by: str, now_us: int) -> dict:
        approvers = [a for a in (request.first_approved_by, request.decided_by) if a]
        return {**recorder_manifest, "format": custody.FORMAT, "recorder_format": recorder_manifest.get("format"),
                "request_id": request.id, "legal_basis": request.form.legal_basis,
                "requester": request.form.requester_org, "approved_by": approvers,
                "approved_at": iso_local(request.decided_us, self._tz), "exported_by": exported_by,
                "exported_at": iso_local(now_us, self._tz), "time_zone": str(self._tz),
                "range_start": iso_local(request.form.range_start_us, self._tz),
                "range_end": iso_local(request.form.range_end_us, self._tz)}

    def export(self, request: ProvisionRequest, camera_id: str, exported_by: str, now_us: int,
               redactor: ClipRedactor | None = None, mark: Mark | None = None) -> Package:
        """With a redactor (self-disclosure) the package holds the redacted copy, never the original clip."""
        if needs_redaction(request) and (redactor is None or mark is None):
            raise ApiError(f"request {request.id} is a self-disclosure: its export is always redacted", 422)
        key = self._key()
        clip = self.clip_source(camera_id, request.form.range_start_us, request.form.range_end_us)
        body, manifest = clip.mp4, self.manifest(request, clip.manifest, exported_by, now_us)
        if redactor is not None:
            redacted = redactor.redact(clip.mp4, mark)
            body = redacted.mp4
            manifest = derivative_manifest(manifest, redacted, mark, exported_by, redactor.rules.hold)
        manifest = custody.sign(manifest, key)
        clip_name, manifest_name = package_names(request.id, camera_id)
        folder = Path(self._settings.export_dir)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        export_id = secrets.token_hex(16)
        path = folder / f"{export_id}.zip"
        write_private(path, zip_package(clip_name, body, manifest_name, manifest))
        token = secrets.token_urlsafe(32)
        expires = now_us + int(self._settings.export_link_hours * 3_600_000_000)
        record = ExportRecord(export_id, request.id, camera_id, str(path), manifest["mp4_sha256"], len(body),
                              exported_by, now_us, expires)
        return Package(record, token, manifest)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
