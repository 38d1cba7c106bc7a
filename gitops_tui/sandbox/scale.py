"""The scale subresource (`kubectl scale`, an HPA): the Scale view of an object, the replicas a request
asks for, and who owns `spec.replicas` afterwards. Pure: `operations.Api` reads and stores."""

from __future__ import annotations

from typing import Any

from gitops_tui.sandbox import errors, patches
from gitops_tui.sandbox import fieldset as fs
from gitops_tui.sandbox import managed as mf
from gitops_tui.sandbox.catalog import ResourceType

Obj = dict[str, Any]
REPLICAS = ("f:spec", "f:replicas")


def scale_of(obj: Obj) -> Obj:
    """The autoscaling/v1 Scale a server shows for a Deployment, StatefulSet or ReplicaSet."""
    meta = obj["metadata"]
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": ",".join(f"{k}={v}" for k, v in selector.items()),
        },
    }


def requested_replicas(old: Obj, doc: Any, content_type: str, rt: ResourceType, name: str) -> int:
    """The replicas a PUT (a whole Scale) or a PATCH (merge, strategic, JSON) of /scale asks for; 409 on a
    stale resourceVersion, 415 for another body type, 422 for a value that is not a count."""
    if content_type in ("application/json", ""):
        if not isinstance(doc, dict):
            raise errors.bad_request("the body of the request was not a JSON object")
        rv = str((doc.get("metadata") or {}).get("resourceVersion") or "")
        if rv and rv != old["metadata"]["resourceVersion"]:
            raise errors.conflict(rt.plural, rt.group, name)
        wanted = doc
    else:
        wanted = patches.apply_patch(content_type, scale_of(old), doc, rt.schema)
    replicas = (wanted.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or replicas < 0:
        raise errors.invalid(
            "Scale",
            "autoscaling",
            name,
            [
                (
                    "spec.replicas",
                    "FieldValueInvalid",
                    f"Invalid value: {replicas}: must be greater than or equal to 0",
                )
            ],
        )
    return replicas


def replicas_owners(entries: list[mf.Entry], manager: str, api_version: str) -> list[mf.Entry]:
    """managedFields after the scaler changed the replicas: nobody else owns `spec.replicas` any more; the
    scaler gets it (an Update on the `scale` subresource, without a time) only if someone owned it before.
    Nobody's field stays nobody's (real-cluster fixtures 01 and 07)."""
    owned = any(fs.has(e.fields, REPLICAS) for e in entries)
    replicas_set = fs.from_paths(REPLICAS)
    mine = mf.find(entries, (manager, mf.UPDATE, api_version, "scale"))
    kept = []
    for e in entries:
        if e is mine:
            continue
        fields = fs.difference(e.fields, replicas_set)
        if fields:
            kept.append(mf.Entry(e.manager, e.operation, e.api_version, fields, e.time, e.subresource))
    if owned:
        kept.append(
            mf.Entry(manager, mf.UPDATE, api_version, replicas_set, mine.time if mine else None, "scale")
        )
    return kept
