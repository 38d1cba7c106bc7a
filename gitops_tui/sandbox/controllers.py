"""A tiny kube-controller-manager for the demo: shortly after a workload changes, it writes the status a
healthy cluster would show (through the status subresource, as manager `kube-controller-manager`), keeps
`deployment.kubernetes.io/revision` (bumped on pod-template changes), completes Jobs and binds PVCs.

It makes no Pods or ReplicaSets; only the status of the objects tools look at.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
from typing import Any

from gitops_tui.sandbox import errors, objects, ssa
from gitops_tui.sandbox.catalog import ResourceType
from gitops_tui.sandbox.operations import Api

MANAGER = "kube-controller-manager"
REVISION = "deployment.kubernetes.io/revision"
_WATCHED = {
    ("apps", "deployments"),
    ("apps", "statefulsets"),
    ("apps", "daemonsets"),
    ("apps", "replicasets"),
    ("batch", "jobs"),
    ("", "persistentvolumeclaims"),
}


def _hash(value: Any) -> str:
    digest = hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
    return "".join(c for c in digest if c in "bcdfghjklmnpqrstvwxz2456789")[:10]


class Controllers:
    def __init__(self, api: Api, delay: float = 0.05) -> None:
        self.api = api
        self.delay = delay
        self._queue: queue.SimpleQueue[tuple[float, ResourceType, str, str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # uid -> (pod template hash, revision): what the Deployment controller keeps in ReplicaSets.
        self._revisions: dict[str, tuple[str, int]] = {}
        api.listeners.append(self._changed)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-controllers", daemon=True)
            self._thread.start()
            # Catch up with what changed while stopped.
            for (group, plural), stored in self.api.store.all_objects():
                rt = self.api.registry.lookup(group, "v1", plural)
                if rt is not None and (group, plural) in _WATCHED:
                    self._changed(rt, stored.obj, False)

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=5)
            self._thread = None

    def _changed(self, rt: ResourceType, obj: dict[str, Any], deleted: bool) -> None:
        if deleted or (rt.group, rt.plural) not in _WATCHED:
            return
        meta = obj["metadata"]
        self._queue.put((time.monotonic() + self.delay, rt, meta.get("namespace") or "", meta["name"]))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            due, rt, ns, name = item
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                self._reconcile(rt, ns, name)
            except errors.ApiError:
                continue  # changed or deleted meanwhile; the next event brings it back

    def _reconcile(self, rt: ResourceType, ns: str, name: str) -> None:
        stored = self.api.store.get((rt.group, rt.plural), ns, name)
        if stored is None or stored.obj["metadata"].get("deletionTimestamp"):
            return
        obj = objects.without_managed_fields(stored.obj)
        status = ssa.copy(obj.get("status") or {})
        annotations = dict(obj["metadata"].get("annotations") or {})
        handler = getattr(self, f"_{rt.kind.lower()}", None)
        if handler is None:
            return
        handler(obj, status, annotations)
        if status == (obj.get("status") or {}) and annotations == (obj["metadata"].get("annotations") or {}):
            return
        new = ssa.copy(obj)
        new["status"] = status
        if annotations:
            new["metadata"]["annotations"] = annotations
        new["metadata"]["resourceVersion"] = stored.obj["metadata"]["resourceVersion"]
        self.api.replace(rt, ns, name, new, MANAGER, False, "status")

    # ------------------------------------------------------------ per kind

    def _condition(
        self,
        status: dict[str, Any],
        kind: str,
        value: str,
        reason: str,
        message: str,
        update_time: bool = True,
    ) -> None:
        now = objects.now()
        conditions = status.setdefault("conditions", [])
        for c in conditions:
            if c.get("type") == kind:
                if (c.get("status"), c.get("reason"), c.get("message")) != (value, reason, message):
                    if c.get("status") != value:
                        c["lastTransitionTime"] = now
                    c.update(status=value, reason=reason, message=message)
                    if update_time:
                        c["lastUpdateTime"] = now
                return
        entry = {"type": kind, "status": value}
        if update_time:
            entry["lastUpdateTime"] = now
        entry.update(lastTransitionTime=now, reason=reason, message=message)
        conditions.append(entry)

    def _deployment(self, obj: dict[str, Any], status: dict[str, Any], annotations: dict[str, str]) -> None:
        spec = obj.get("spec") or {}
        uid = obj["metadata"]["uid"]
        template_hash = _hash(spec.get("template"))
        known = self._revisions.get(uid)
        if known is None:
            revision = int(annotations.get(REVISION) or 1)
        elif known[0] != template_hash:
            revision = known[1] + 1
        else:
            revision = known[1]
        self._revisions[uid] = (template_hash, revision)
        annotations[REVISION] = str(revision)
        replicas = int(spec.get("replicas", 1))
        name = obj["metadata"]["name"]
        status["observedGeneration"] = obj["metadata"].get("generation", 1)
        status["replicas"] = replicas
        status["updatedReplicas"] = replicas
        for key in ("readyReplicas", "availableReplicas"):
            if replicas:
                status[key] = replicas
            else:
                status.pop(key, None)
        status.pop("unavailableReplicas", None)
        self._condition(
            status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability."
        )
        self._condition(
            status,
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            f'ReplicaSet "{name}-{template_hash}" has successfully progressed.',
        )

    def _statefulset(self, obj: dict[str, Any], status: dict[str, Any], annotations: dict[str, str]) -> None:
        spec = obj.get("spec") or {}
        replicas = int(spec.get("replicas", 1))
        revision = f"{obj['metadata']['name']}-{_hash(spec.get('template'))}"
        status.update(
            observedGeneration=obj["metadata"].get("generation", 1),
            replicas=replicas,
            readyReplicas=replicas,
            currentReplicas=replicas,
            updatedReplicas=replicas,
            availableReplicas=replicas,
            currentRevision=revision,
            updateRevision=revision,
            collisionCount=0,
        )

    def _daemonset(self, obj: dict[str, Any], status: dict[str, Any], annotations: dict[str, str]) -> None:
        status.update(
            observedGeneration=obj["metadata"].get("generation", 1),
            currentNumberScheduled=1,
            desiredNumberScheduled=1,
            numberAvailable=1,
            numberMisscheduled=0,
            numberReady=1,
            updatedNumberScheduled=1,
        )

    def _replicaset(self, obj: dict[str, Any], status: dict[str, Any], annotations: dict[str, str]) -> None:
        replicas = int((obj.get("spec") or {}).get("replicas", 1))
        status.update(
            observedGeneration=obj["metadata"].get("generation", 1),
            replicas=replicas,
            fullyLabeledReplicas=replicas,
            readyReplicas=replicas,
            availableReplicas=replicas,
        )

    def _job(self, obj: dict[str, Any], status: dict[str, Any], annotations: dict[str, str]) -> None:
        if (obj.get("spec") or {}).get("suspend") or any(
            c.get("type") == "Complete" for c in status.get("conditions") or ()
        ):
            return
        now = objects.now()
        status.update(
            startTime=status.get("startTime", now),
            completionTime=now,
            succeeded=int((obj.get("spec") or {}).get("completions", 1)),
            ready=0,
            terminating=0,
            uncountedTerminatedPods={},
        )
        self._condition(
            status,
            "SuccessCriteriaMet",
            "True",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
            False,
        )
        self._condition(
            status,
            "Complete",
            "True",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
            False,
        )

    def _persistentvolumeclaim(
        self, obj: dict[str, Any], status: dict[str, Any], annotations: dict[str, str]
    ) -> None:
        spec = obj.get("spec") or {}
        status["phase"] = "Bound"
        status["accessModes"] = spec.get("accessModes") or ["ReadWriteOnce"]
        storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        if storage:
            status["capacity"] = {"storage": storage}
