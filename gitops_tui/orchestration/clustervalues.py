"""The ConfigMaps and Secrets a Flux Kustomization's `postBuild.substituteFrom` or a HelmRelease's
`valuesFrom` names when Git does not hold them: read from the app's cluster, as kustomize-controller and
helm-controller read them. A GET, never a write (read-only mode allows it); each object read once per
discovery; a Secret's values are handed to the render (which masks them where they land) and never logged.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable, Mapping

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.model import GitopsError

_Key = tuple[str, str, str, str]  # cluster, kind, namespace, name


class ClusterValues:
    """A `FluxValuesLookup`: (cluster, kind, namespace, name) -> the object's data, None when it does not
    exist. Raises GitopsError when the cluster cannot say (unreachable, forbidden)."""

    def __init__(
        self, context_of: Callable[[str], str | None], client: Callable[[str | None], ClusterClient]
    ) -> None:
        self._context_of = context_of  # a repository's cluster name ("" for none) -> its kube context
        self._client = client
        self._read: dict[_Key, Mapping[str, str] | None | GitopsError] = {}
        self._lock = threading.Lock()

    def __call__(self, cluster: str, kind: str, namespace: str, name: str) -> Mapping[str, str] | None:
        key = (cluster, kind, namespace, name)
        with self._lock:
            if key in self._read:
                got = self._read[key]
                if isinstance(got, GitopsError):
                    raise got
                return got
        try:
            got = self._get(cluster, kind, namespace, name)
        except GitopsError as exc:
            with self._lock:
                self._read[key] = exc
            raise
        with self._lock:
            self._read[key] = got
        return got

    def _get(self, cluster: str, kind: str, namespace: str, name: str) -> Mapping[str, str] | None:
        client = self._client(self._context_of(cluster) if cluster else None)
        res = client.discovery.for_kind("", kind)
        if res is None:
            raise GitopsError(f"the cluster does not serve {kind}")
        obj = client.get(res, namespace, name)
        if obj is None:
            return None
        if kind == "Secret":
            return {
                k: _decoded(v, f"{kind} {namespace}/{name} key {k}")
                for k, v in (obj.get("data") or {}).items()
            }
        data = {str(k): str(v) for k, v in (obj.get("data") or {}).items()}
        for k, v in (obj.get("binaryData") or {}).items():
            data.setdefault(str(k), _decoded(v, f"{kind} {namespace}/{name} key {k}"))
        return data


def _decoded(value: object, where: str) -> str:
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        raise GitopsError(f"{where} is not base64") from None
