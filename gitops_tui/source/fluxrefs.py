"""ConfigMaps and Secrets a Flux object reads (`valuesFrom` of a HelmRelease, `substituteFrom` of a
Kustomization), as the tree meets them: read from Git when the cluster's apps render them, else from the
live cluster through a lookup the caller provides.

Flux reads them from the cluster, where they are what the cluster's Kustomizations applied (or what was
created by hand: a Secret kept out of Git). Offline, the ones in the rendered output of the cluster's apps
stand for them, each cluster its own (the tree adds a level's outputs before it parses that level's
children, as for the source objects in fluxsources.py). A Secret's data is decoded as the API server
would hold it (`stringData` over base64 `data`); a SOPS-encrypted one in Git cannot be read here (it is
never decrypted) and is looked up live instead.

The API, for HelmRelease and Kustomization parsers alike:

    refs.read(kind, namespace, name) -> RefData | None     the object's data, Git first, then live
    read_key(refs, kind, namespace, name, key) -> RefValue   one key (raises RefKeyMissing, RefUnreadable)

A `LiveLookup` (cluster, kind, namespace, name) -> object or None (absent) reads the cluster; it raises
GitopsError when it cannot tell (cluster unreachable, forbidden). Without one, only Git is read.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gitops_tui.model import GitopsError

REF_KINDS = frozenset({"ConfigMap", "Secret"})
LiveLookup = Callable[[str, str, str, str], dict[str, Any] | None]


class RefUnreadable(GitopsError):
    """The object is there but its data cannot be had here (SOPS-encrypted, bad base64, cluster unread)."""


class RefKeyMissing(GitopsError):
    pass


def ref_kind(obj: Any) -> str | None:
    """ "ConfigMap" or "Secret" for a core ConfigMap or Secret, else None."""
    if isinstance(obj, dict) and obj.get("apiVersion") == "v1" and obj.get("kind") in REF_KINDS:
        return str(obj["kind"])
    return None


@dataclass(frozen=True)
class RefData:
    """A ConfigMap's `data` or a Secret's decoded data. Never printed: a Secret's values are in it."""

    kind: str
    namespace: str
    name: str
    data: dict[str, str] = field(repr=False, compare=False)
    where: str = ""  # "file (document N, rendered by APP)", or "the cluster"
    encrypted: bool = False  # SOPS-encrypted in Git: `data` is empty, the values cannot be read here

    @property
    def secret(self) -> bool:
        return self.kind == "Secret"


@dataclass(frozen=True)
class RefValue:
    text: str = field(repr=False)
    secret: bool
    where: str


def decoded_data(obj: dict[str, Any]) -> dict[str, str]:
    """`data` as the API server would serve it: a ConfigMap's as is, a Secret's `stringData` folded over
    its base64 `data` and decoded. Raises RefUnreadable for a value that is not base64 (or not UTF-8)."""
    raw = obj.get("data")
    data = {str(k): v for k, v in raw.items()} if isinstance(raw, dict) else {}
    if obj.get("kind") != "Secret":
        return {k: "" if v is None else str(v) for k, v in data.items()}
    out: dict[str, str] = {}
    for key, value in data.items():
        try:
            out[key] = base64.b64decode(str(value or ""), validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise RefUnreadable(f"key {key} is not valid base64 (or not UTF-8 text)") from None
    string_data = obj.get("stringData")
    if isinstance(string_data, dict):
        out.update({str(k): "" if v is None else str(v) for k, v in string_data.items()})
    return out


def _encrypted(obj: dict[str, Any]) -> bool:
    return isinstance(obj.get("sops"), dict)


class FluxRefs:
    """The ConfigMaps and Secrets of one cluster (or of the cluster-less part of a repository)."""

    def __init__(
        self, fallback: FluxRefs | None = None, *, cluster: str = "", live: LiveLookup | None = None
    ) -> None:
        self._by_key: dict[tuple[str, str, str], tuple[dict[str, Any], str]] = {}
        self._fallback = fallback
        self.cluster = cluster
        self._live = live
        self._live_seen: dict[tuple[str, str, str], RefData | None] = {}
        self._lock = threading.Lock()

    def add(self, obj: dict[str, Any], where: str, default_namespace: str = "") -> None:
        kind = ref_kind(obj)
        raw = obj.get("metadata") if kind else None
        meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if kind is None or not meta.get("name"):
            return
        namespace = str(meta.get("namespace") or default_namespace or "default")
        self._by_key.setdefault((kind, namespace, str(meta["name"])), (obj, where))

    def in_git(self, kind: str, namespace: str, name: str) -> tuple[dict[str, Any], str] | None:
        found = self._by_key.get((kind, namespace, name))
        if found is None and self._fallback is not None:
            return self._fallback.in_git(kind, namespace, name)
        return found

    @property
    def reads_live(self) -> bool:
        return self._live is not None

    def read(self, kind: str, namespace: str, name: str) -> RefData | None:
        """The object's data: from Git when the cluster's apps render it (unless SOPS-encrypted there),
        else from the cluster; None when neither has it. Raises RefUnreadable."""
        found = self.in_git(kind, namespace, name)
        if found is not None:
            obj, where = found
            if not _encrypted(obj):
                try:
                    return RefData(kind, namespace, name, decoded_data(obj), where)
                except RefUnreadable as exc:
                    raise RefUnreadable(f"{kind} {namespace}/{name} in {where}: {exc.message}") from None
            if self._live is None:
                return RefData(kind, namespace, name, {}, where, encrypted=True)
        return self._read_live(kind, namespace, name)

    def _read_live(self, kind: str, namespace: str, name: str) -> RefData | None:
        if self._live is None:
            return None
        key = (kind, namespace, name)
        with self._lock:
            if key in self._live_seen:
                return self._live_seen[key]
        try:
            obj = self._live(self.cluster, kind, namespace, name)
        except GitopsError as exc:
            raise RefUnreadable(
                f"{kind} {namespace}/{name} could not be read from the cluster: {exc}"
            ) from None
        result = None
        if obj is not None:
            try:
                result = RefData(kind, namespace, name, decoded_data(obj), "the cluster")
            except RefUnreadable as exc:
                raise RefUnreadable(f"{kind} {namespace}/{name} in the cluster: {exc.message}") from None
        with self._lock:
            self._live_seen[key] = result
        return result


def read_key(refs: FluxRefs, kind: str, namespace: str, name: str, key: str) -> RefValue | None:
    """One key of a ConfigMap or Secret; None when the object is nowhere. Raises RefKeyMissing when the
    object has no such key, RefUnreadable when its data cannot be had."""
    data = refs.read(kind, namespace, name)
    if data is None:
        return None
    if data.encrypted:
        raise RefUnreadable(
            f"{kind} {namespace}/{name} in {data.where} is SOPS-encrypted (never decrypted here) and the "
            "cluster is not read for it"
        )
    if key not in data.data:
        raise RefKeyMissing(f"{kind} {namespace}/{name} ({data.where}) has no key {key}")
    return RefValue(data.data[key], data.secret, data.where)
