"""What is noise, and what counts as equal.

`strip_noise` removes what the server or its controllers write on every object (never drift). The rest is
client-side normalization, for comparing Git with live without a server-side dry run: the server
canonicalizes quantities (`0.5` -> `500m`, fixture 05), folds Secret `stringData` into base64 `data`
(fixture 10), and omits empty and zero values of optional fields.

Int versus string: the API server keeps an IntOrString as given (`targetPort: "8080"` and `8080` are
different values, and a numeric string there would be rejected as a port name anyway), so for those fields
the type counts. Anywhere else a number and its decimal text are taken as equal: a Helm template that quotes
a number in a plain-int field is what a person means, and the server would have coerced or rejected it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from gitops_tui.engine import quantity
from gitops_tui.model import Obj

NOISE_METADATA = (
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
)

# Written by controllers or by kubectl's own bookkeeping, never by the person who wrote Git.
NOISE_ANNOTATIONS = frozenset(
    {
        "deployment.kubernetes.io/revision",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "kubectl.kubernetes.io/last-applied-configuration",
        "control-plane.alpha.kubernetes.io/leader",
        "endpoints.kubernetes.io/last-change-trigger-time",
        "pv.kubernetes.io/bind-completed",
        "pv.kubernetes.io/bound-by-controller",
        "pv.kubernetes.io/provisioned-by",
        "pv.kubernetes.io/migrated-to",
        "volume.beta.kubernetes.io/storage-provisioner",
        "volume.kubernetes.io/storage-provisioner",
        "volume.kubernetes.io/selected-node",
        "kubernetes.io/service-account.uid",
        "autoscaling.alpha.kubernetes.io/conditions",
        "autoscaling.alpha.kubernetes.io/current-metrics",
    }
)

# Fields whose type is IntOrString: "80" and 80 are different values there.
INT_OR_STRING = frozenset({"targetPort", "port", "maxSurge", "maxUnavailable", "minAvailable", "partition"})

# Maps whose values are quantities (resources.limits/requests, ResourceQuota hard, PV capacity, pod
# overhead, LimitRange items), and scalar fields that are one.
QUANTITY_MAPS = frozenset(
    {
        "limits",
        "requests",
        "hard",
        "capacity",
        "overhead",
        "max",
        "min",
        "default",
        "defaultRequest",
        "maxLimitRequestRatio",
    }
)
QUANTITY_FIELDS = frozenset({"sizeLimit"})


def strip_noise(obj: Obj) -> Obj:
    """A copy without status, server bookkeeping and controller annotations. Only the top level and
    `metadata` are copied; everything below is shared with `obj`, so treat the result as read-only."""
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        new_meta = {k: v for k, v in meta.items() if k not in NOISE_METADATA}
        annotations = meta.get("annotations")
        if isinstance(annotations, dict):
            kept = {k: v for k, v in annotations.items() if k not in NOISE_ANNOTATIONS}
            if kept:
                new_meta["annotations"] = kept
            else:
                new_meta.pop("annotations", None)
        elif "annotations" in new_meta and not annotations:
            del new_meta["annotations"]
        if "labels" in new_meta and not new_meta["labels"]:
            del new_meta["labels"]
        out["metadata"] = new_meta
    return out


def without_empty(value: Any) -> Any:
    """A copy without map entries whose value is an empty map or list (after the same is done below
    them). The comparison already treats empty and absent as equal; a diff shown without them does not
    show `- args: []` as a change that is not one."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            item = without_empty(item)
            if item == {} or item == []:
                continue
            out[key] = item
        return out
    if isinstance(value, list):
        return [without_empty(item) for item in value]
    return value


def is_secret(obj: Obj) -> bool:
    return obj.get("kind") == "Secret" and obj.get("apiVersion") == "v1"


def fold_secret(obj: Obj) -> Obj:
    """Secret `stringData` folded into base64 `data`, as the API server stores it."""
    if not is_secret(obj) or not isinstance(obj.get("stringData"), dict):
        return obj
    if not isinstance(obj.get("data") or {}, dict):
        return obj  # malformed (`data: "x"`): compared as written, never a crash
    data = dict(obj.get("data") or {})
    for k, v in obj["stringData"].items():
        data[k] = base64.b64encode(("" if v is None else str(v)).encode()).decode()
    out = {k: v for k, v in obj.items() if k != "stringData"}
    out["data"] = data
    return out


def is_empty(value: Any) -> bool:
    """The values the server omits for optional fields: an empty Git value means "not set"."""
    return (
        value is None
        or value == ""
        or value == {}
        or value == []
        or value is False
        or (type(value) in (int, float) and value == 0)
    )


def is_quantity_context(tokens: Sequence[str]) -> bool:
    return (len(tokens) >= 2 and tokens[-2] in QUANTITY_MAPS) or (
        bool(tokens) and tokens[-1] in QUANTITY_FIELDS
    )


def scalar_equal(git: Any, live: Any, tokens: Sequence[str] = ()) -> bool:
    """Equality of two values at the field `tokens`, allowing for the server's rewriting (see module doc)."""
    if type(git) is type(live) and git == live:
        return True
    if isinstance(git, list) and isinstance(live, list):
        return len(git) == len(live) and all(
            scalar_equal(g, v, tokens) for g, v in zip(git, live, strict=True)
        )
    if isinstance(git, dict) or isinstance(live, dict) or isinstance(git, list) or isinstance(live, list):
        return bool(git == live)
    if isinstance(git, bool) or isinstance(live, bool):
        return git is live
    if git is None or live is None:
        return False
    if (
        is_quantity_context(tokens)
        and isinstance(git, str | int | float)
        and isinstance(live, str | int | float)
    ):
        return quantity.equal(git, live)
    if isinstance(git, int | float) and isinstance(live, int | float):
        return bool(git == live)
    field = tokens[-1] if tokens else ""
    if field in INT_OR_STRING:
        return False
    return _numeric_text_equal(git, live) or _numeric_text_equal(live, git)


def _numeric_text_equal(text: Any, number: Any) -> bool:
    if not isinstance(text, str) or not isinstance(number, int | float):
        return False
    try:
        return float(text) == number
    except ValueError:
        return False
