"""Secret values never leave the engine unmasked.

A mask is an HMAC of the value under a key drawn once per process: equal values get equal masks (so a
changed key is visible and an unchanged one is not), while the value cannot be recovered, nor guessed from a
mask seen in an earlier run. The last-applied annotation of a Secret holds its data in plain JSON, so it is
masked field by field too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets as _random
from collections.abc import Sequence
from typing import Any

from gitops_tui.engine import pointer
from gitops_tui.engine.managedfields import LAST_APPLIED
from gitops_tui.engine.normalize import is_secret
from gitops_tui.model import DriftField, Obj, ResourceKey

_KEY = _random.token_bytes(32)
_VALUE_FIELDS = ("data", "stringData")


def mask_value(value: Any) -> str:
    """`***masked:1a2b3c4d***`, the same for the same value within this process."""
    raw = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    digest = hmac.new(_KEY, raw.encode(), hashlib.sha256).hexdigest()[:8]
    return f"***masked:{digest}***"


def _mask_map(values: Any) -> Any:
    if isinstance(values, dict):
        return {k: mask_value(v) for k, v in values.items()}
    return mask_value(values) if values is not None else None


def _mask_last_applied(text: Any) -> Any:
    if not isinstance(text, str):
        return mask_value(text)
    try:
        applied = json.loads(text)
    except ValueError:
        return mask_value(text)  # unreadable: it may still hold values, so none of it is shown
    if not isinstance(applied, dict):
        return mask_value(text)
    masked = {k: (_mask_map(v) if k in _VALUE_FIELDS else v) for k, v in applied.items()}
    return json.dumps(masked, sort_keys=True, separators=(",", ":")) + "\n"


def mask_secret(obj: Obj) -> Obj:
    """A copy of a core Secret with every value masked; any other object is returned as is."""
    if not is_secret(obj):
        return obj
    out = {k: (_mask_map(v) if k in _VALUE_FIELDS else v) for k, v in obj.items()}
    meta = obj.get("metadata")
    if (
        isinstance(meta, dict)
        and isinstance(meta.get("annotations"), dict)
        and LAST_APPLIED in meta["annotations"]
    ):
        annotations = dict(meta["annotations"])
        annotations[LAST_APPLIED] = _mask_last_applied(annotations[LAST_APPLIED])
        out["metadata"] = {**meta, "annotations": annotations}
    return out


def mask_pair(git: Obj | None, live: Obj | None) -> tuple[Obj | None, Obj | None]:
    return (None if git is None else mask_secret(git), None if live is None else mask_secret(live))


def _is_secret_key(key: ResourceKey) -> bool:
    return key.kind == "Secret" and key.group == ""


def _mask_at(tokens: Sequence[str], value: Any) -> Any:
    """Mask what lies at `tokens` inside a Secret: a value, a map of values, or the whole object."""
    if not tokens:
        return mask_secret(value) if isinstance(value, dict) else value
    if tokens[0] in _VALUE_FIELDS:
        return _mask_map(value) if len(tokens) == 1 else (None if value is None else mask_value(value))
    if tokens == ["metadata", "annotations", LAST_APPLIED]:
        return None if value is None else _mask_last_applied(value)
    if tokens == ["metadata", "annotations"] and isinstance(value, dict) and LAST_APPLIED in value:
        return {**value, LAST_APPLIED: _mask_last_applied(value[LAST_APPLIED])}
    if tokens == ["metadata"] and isinstance(value, dict):
        return mask_secret({"apiVersion": "v1", "kind": "Secret", "metadata": value})["metadata"]
    return value


def mask_drift(key: ResourceKey, drift: Sequence[DriftField]) -> tuple[DriftField, ...]:
    """Drifted fields of a Secret with their Git and live values masked; other kinds pass unchanged."""
    if not _is_secret_key(key):
        return tuple(drift)
    out = []
    for d in drift:
        tokens = pointer.split(d.path)
        out.append(
            DriftField(
                path=d.path,
                git=_mask_at(tokens, d.git),
                live=_mask_at(tokens, d.live),
                manager=d.manager,
                time=d.time,
                keyed_path=d.keyed_path,
            )
        )
    return tuple(out)


def mask_values(value: Any, secrets: Sequence[str]) -> Any:
    """`value` (an object, a field) with every occurrence of one of `secrets` in its strings masked: the
    values a Flux Kustomization substituted from Secrets can be anywhere in any object."""
    if not secrets:
        return value
    if isinstance(value, str):
        for secret in sorted(secrets, key=len, reverse=True):  # a longer one may contain a shorter one
            if secret and secret in value:
                value = value.replace(secret, mask_value(secret))
        return value
    if isinstance(value, dict):
        return {k: mask_values(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_values(v, secrets) for v in value]
    return value


def mask_drift_values(drift: Sequence[DriftField], secrets: Sequence[str]) -> tuple[DriftField, ...]:
    """Drifted fields with the substituted Secret values masked on both sides."""
    if not secrets:
        return tuple(drift)
    return tuple(
        DriftField(
            path=d.path,
            git=mask_values(d.git, secrets),
            live=mask_values(d.live, secrets),
            manager=d.manager,
            time=d.time,
            keyed_path=d.keyed_path,
        )
        for d in drift
    )
