"""A plain REST client over the official `kubernetes` ApiClient, as any Python tool would use it: every
request goes through the client's own serialization, auth and urllib3 transport to the sandbox."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from kubernetes import config

APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


class Response:
    def __init__(self, status: int, data: bytes) -> None:
        self.status = status
        self.raw = data
        self.body: Any = data
        if data[:1] in (b"{", b"["):
            with contextlib.suppress(ValueError):  # a watch stream: several documents, one per line
                self.body = json.loads(data)

    def __repr__(self) -> str:
        return f"Response({self.status}, {self.body!r:.300})"


class Rest:
    def __init__(self, kubeconfig: Path | str, context: str | None = None) -> None:
        self.api = config.new_client_from_config(config_file=str(kubeconfig), context=context)

    def close(self) -> None:
        self.api.close()

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        content_type: str = "application/json",
        timeout: float = 30.0,
        **query: Any,
    ) -> Response:
        params = [
            (k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in query.items() if v is not None
        ]
        m, url, headers, payload, post = self.api.param_serialize(
            method=method,
            resource_path=path,
            query_params=params,
            header_params={"Content-Type": content_type, "Accept": "application/json"},
            body=body,
            auth_settings=["BearerToken"],
        )
        resp = self.api.call_api(
            m, url, header_params=headers, body=payload, post_params=post, _request_timeout=timeout
        )
        return Response(int(resp.status), resp.read())

    def get(self, path: str, **query: Any) -> Response:
        return self.request("GET", path, **query)

    def create(self, path: str, obj: dict[str, Any], **query: Any) -> Response:
        return self.request("POST", path, obj, **query)

    def put(self, path: str, obj: dict[str, Any], **query: Any) -> Response:
        return self.request("PUT", path, obj, **query)

    def patch(self, path: str, patch: Any, content_type: str = MERGE, **query: Any) -> Response:
        return self.request("PATCH", path, patch, content_type, **query)

    def apply(
        self,
        path: str,
        obj: dict[str, Any],
        manager: str = "gitops-tui",
        force: bool = False,
        dry_run: bool = False,
    ) -> Response:
        # The body goes as JSON text, as kubectl and the Python client send apply configurations.
        return self.request(
            "PATCH",
            path,
            json.dumps(obj),
            APPLY,
            fieldManager=manager,
            force=force if force else None,
            dryRun="All" if dry_run else None,
        )

    def delete(self, path: str, **query: Any) -> Response:
        return self.request("DELETE", path, **query)


def path_of(obj: dict[str, Any], subresource: str = "") -> str:
    """REST path of an object of the kinds the tests use."""
    api_version, kind = obj["apiVersion"], obj["kind"]
    meta = obj.get("metadata") or {}
    plural = PLURALS.get(kind) or kind.lower() + "s"
    base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    ns = f"/namespaces/{meta['namespace']}" if meta.get("namespace") and kind != "Namespace" else ""
    sub = f"/{subresource}" if subresource else ""
    return f"{base}{ns}/{plural}/{meta['name']}{sub}"


PLURALS = {
    "Ingress": "ingresses",
    "HorizontalPodAutoscaler": "horizontalpodautoscalers",
    "CustomResourceDefinition": "customresourcedefinitions",
    "NetworkPolicy": "networkpolicies",
    "Endpoints": "endpoints",
}
