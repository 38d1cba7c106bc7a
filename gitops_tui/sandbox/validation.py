"""The validation a real server does that tools meet in practice, with its messages (422 Invalid): names,
required fields, duplicate keys in lists (fixture 22), immutable fields."""

from __future__ import annotations

import json
import re
from typing import Any

from gitops_tui.sandbox.errors import invalid

Obj = dict[str, Any]
Cause = tuple[str, str, str]  # (field, reason, message)

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
# Kinds whose names must be DNS labels rather than subdomains.
_LABEL_NAMED = {"Namespace", "Service"}


def _required(path: str, detail: str = "") -> Cause:
    return (path, "FieldValueRequired", "Required value" + (f": {detail}" if detail else ""))


def _value(v: Any) -> str:
    return json.dumps(v, separators=(",", ":")) if not isinstance(v, str) else json.dumps(v)


def _immutable(path: str, value: Any) -> Cause:
    return (path, "FieldValueInvalid", f"Invalid value: {_value(value)}: field is immutable")


def validate(obj: Obj, group: str, kind: str, old: Obj | None = None) -> None:
    """Raise 422 Invalid with every problem found."""
    causes: list[Cause] = []
    meta = obj.get("metadata") or {}
    name = str(meta.get("name") or "")
    if not name:
        causes.append(_required("metadata.name", "name or generateName is required"))
    elif kind in _LABEL_NAMED and group == "":
        if len(name) > 63 or not _LABEL.match(name):
            causes.append(
                ("metadata.name", "FieldValueInvalid", f"Invalid value: {_value(name)}: {_LABEL_MSG}")
            )
    elif len(name) > 253 or not _SUBDOMAIN.match(name):
        causes.append(
            ("metadata.name", "FieldValueInvalid", f"Invalid value: {_value(name)}: {_SUBDOMAIN_MSG}")
        )
    checker = _CHECKS.get((group, kind))
    if checker is not None:
        checker(obj, old, causes)
    if causes:
        raise invalid(kind, group, name, causes)


def _pod_spec(spec: Any, path: str, causes: list[Cause]) -> None:
    if not isinstance(spec, dict):
        causes.append(_required(path))
        return
    containers = spec.get("containers")
    if not containers:
        causes.append(_required(f"{path}.containers"))
        return
    seen: set[str] = set()
    for i, c in enumerate(containers):
        if not isinstance(c, dict):
            continue
        cname = c.get("name")
        if not cname:
            causes.append(_required(f"{path}.containers[{i}].name"))
        elif cname in seen:
            causes.append(
                (f"{path}.containers[{i}].name", "FieldValueDuplicate", f"Duplicate value: {_value(cname)}")
            )
        else:
            seen.add(cname)
        if not c.get("image"):
            causes.append(_required(f"{path}.containers[{i}].image"))


def _workload(obj: Obj, old: Obj | None, causes: list[Cause], selector_immutable: bool = True) -> None:
    spec = obj.get("spec") or {}
    selector = spec.get("selector")
    template = spec.get("template") or {}
    if not selector:
        causes.append(_required("spec.selector"))
    else:
        labels = (template.get("metadata") or {}).get("labels") or {}
        wanted = selector.get("matchLabels") or {}
        if any(labels.get(k) != v for k, v in wanted.items()):
            causes.append(
                (
                    "spec.template.metadata.labels",
                    "FieldValueInvalid",
                    f"Invalid value: {_value(labels)}: `selector` does not match template `labels`",
                )
            )
    _pod_spec(template.get("spec"), "spec.template.spec", causes)
    if old is not None and selector_immutable:
        before = (old.get("spec") or {}).get("selector")
        if before is not None and before != selector:
            causes.append(_immutable("spec.selector", selector))


def _deployment(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    _workload(obj, old, causes)
    replicas = (obj.get("spec") or {}).get("replicas")
    if isinstance(replicas, int) and replicas < 0:
        causes.append(
            (
                "spec.replicas",
                "FieldValueInvalid",
                f"Invalid value: {replicas}: must be greater than or equal to 0",
            )
        )


def _statefulset(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    _workload(obj, old, causes, selector_immutable=False)
    if old is not None:
        mutable = {
            "replicas",
            "ordinals",
            "template",
            "updateStrategy",
            "persistentVolumeClaimRetentionPolicy",
            "minReadySeconds",
        }
        spec, before = obj.get("spec") or {}, old.get("spec") or {}
        if any(spec.get(k) != before.get(k) for k in set(spec) | set(before) if k not in mutable):
            causes.append(
                (
                    "spec",
                    "FieldValueForbidden",
                    "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                    "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
                    "are forbidden",
                )
            )


def _job(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    spec = obj.get("spec") or {}
    template = spec.get("template") or {}
    _pod_spec(template.get("spec"), "spec.template.spec", causes)
    policy = (template.get("spec") or {}).get("restartPolicy")
    if policy not in (None, "OnFailure", "Never"):
        causes.append(
            (
                "spec.template.spec.restartPolicy",
                "FieldValueNotSupported",
                f'Unsupported value: {_value(policy)}: supported values: "OnFailure", "Never"',
            )
        )
    if old is not None and (old.get("spec") or {}).get("template") != template:
        causes.append(_immutable("spec.template", template))


def _cronjob(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    spec = obj.get("spec") or {}
    if not spec.get("schedule"):
        causes.append(_required("spec.schedule"))
    job_spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    _pod_spec((job_spec.get("template") or {}).get("spec"), "spec.jobTemplate.spec.template.spec", causes)


def _service(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    spec = obj.get("spec") or {}
    ports = spec.get("ports") or []
    names: set[str] = set()
    keys: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        if not isinstance(port, dict):
            continue
        if len(ports) > 1 and not port.get("name"):
            causes.append(_required(f"spec.ports[{i}].name"))
        pname = port.get("name")
        if pname:
            if pname in names:
                causes.append(
                    (f"spec.ports[{i}].name", "FieldValueDuplicate", f"Duplicate value: {_value(pname)}")
                )
            names.add(pname)
        if "port" not in port:
            causes.append(_required(f"spec.ports[{i}].port"))
        key = (port.get("port"), port.get("protocol", "TCP"))
        if key in keys:
            causes.append(
                (
                    f"spec.ports[{i}]",
                    "FieldValueDuplicate",
                    f"Duplicate value: {_value({'port': key[0], 'protocol': key[1]})}",
                )
            )
        keys.add(key)
    if not ports and spec.get("type", "ClusterIP") != "ExternalName" and spec.get("clusterIP") != "None":
        causes.append(_required("spec.ports"))
    if old is not None:
        before = (old.get("spec") or {}).get("clusterIP")
        now = spec.get("clusterIP")
        if before and now and before != now:
            causes.append(_immutable("spec.clusterIP", now))


def _ingress(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    for i, rule in enumerate((obj.get("spec") or {}).get("rules") or ()):
        for j, path in enumerate(((rule or {}).get("http") or {}).get("paths") or ()):
            if isinstance(path, dict) and not path.get("pathType"):
                causes.append(
                    _required(f"spec.rules[{i}].http.paths[{j}].pathType", "pathType must be specified")
                )


def _configmap(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    for section in ("data", "binaryData"):
        for key, value in (obj.get(section) or {}).items():
            if section == "data" and not isinstance(value, str):
                causes.append(
                    (
                        f"{section}[{key}]",
                        "FieldValueInvalid",
                        f"Invalid value: {_value(value)}: must be a string",
                    )
                )


def _crd(obj: Obj, old: Obj | None, causes: list[Cause]) -> None:
    spec = obj.get("spec") or {}
    names = spec.get("names") or {}
    group, plural = spec.get("group"), names.get("plural")
    if not group:
        causes.append(_required("spec.group"))
    if not plural:
        causes.append(_required("spec.names.plural"))
    if not names.get("kind"):
        causes.append(_required("spec.names.kind"))
    name = (obj.get("metadata") or {}).get("name")
    if group and plural and name != f"{plural}.{group}":
        causes.append(
            (
                "metadata.name",
                "FieldValueInvalid",
                f'Invalid value: {_value(name)}: must be spec.names.plural+"."+spec.group',
            )
        )
    if not spec.get("versions"):
        causes.append(_required("spec.versions", "must have exactly one version marked as storage version"))


_CHECKS = {
    ("apps", "Deployment"): _deployment,
    ("apps", "ReplicaSet"): _deployment,
    ("apps", "DaemonSet"): _workload,
    ("apps", "StatefulSet"): _statefulset,
    ("batch", "Job"): _job,
    ("batch", "CronJob"): _cronjob,
    ("", "Service"): _service,
    ("", "ConfigMap"): _configmap,
    ("networking.k8s.io", "Ingress"): _ingress,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
}
