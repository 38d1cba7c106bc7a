"""The shape of objects as server-side apply sees it: which maps are structs, which lists are keyed (and by
what), which fields are atomic.

This is a small hand-written subset of what the real server derives from its OpenAPI (structured-merge-diff
schemas): only the parts that change ownership or merging. Everything not listed follows the defaults a real
schema mostly has: objects are structs whose fields are tracked one by one, lists are atomic. A few field
names are atomic wherever they appear (label selectors), as they are in every built-in type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STRUCT = "struct"  # object with declared fields, tracked field by field
MAP = "map"  # map whose entries are not declared fields (a ".": {} marks non-empty object entries)
ASSOC = "assoc"  # list of objects keyed by `keys` (list-map)
SET = "set"  # list of scalars tracked item by item (v:...)
ATOMIC = "atomic"  # replaced and owned as a whole
SCALAR = "scalar"


@dataclass(frozen=True)
class Schema:
    kind: str
    fields: dict[str, Schema] = field(default_factory=dict)
    elem: Schema | None = None
    keys: tuple[str, ...] = ()
    key_defaults: dict[str, Any] = field(default_factory=dict)
    smp_key: str = ""  # strategic-merge-patch merge key (patchMergeKey); may differ from the SSA keys
    # Fields of a struct that are not declared: when False they are treated as declared (built-in types,
    # whose schema we only sketch); when True they are map entries (CRDs that preserve unknown fields).
    open_fields: bool = False

    def child(self, name: str) -> Schema:
        """Schema of a struct field or map entry."""
        if self.kind == MAP:
            return self.elem or DEDUCED
        found = self.fields.get(name)
        if found is not None:
            return found
        if name in _ATOMIC_NAMES:
            return ATOMIC_NODE
        return DEDUCED

    def declared(self, name: str) -> bool:
        if self.kind == MAP:
            return False
        return name in self.fields or not self.open_fields

    def item(self) -> Schema:
        return self.elem or DEDUCED


def resolve(schema: Schema, value: Any) -> Schema:
    """Turn the placeholder schemas into a concrete one for this value. "deduced" stands for fields of
    built-in types we do not sketch (objects are structs, lists atomic); "open" for CRD values under
    preserve-unknown-fields (objects are maps of undeclared entries, lists atomic)."""
    kind = schema.kind
    if kind == "deduced":
        if isinstance(value, dict):
            return DEDUCED_STRUCT
        return ATOMIC_NODE if isinstance(value, list) else SCALAR_NODE
    if kind == "open":
        if isinstance(value, dict):
            return OPEN_MAP
        return ATOMIC_NODE if isinstance(value, list) else SCALAR_NODE
    return schema


DEDUCED = Schema("deduced")
_OPEN = Schema("open")
OPEN_MAP = Schema(MAP, elem=_OPEN)
DEDUCED_STRUCT = Schema(STRUCT)
ATOMIC_NODE = Schema(ATOMIC)
SCALAR_NODE = Schema(SCALAR)
STRING_MAP = Schema(MAP, elem=SCALAR_NODE)
# Label selectors are atomic structs in every built-in type (structType=atomic), and Service.spec.selector,
# nodeSelector are atomic maps.
_ATOMIC_NAMES = frozenset({"selector", "labelSelector", "namespaceSelector", "podSelector", "nodeSelector"})


def struct(**fields: Schema) -> Schema:
    return Schema(STRUCT, fields=fields)


def assoc(
    keys: str | tuple[str, ...], elem: Schema | None = None, smp_key: str = "", **defaults: Any
) -> Schema:
    keys = (keys,) if isinstance(keys, str) else keys
    return Schema(
        ASSOC, elem=elem or DEDUCED_STRUCT, keys=keys, key_defaults=defaults, smp_key=smp_key or keys[0]
    )


SET_NODE = Schema(SET, elem=SCALAR_NODE)

CONDITIONS = assoc("type")
METADATA = struct(
    labels=STRING_MAP,
    annotations=STRING_MAP,
    finalizers=SET_NODE,
    ownerReferences=assoc("uid"),
)
CONTAINER = struct(
    ports=assoc(("containerPort", "protocol"), smp_key="containerPort", protocol="TCP"),
    env=assoc("name"),
    volumeMounts=assoc("mountPath"),
    volumeDevices=assoc("devicePath"),
    resources=struct(limits=STRING_MAP, requests=STRING_MAP, claims=assoc("name")),
    resizePolicy=assoc("resourceName"),
)
POD_SPEC = struct(
    containers=assoc("name", CONTAINER),
    initContainers=assoc("name", CONTAINER),
    ephemeralContainers=assoc("name", CONTAINER),
    volumes=assoc("name"),
    imagePullSecrets=assoc("name"),
    hostAliases=assoc("ip"),
    topologySpreadConstraints=assoc(("topologyKey", "whenUnsatisfiable")),
    resourceClaims=assoc("name"),
    schedulingGates=assoc("name"),
    readinessGates=ATOMIC_NODE,
)
POD_TEMPLATE = struct(metadata=METADATA, spec=POD_SPEC)
STATUS = struct(conditions=CONDITIONS)


def _object(spec: Schema | None = None, status: Schema = STATUS, **extra: Schema) -> Schema:
    fields: dict[str, Schema] = {"metadata": METADATA, "status": status, **extra}
    if spec is not None:
        fields["spec"] = spec
    return Schema(STRUCT, fields=fields)


GENERIC = _object()

_WORKLOAD_SPEC = struct(template=POD_TEMPLATE)
_JOB_SPEC = struct(template=POD_TEMPLATE)

BUILTIN: dict[tuple[str, str], Schema] = {
    ("", "Pod"): _object(POD_SPEC),
    ("", "PodTemplate"): _object(template=POD_TEMPLATE),
    ("", "Service"): _object(
        struct(
            ports=assoc(("port", "protocol"), smp_key="port", protocol="TCP"),
            selector=Schema(ATOMIC),
        )
    ),
    ("", "Namespace"): _object(struct(finalizers=ATOMIC_NODE)),
    ("", "PersistentVolumeClaim"): _object(
        struct(resources=struct(limits=STRING_MAP, requests=STRING_MAP), accessModes=ATOMIC_NODE)
    ),
    ("apps", "Deployment"): _object(_WORKLOAD_SPEC),
    ("apps", "ReplicaSet"): _object(_WORKLOAD_SPEC),
    ("apps", "DaemonSet"): _object(_WORKLOAD_SPEC),
    ("apps", "StatefulSet"): _object(struct(template=POD_TEMPLATE, volumeClaimTemplates=ATOMIC_NODE)),
    ("batch", "Job"): _object(_JOB_SPEC),
    ("batch", "CronJob"): _object(struct(jobTemplate=struct(metadata=METADATA, spec=_JOB_SPEC))),
    ("networking.k8s.io", "Ingress"): _object(struct(rules=ATOMIC_NODE, tls=ATOMIC_NODE)),
    ("autoscaling", "HorizontalPodAutoscaler"): _object(struct(metrics=ATOMIC_NODE)),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _object(struct(versions=ATOMIC_NODE)),
}


def for_kind(group: str, kind: str) -> Schema:
    return BUILTIN.get((group, kind), GENERIC)


def from_openapi(schema: dict[str, Any] | None) -> Schema:
    """A CRD's structural schema, converted as the real server does: properties are declared fields,
    additionalProperties make a map, x-kubernetes-list-type/-map-keys make keyed lists and sets, everything
    else in a list is atomic. Without a schema (or with preserve-unknown-fields) fields are map entries."""
    root = _from_openapi(schema or {"type": "object", "x-kubernetes-preserve-unknown-fields": True})
    fields = dict(root.fields)
    fields["metadata"] = METADATA
    return Schema(STRUCT, fields=fields, open_fields=root.open_fields)


def _from_openapi(s: dict[str, Any]) -> Schema:
    typ = s.get("type")
    if typ == "object" or "properties" in s or "additionalProperties" in s:
        if s.get("x-kubernetes-map-type") == "atomic":
            return ATOMIC_NODE
        props = s.get("properties") or {}
        if props:
            return Schema(
                STRUCT,
                fields={k: _from_openapi(v) for k, v in props.items()},
                open_fields=bool(s.get("x-kubernetes-preserve-unknown-fields")),
            )
        extra = s.get("additionalProperties")
        if isinstance(extra, dict):
            return Schema(MAP, elem=_from_openapi(extra))
        return Schema(MAP, elem=_OPEN)
    if typ == "array":
        list_type = s.get("x-kubernetes-list-type")
        items = s.get("items") or {}
        if list_type == "map":
            keys = tuple(s.get("x-kubernetes-list-map-keys") or ())
            elem = _from_openapi(items)
            defaults = {
                k: v["default"]
                for k, v in (items.get("properties") or {}).items()
                if k in keys and "default" in v
            }
            return Schema(ASSOC, elem=elem, keys=keys, key_defaults=defaults, smp_key=keys[0] if keys else "")
        if list_type == "set":
            return SET_NODE
        return ATOMIC_NODE
    if s.get("x-kubernetes-preserve-unknown-fields") or s.get("x-kubernetes-int-or-string"):
        return _OPEN if not s.get("x-kubernetes-int-or-string") else SCALAR_NODE
    return SCALAR_NODE
