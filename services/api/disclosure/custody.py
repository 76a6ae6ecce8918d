"""Custody manifests for exported clips (A4): built, signed with the installation's Ed25519 export
key, and verified offline by a recipient (`roadcam verify-export CLIP MANIFEST`).

Pure: no database, no network, nothing from the api but this file and `cryptography`.
The signature covers the canonical JSON of the manifest without its `signature` block. Verifying
checks, in order: the signature, the clip's SHA-256 and size, and the segment chain (each
segment's chain hash recomputed from its fields and linked to the previous one).
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from services.api.disclosure.keys import key_from_base64

FORMAT = "roadcam-custody-v1"
SEGMENT_RULE = "roadcam-segment-v1"


def canonical(doc: dict) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def load_signing_key(seed_b64: str) -> Ed25519PrivateKey:
    seed = key_from_base64(seed_b64, "export_signing_key", "a 32-byte Ed25519 seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def fingerprint(public_b64: str) -> str:
    """What the installation publishes so a recipient can pin the key (not just trust the manifest)."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:32]


def sign(manifest: dict, key: Ed25519PrivateKey) -> dict:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    public = public_key_b64(key)
    signature = base64.b64encode(key.sign(canonical(body))).decode()
    return {**body, "signature": {"algorithm": "Ed25519", "public_key": public,
                                  "key_fingerprint": fingerprint(public), "value": signature}}


def segment_chain_hash(camera_id: str, seg: dict) -> str:
    fields = (SEGMENT_RULE, camera_id, str(seg["start_us"]), str(seg["end_us"]), seg["plaintext_sha256"],
              seg["prev_chain_hash"], seg["key_id"], seg["codec"])
    return hashlib.sha256("|".join(fields).encode()).hexdigest()


@dataclass
class Verdict:
    ok: bool
    problems: list[str] = field(default_factory=list)
    key_fingerprint: str = ""


def _check_signature(manifest: dict, pinned_fingerprint: str | None) -> list[str]:
    sig = manifest.get("signature") or {}
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(sig["public_key"]))
        public.verify(base64.b64decode(sig["value"]), canonical({k: v for k, v in manifest.items() if k != "signature"}))
    except (KeyError, ValueError, InvalidSignature):
        return ["signature does not verify: the manifest was changed or not signed by this key"]
    if pinned_fingerprint and fingerprint(sig["public_key"]) != pinned_fingerprint:
        return [f"signed by key {fingerprint(sig['public_key'])}, not the expected {pinned_fingerprint}"]
    return []


def _check_chain(manifest: dict) -> list[str]:
    problems, camera = [], manifest.get("camera_id", "")
    segments = manifest.get("segments") or []
    if not segments:
        return ["the manifest lists no segments"]
    for i, seg in enumerate(segments):
        if segment_chain_hash(camera, seg) != seg.get("chain_hash"):
            problems.append(f"segment {i} ({seg.get('object_key')}): chain hash does not match its fields")
        if i and seg.get("prev_chain_hash") != segments[i - 1].get("chain_hash"):
            problems.append(f"segment {i}: not linked to the segment before it (gap or reordering)")
    return problems


def verify(clip: bytes, manifest: dict, pinned_fingerprint: str | None = None) -> Verdict:
    problems = _check_signature(manifest, pinned_fingerprint)
    if hashlib.sha256(clip).hexdigest() != manifest.get("mp4_sha256"):
        problems.append("the clip's SHA-256 differs from the manifest's mp4_sha256 (clip changed)")
    if len(clip) != manifest.get("mp4_bytes"):
        problems.append(f"the clip has {len(clip)} bytes, the manifest says {manifest.get('mp4_bytes')}")
    problems += _check_chain(manifest)
    fp = fingerprint(manifest["signature"]["public_key"]) if "public_key" in manifest.get("signature", {}) else ""
    return Verdict(not problems, problems, fp)
