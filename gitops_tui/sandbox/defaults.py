"""Defaulting as kube-apiserver v1.36 did it for the captured fixtures (`shared/fixtures/real-cluster`,
"Server defaults"): the values it fills in, the zero-valued structs it serializes (`resources: {}`,
`metadata: {}` in templates, `status: {}`), Secret `stringData` folding and canonical quantities.

Defaulting runs on every write (create, update, patch and apply results), so it must be idempotent.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from gitops_tui.sandbox.quantity import canonical

Obj = dict[str, Any]


def _pod_spec_paths(kind: str) -> tuple[tuple[str, ...], ...]:
    if kind == "Pod":
        return (("spec",),)
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController"):
        return (("spec", "template"),)
    if kind == "CronJob":
        return (("spec", "jobTemplate", "spec", "template"),)
    if kind == "PodTemplate":
        return (("template",),)
    return ()


def apply_defaults(obj: Obj, group: str, kind: str, allocate_ip: Callable[[], str] | None = None) -> Obj:
    meta = obj.setdefault("metadata", {})
    if isinstance(meta, dict):
        _drop_empty_meta_maps(meta)
    for path in _pod_spec_paths(kind):
        holder: Any = obj
        for part in path:
            holder = holder.setdefault(part, {}) if isinstance(holder, dict) else None
        if not isinstance(holder, dict):
            continue
        if kind == "Pod":
            _pod_spec(holder)
        else:
            holder.setdefault("metadata", {})
            spec = holder.setdefault("spec", {})
            if isinstance(spec, dict):
                _pod_spec(spec)
    handler = _BY_KIND.get((group, kind))
    if handler is not None:
        handler(obj)
    if kind == "Service" and group == "":
        _service(obj, allocate_ip)
    return obj


def _drop_empty_meta_maps(meta: Obj) -> None:
    # Go's omitempty drops empty label/annotation maps and finalizer lists.
    for key in ("labels", "annotations", "finalizers", "ownerReferences"):
        if key in meta and not meta[key]:
            del meta[key]


# ---------------------------------------------------------------- pods


def _pod_spec(spec: Obj) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or ():
            if isinstance(c, dict):
                _container(c)
    for v in spec.get("volumes") or ():
        if not isinstance(v, dict):
            continue
        for source in ("configMap", "secret", "projected", "downwardAPI"):
            if isinstance(v.get(source), dict):
                v[source].setdefault("defaultMode", 420)
        if isinstance(v.get("emptyDir"), dict) and "sizeLimit" in v["emptyDir"]:
            v["emptyDir"]["sizeLimit"] = canonical(v["emptyDir"]["sizeLimit"]) or v["emptyDir"]["sizeLimit"]


def _container(c: Obj) -> None:
    image = str(c.get("image") or "")
    tag = image.rsplit("/", 1)[-1]
    untagged_or_latest = "@" not in tag and (":" not in tag or tag.endswith(":latest"))
    c.setdefault("imagePullPolicy", "Always" if untagged_or_latest else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    resources = c.setdefault("resources", {})
    if isinstance(resources, dict):
        _quantities(resources)
    for port in c.get("ports") or ():
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for env in c.get("env") or ():
        field_ref = (env.get("valueFrom") or {}).get("fieldRef") if isinstance(env, dict) else None
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        p = c.get(probe)
        if isinstance(p, dict):
            p.setdefault("timeoutSeconds", 1)
            p.setdefault("periodSeconds", 10)
            p.setdefault("successThreshold", 1)
            p.setdefault("failureThreshold", 3)
            if isinstance(p.get("httpGet"), dict):
                p["httpGet"].setdefault("scheme", "HTTP")


def _quantities(resources: Obj) -> None:
    for section in ("limits", "requests"):
        values = resources.get(section)
        if isinstance(values, dict):
            for k, v in values.items():
                values[k] = canonical(v) or v


# ---------------------------------------------------------------- workloads


def _deployment(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    obj.setdefault("status", {})


def _statefulset(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("partition", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    policy = spec.setdefault("persistentVolumeClaimRetentionPolicy", {})
    policy.setdefault("whenDeleted", "Retain")
    policy.setdefault("whenScaled", "Retain")
    for claim in spec.get("volumeClaimTemplates") or ():
        if isinstance(claim, dict):
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            _pvc(claim)
    obj.setdefault("status", {})


def _daemonset(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    strategy = spec.setdefault("updateStrategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    obj.setdefault("status", {})


def _replicaset(obj: Obj) -> None:
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    obj.setdefault("status", {})


def _job(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("parallelism", 1)
    spec.setdefault("completions", 1)
    spec.setdefault("backoffLimit", 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
    spec.setdefault("manualSelector", None)
    if spec.get("manualSelector") is None:
        del spec["manualSelector"]
    uid = str((obj.get("metadata") or {}).get("uid") or "")
    name = str((obj.get("metadata") or {}).get("name") or "")
    if uid and not spec.get("manualSelector"):
        # The job controller's selector and labels, generated at create from the uid.
        spec.setdefault("selector", {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}})
        labels = spec.setdefault("template", {}).setdefault("metadata", {}).setdefault("labels", {})
        for key, value in (
            ("batch.kubernetes.io/controller-uid", uid),
            ("batch.kubernetes.io/job-name", name),
            ("controller-uid", uid),
            ("job-name", name),
        ):
            labels.setdefault(key, value)
    obj.setdefault("status", {})


def _cronjob(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    spec.setdefault("jobTemplate", {}).setdefault("metadata", {})
    obj.setdefault("status", {})


# ---------------------------------------------------------------- core


def _service(obj: Obj, allocate_ip: Callable[[], str] | None) -> None:
    spec = obj.setdefault("spec", {})
    typ = spec.setdefault("type", "ClusterIP")
    for port in spec.get("ports") or ():
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if "targetPort" not in port and "port" in port:
                port["targetPort"] = port["port"]
    if typ != "ExternalName":
        spec.setdefault("sessionAffinity", "None")
        if not spec.get("clusterIP"):
            ips = spec.get("clusterIPs")
            spec["clusterIP"] = ips[0] if ips else (allocate_ip() if allocate_ip else "10.96.0.10")
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        if typ in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
            for i, port in enumerate(spec.get("ports") or ()):
                if isinstance(port, dict):
                    port.setdefault("nodePort", 30000 + (hash((obj["metadata"].get("name"), i)) % 2767))
        if typ == "LoadBalancer":
            spec.setdefault("allocateLoadBalancerNodePorts", True)
    obj.setdefault("status", {}).setdefault("loadBalancer", {})


def _secret(obj: Obj) -> None:
    obj.setdefault("type", "Opaque")
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        data = obj.setdefault("data", {})
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()


def _namespace(obj: Obj) -> None:
    name = obj["metadata"].get("name")
    if name:
        obj["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = name
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {}).setdefault("phase", "Active")


def _pvc(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("volumeMode", "Filesystem")
    if isinstance(spec.get("resources"), dict):
        _quantities(spec["resources"])
    obj.setdefault("status", {}).setdefault("phase", "Pending")


def _pod(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("serviceAccountName", "default")
    status = obj.setdefault("status", {})
    status.setdefault("phase", "Pending")
    status.setdefault("qosClass", "BestEffort")


def _ingress(obj: Obj) -> None:
    obj.setdefault("status", {}).setdefault("loadBalancer", {})


def _hpa(obj: Obj) -> None:
    obj.setdefault("spec", {}).setdefault("minReplicas", 1)


def _crd(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("conversion", {}).setdefault("strategy", "None")
    names = spec.get("names")
    if isinstance(names, dict) and names.get("kind"):
        names.setdefault("listKind", names["kind"] + "List")
        names.setdefault("singular", str(names["kind"]).lower())
    if not obj.get("status"):
        storage = [
            str(v.get("name")) for v in spec.get("versions") or () if isinstance(v, dict) and v.get("storage")
        ]
        obj["status"] = {"acceptedNames": {"kind": "", "plural": ""}, "storedVersions": storage}


_BY_KIND: dict[tuple[str, str], Callable[[Obj], None]] = {
    ("apps", "Deployment"): _deployment,
    ("apps", "StatefulSet"): _statefulset,
    ("apps", "DaemonSet"): _daemonset,
    ("apps", "ReplicaSet"): _replicaset,
    ("batch", "Job"): _job,
    ("batch", "CronJob"): _cronjob,
    ("", "Secret"): _secret,
    ("", "Namespace"): _namespace,
    ("", "PersistentVolumeClaim"): _pvc,
    ("", "Pod"): _pod,
    ("networking.k8s.io", "Ingress"): _ingress,
    ("autoscaling", "HorizontalPodAutoscaler"): _hpa,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _crd,
}


def schema_defaults(value: Any, schema: dict[str, Any] | None) -> Any:
    """`default`s of a CRD's openAPIV3Schema, applied to absent fields (nested objects first exist)."""
    if not isinstance(schema, dict) or not isinstance(value, dict):
        return value
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        if name not in value and "default" in prop:
            value[name] = _copy(prop["default"])
        if isinstance(value.get(name), dict):
            schema_defaults(value[name], prop)
        elif isinstance(value.get(name), list) and isinstance(prop.get("items"), dict):
            for item in value[name]:
                schema_defaults(item, prop["items"])
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for k, v in value.items():
            if isinstance(v, dict) and k not in (schema.get("properties") or {}):
                schema_defaults(v, extra)
    return value


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
