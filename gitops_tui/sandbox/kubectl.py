"""The out-of-band changes operators make with kubectl, sent as kubectl sends them (same verbs, patch types
and field managers), through the official client. The demo uses them to make drift; tests use them to make drift
that looks exactly like the real thing in `managedFields`.
"""

from __future__ import annotations

import json
from typing import Any

from kubernetes import config as k8s_config

_PLURALS = {
    "Deployment": ("apps/v1", "deployments"),
    "StatefulSet": ("apps/v1", "statefulsets"),
    "DaemonSet": ("apps/v1", "daemonsets"),
    "ReplicaSet": ("apps/v1", "replicasets"),
    "Service": ("v1", "services"),
    "ConfigMap": ("v1", "configmaps"),
    "Secret": ("v1", "secrets"),
    "Namespace": ("v1", "namespaces"),
    "CronJob": ("batch/v1", "cronjobs"),
    "Job": ("batch/v1", "jobs"),
    "Ingress": ("networking.k8s.io/v1", "ingresses"),
}


def _path(kind: str, namespace: str, name: str = "", subresource: str = "") -> str:
    api_version, plural = _PLURALS[kind]
    base = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    ns = f"/namespaces/{namespace}" if namespace and kind != "Namespace" else ""
    tail = f"/{name}" if name else ""
    sub = f"/{subresource}" if subresource else ""
    return f"{base}{ns}/{plural}{tail}{sub}"


class KubectlError(RuntimeError):
    pass


class Kubectl:
    """A few kubectl verbs against one kube context."""

    def __init__(self, kubeconfig: str, context: str | None = None) -> None:
        self.api = k8s_config.new_client_from_config(  # type: ignore[no-untyped-call]
            config_file=str(kubeconfig), context=context
        )

    def close(self) -> None:
        self.api.close()

    def _call(
        self, method: str, path: str, body: Any = None, content_type: str = "application/json", **query: str
    ) -> dict[str, Any]:
        method, url, headers, body, post = self.api.param_serialize(
            method=method,
            resource_path=path,
            query_params=list(query.items()),
            header_params={"Content-Type": content_type, "Accept": "application/json"},
            body=body,
            auth_settings=["BearerToken"],
        )
        response = self.api.call_api(method, url, header_params=headers, body=body, post_params=post)
        data = response.read()
        if not 200 <= response.status < 300:
            raise KubectlError(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data) if data else {}

    def scale(self, kind: str, namespace: str, name: str, replicas: int) -> dict[str, Any]:
        """`kubectl scale`: a merge patch of the scale subresource as manager `kubectl`."""
        return self._call(
            "PATCH",
            _path(kind, namespace, name, "scale"),
            {"spec": {"replicas": replicas}},
            "application/merge-patch+json",
            fieldManager="kubectl",
        )

    def set_image(self, kind: str, namespace: str, name: str, container: str, image: str) -> dict[str, Any]:
        """`kubectl set image`: a strategic merge patch as manager `kubectl-set`."""
        patch = {"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}}
        return self._call(
            "PATCH",
            _path(kind, namespace, name),
            patch,
            "application/strategic-merge-patch+json",
            fieldManager="kubectl-set",
        )

    def set_env(
        self, kind: str, namespace: str, name: str, container: str, env: str, value: str
    ) -> dict[str, Any]:
        """`kubectl edit` of one env var: a strategic merge patch as manager `kubectl-edit`."""
        patch = {
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": container, "env": [{"name": env, "value": value}]}]}
                }
            }
        }
        return self._call(
            "PATCH",
            _path(kind, namespace, name),
            patch,
            "application/strategic-merge-patch+json",
            fieldManager="kubectl-edit",
        )

    def patch(self, kind: str, namespace: str, name: str, patch: dict[str, Any]) -> dict[str, Any]:
        """`kubectl patch` (strategic) as manager `kubectl-patch`."""
        return self._call(
            "PATCH",
            _path(kind, namespace, name),
            patch,
            "application/strategic-merge-patch+json",
            fieldManager="kubectl-patch",
        )

    def delete(self, kind: str, namespace: str, name: str) -> None:
        self._call("DELETE", _path(kind, namespace, name))

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        """`kubectl create` as manager `kubectl-create`."""
        meta = obj.get("metadata") or {}
        return self._call(
            "POST", _path(obj["kind"], meta.get("namespace", "")), obj, fieldManager="kubectl-create"
        )

    def get(self, kind: str, namespace: str, name: str) -> dict[str, Any]:
        return self._call("GET", _path(kind, namespace, name))
