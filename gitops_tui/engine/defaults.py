"""Values the API server fills in when a field is absent (as observed in `shared/fixtures/real-cluster`).

Only the removal check needs them: when Git drops a field that was applied before, an apply removes it and
the server defaults it again. If live holds exactly that default, nothing will change, so it is not drift
(after kubectl's migration, gitops-tui owns every defaulted field of a client-side-applied Deployment, and
Git dropping none of them must not read as drift).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Check = Callable[[Any, Any], bool]  # (live value, the object holding the field) -> is the default

_POD_TEMPLATES: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def _is(expected: Any) -> Check:
    return lambda value, _holder: bool(value == expected)


def _pull_policy(value: Any, container: Any) -> bool:
    image = str(container.get("image", "")) if isinstance(container, dict) else ""
    name = image.rsplit("/", 1)[-1]
    untagged_or_latest = "@" not in name and (":" not in name or name.endswith(":latest"))
    return bool(value == ("Always" if untagged_or_latest else "IfNotPresent"))


def _target_port(value: Any, port: Any) -> bool:
    return isinstance(port, dict) and value == port.get("port")


_POD_SPEC: Mapping[tuple[str, ...], Check] = {
    ("dnsPolicy",): _is("ClusterFirst"),
    ("restartPolicy",): _is("Always"),
    ("schedulerName",): _is("default-scheduler"),
    ("terminationGracePeriodSeconds",): _is(30),
    ("enableServiceLinks",): _is(True),
}
_CONTAINER: Mapping[tuple[str, ...], Check] = {
    ("imagePullPolicy",): _pull_policy,
    ("terminationMessagePath",): _is("/dev/termination-log"),
    ("terminationMessagePolicy",): _is("File"),
    ("ports", "*", "protocol"): _is("TCP"),
}

_BY_KIND: Mapping[str, Mapping[tuple[str, ...], Check]] = {
    "Deployment": {
        ("spec", "replicas"): _is(1),
        ("spec", "progressDeadlineSeconds"): _is(600),
        ("spec", "revisionHistoryLimit"): _is(10),
        ("spec", "strategy", "type"): _is("RollingUpdate"),
        ("spec", "strategy", "rollingUpdate", "maxSurge"): _is("25%"),
        ("spec", "strategy", "rollingUpdate", "maxUnavailable"): _is("25%"),
    },
    "StatefulSet": {
        ("spec", "replicas"): _is(1),
        ("spec", "podManagementPolicy"): _is("OrderedReady"),
        ("spec", "revisionHistoryLimit"): _is(10),
        ("spec", "updateStrategy", "type"): _is("RollingUpdate"),
        ("spec", "updateStrategy", "rollingUpdate", "partition"): _is(0),
        ("spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"): _is("Retain"),
        ("spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"): _is("Retain"),
        ("spec", "volumeClaimTemplates", "*", "spec", "volumeMode"): _is("Filesystem"),
    },
    "DaemonSet": {
        ("spec", "revisionHistoryLimit"): _is(10),
        ("spec", "updateStrategy", "type"): _is("RollingUpdate"),
        ("spec", "updateStrategy", "rollingUpdate", "maxSurge"): _is(0),
        ("spec", "updateStrategy", "rollingUpdate", "maxUnavailable"): _is(1),
    },
    "CronJob": {
        ("spec", "concurrencyPolicy"): _is("Allow"),
        ("spec", "failedJobsHistoryLimit"): _is(1),
        ("spec", "successfulJobsHistoryLimit"): _is(3),
        ("spec", "suspend"): _is(False),
    },
    "Job": {
        ("spec", "backoffLimit"): _is(6),
        ("spec", "completionMode"): _is("NonIndexed"),
        ("spec", "completions"): _is(1),
        ("spec", "parallelism"): _is(1),
        ("spec", "suspend"): _is(False),
    },
    "Service": {
        ("spec", "type"): _is("ClusterIP"),
        ("spec", "sessionAffinity"): _is("None"),
        ("spec", "internalTrafficPolicy"): _is("Cluster"),
        ("spec", "ipFamilyPolicy"): _is("SingleStack"),
        ("spec", "ports", "*", "protocol"): _is("TCP"),
        ("spec", "ports", "*", "targetPort"): _target_port,
        # Allocated once and kept: dropping them from Git changes nothing.
        ("spec", "clusterIP"): lambda _v, _h: True,
        ("spec", "clusterIPs"): lambda _v, _h: True,
        ("spec", "ipFamilies"): lambda _v, _h: True,
    },
    "Secret": {("type",): _is("Opaque")},
    "Namespace": {("spec", "finalizers"): _is(["kubernetes"])},
}


def _rules(kind: str) -> dict[tuple[str, ...], Check]:
    rules = dict(_BY_KIND.get(kind, {}))
    prefix = _POD_TEMPLATES.get(kind)
    if prefix is not None:
        rules.update({(*prefix, *k): v for k, v in _POD_SPEC.items()})
        for containers in ("containers", "initContainers"):
            rules.update({(*prefix, containers, "*", *k): v for k, v in _CONTAINER.items()})
    return rules


_RULES: dict[str, dict[tuple[str, ...], Check]] = {}


def is_default(kind: str, tokens: Sequence[str], value: Any, holder: Any) -> bool:
    """Whether `value` at `tokens` (JSON pointer tokens) is what the server would default it to.
    `holder` is the live object that contains the field (a container, a port...)."""
    rules = _RULES.get(kind)
    if rules is None:
        rules = _RULES[kind] = _rules(kind)
    pattern = tuple("*" if t.isdigit() else t for t in tokens)
    check = rules.get(pattern)
    if check is None:
        return False
    return check(value, holder)
