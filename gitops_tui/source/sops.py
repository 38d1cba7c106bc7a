"""SOPS-encrypted manifests, as kustomize-controller recognizes them (internal/decryptor): an object with a
top-level `sops:` metadata block, or a Secret whose data values are SOPS documents (an encrypted file a
secretGenerator read). They are never decrypted here: the engine compares such a Secret by key names and
metadata only and a sync never applies it (engine/encrypted.py says the same from the object itself).

A `sops:` block SOPS itself could not use (not a mapping, no `mac`, no `lastmodified`) is the app's error,
as it is Flux's ("failed to decrypt").
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from gitops_tui.engine.encrypted import is_sops_encrypted

# Marker bytes of SOPS documents in each format (kustomize-controller's sopsFormatToMarkerBytes).
_MARKERS = (b'"mac": "ENC[', b"sops_mac=ENC[", b"[sops]", b"mac: ENC[")
_REQUIRED = ("mac", "lastmodified")


def is_encrypted(obj: Mapping[str, Any]) -> bool:
    """A `sops:` block, or a Secret with a SOPS document in a data value."""
    return is_sops_encrypted(obj) or bool(encrypted_data_keys(obj))


def encrypted_data_keys(obj: Mapping[str, Any]) -> list[str]:
    """The keys of a Secret's `data` whose decoded value is a SOPS document."""
    if obj.get("kind") != "Secret" or not isinstance(obj.get("data"), dict):
        return []
    keys = []
    for key, value in obj["data"].items():
        try:
            raw = base64.b64decode(str(value or ""), validate=True)
        except (binascii.Error, ValueError):
            continue
        if any(marker in raw for marker in _MARKERS):
            keys.append(str(key))
    return keys


def sops_block_error(obj: Mapping[str, Any]) -> str:
    """Why the object's `sops:` block is unusable; "" when it is fine or there is none."""
    if "sops" not in obj:
        return ""
    block = obj.get("sops")
    if not isinstance(block, dict):
        return "the sops: metadata block is not a mapping (the file was edited by hand, or cut)"
    missing = [k for k in _REQUIRED if not block.get(k)]
    if missing:
        return f"the sops: metadata block has no {' or '.join(missing)} (the file was edited by hand, or cut)"
    mac = str(block.get("mac") or "")
    if not mac.startswith("ENC["):
        return "the sops: metadata block's mac is not encrypted (ENC[...]): the file is not SOPS output"
    return ""
