"""Values Flux reads from ConfigMaps and Secrets: a Kustomization's `postBuild.substituteFrom`, and (the same
way) a HelmRelease's `valuesFrom`. Shared by both: find the object in Git (the tree's index, fluxsources.py),
else ask the cluster through a lookup the caller provides (the source layer never reads the cluster itself).

In Git a Secret holds `data` (base64) and/or `stringData` (the API server folds the latter into the former);
a ConfigMap holds `data` (and `binaryData`, which substituteFrom ignores as Flux does). A SOPS-encrypted
Secret in Git holds ciphertext: its values are not there to read, so it counts as not in Git.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.sops import is_encrypted

# (cluster, kind, namespace, name) -> the object's decoded values, or None when the cluster has no such
# object. Raises GitopsError when it cannot tell (unreachable, forbidden). The cluster layer implements it.
FluxValuesLookup = Callable[[str, str, str, str], Mapping[str, str] | None]


@dataclass(frozen=True)
class ValuesObject:
    kind: str
    namespace: str
    name: str
    where: str  # the Git file ("file:line" or "file (document N, rendered by APP)"), or "cluster"
    values: Mapping[str, str] = field(repr=False)
    encrypted: bool = False  # a SOPS-encrypted Secret: `values` is empty, the keys are in `keys`
    keys: tuple[str, ...] = ()


class ValuesError(ValueError):
    """A value object that cannot be read (a `data` that is not a mapping, a value that is not base64)."""


def decoded_values(obj: Mapping[str, Any], *, binary: bool = False) -> dict[str, str]:
    """The values of a ConfigMap or Secret as the cluster would hand them to Flux, decoded to text.
    `binary`: a ConfigMap's `binaryData` too (HelmRelease valuesFrom reads it; substituteFrom does not)."""
    kind = obj.get("kind")
    out: dict[str, str] = {}
    data = obj.get("data")
    if data is not None and not isinstance(data, dict):
        raise ValuesError(f"{kind} data must be a mapping")
    for key, value in (data or {}).items():
        text = "" if value is None else str(value)
        if kind == "Secret":
            try:
                text = base64.b64decode(text, validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise ValuesError(f"Secret data.{key} is not base64") from None
        out[str(key)] = text
    extra_field = "stringData" if kind == "Secret" else ("binaryData" if binary else "")
    extra = obj.get(extra_field) if extra_field else None
    if extra is not None and not isinstance(extra, dict):
        raise ValuesError(f"{kind} {extra_field} must be a mapping")
    for key, value in (extra or {}).items():
        text = "" if value is None else str(value)
        if extra_field == "binaryData":
            try:
                text = base64.b64decode(text, validate=True).decode("utf-8", "replace")
            except (binascii.Error, ValueError):
                raise ValuesError(f"ConfigMap binaryData.{key} is not base64") from None
        out[str(key)] = text
    return out


def find_values(
    sources: FluxSources | None,
    kind: str,
    namespace: str,
    name: str,
    *,
    binary: bool = False,
) -> ValuesObject | None:
    """The ConfigMap or Secret in Git, decoded; None when Git does not hold it. Raises ValuesError."""
    found = sources.values(kind, namespace, name) if sources is not None else None
    if found is None:
        return None
    if is_encrypted(found.obj):
        keys = tuple(str(k) for k in {**(found.obj.get("data") or {}), **(found.obj.get("stringData") or {})})
        return ValuesObject(kind, found.namespace, name, found.where, {}, encrypted=True, keys=keys)
    try:
        values = decoded_values(found.obj, binary=binary)
    except ValuesError as exc:
        raise ValuesError(f"{found.where}: {kind} {found.namespace}/{name}: {exc}") from None
    return ValuesObject(kind, found.namespace, name, found.where, values)
