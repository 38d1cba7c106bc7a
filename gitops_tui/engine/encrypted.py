"""Objects encrypted in Git with SOPS (a top-level `sops:` metadata block, as Flux's kustomize-controller
recognizes them): their values are ciphertext, so they are never applied by our sync, and a Secret is
compared by its key names and metadata only (what the cluster holds is the decrypted value Flux applied)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gitops_tui.model import Obj

ENCRYPTED_NOTE = "encrypted in Git (SOPS): compared by key names and metadata only, never applied here"
_VALUE_FIELDS = ("data", "stringData")


def is_sops_encrypted(obj: Mapping[str, Any] | None) -> bool:
    return isinstance(obj, Mapping) and obj.get("sops") is not None


def key_names_view(desired: Obj, live: Obj | None) -> Obj:
    """The desired object as it can be compared: without `sops:`, each value key that the live object also
    has takes the live value (its ciphertext says nothing about it), the others a placeholder. So only
    added or removed keys, and metadata, can differ."""
    view = {k: v for k, v in desired.items() if k != "sops" and k not in _VALUE_FIELDS}
    live_data = (live or {}).get("data")
    live_data = live_data if isinstance(live_data, dict) else {}
    keys: list[str] = []
    for name in _VALUE_FIELDS:
        values = desired.get(name)
        if isinstance(values, dict):
            keys.extend(str(k) for k in values if str(k) not in keys)
    if keys or "data" in desired or "stringData" in desired:
        view["data"] = {k: live_data.get(k, "ENC[encrypted in Git]") for k in keys}
    if desired.get("kind") != "Secret":
        # Another kind encrypted whole: its fields cannot be read; compare metadata alone.
        view = {k: v for k, v in view.items() if k in ("apiVersion", "kind", "metadata")}
        view.update({k: v for k, v in (live or {}).items() if k not in view and k != "status"})
    return view
