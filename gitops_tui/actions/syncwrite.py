"""How a sync writes one change and waits between waves, as Argo CD does: server-side apply; Replace=true
replaces the object (PUT), or creates it (POST) when missing, and Force=true deletes it and creates it
again; a wave starts once what the one before applied is healthy."""

from __future__ import annotations

import contextlib
import time

from gitops_tui.actions.base import ActionsBase
from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import ClusterError, NotFound
from gitops_tui.engine.health import assess
from gitops_tui.engine.syncplan import PlannedChange
from gitops_tui.model import HealthStatus, Obj, ResourceKey

# Argo CD replaces neither in place: a replace of a CRD would drop its custom resources, of a Namespace
# everything in it. They are updated (PUT with the live resourceVersion) instead.
_UPDATE_NOT_REPLACE = ("CustomResourceDefinition", "Namespace")
_GONE_TIMEOUT = 30.0  # seconds a Force=true recreate waits for the deleted object to go


class SyncWrites(ActionsBase):
    def _wait_healthy(
        self, client: ClusterClient, changes: list[PlannedChange], stage: tuple[str, int]
    ) -> str:
        """Wait until what a wave applied is healthy (kinds without a health check are at once); why not,
        or "". Degraded ends the sync, as in Argo CD; anything else waits up to the health timeout."""
        timeout = self.ws.settings.health_timeout
        deadline = time.monotonic() + timeout
        # Kinds without a health check (ConfigMap, Secret...) are done once applied: not even read.
        pending = [c for c in changes if c.obj is not None and assess(c.obj).status is not HealthStatus.NONE]
        where = f"{stage[0]} wave {stage[1]}"
        while pending:
            waiting: list[tuple[PlannedChange, HealthStatus, str]] = []
            for change in pending:
                assert change.obj is not None
                try:
                    res = client.resource_of(change.obj)
                    obj = client.get(res, change.key.namespace or None, change.key.name)
                except ClusterError:
                    return ""  # health cannot be followed: the next wave's writes say what the server says
                result = assess(obj) if obj is not None else None
                health = result.status if result is not None else HealthStatus.MISSING
                message = result.message if result is not None else "not found in the cluster"
                if health is HealthStatus.DEGRADED:
                    return f"{change.key.display()} is Degraded after {where} ({message}); later waves were not attempted"
                if health not in (HealthStatus.HEALTHY, HealthStatus.NONE):
                    waiting.append((change, health, message))
            if not waiting:
                return ""
            if time.monotonic() >= deadline:
                change, health, message = waiting[0]
                more = f" (and {len(waiting) - 1} more)" if len(waiting) > 1 else ""
                return (
                    f"{change.key.display()}{more} still {health} {timeout:g} s after {where}"
                    f"{f' ({message})' if message else ''}; later waves were not attempted"
                )
            pending = [c for c, _, _ in waiting]
            self._sleep(1.0)
        return ""

    def _write(
        self,
        client: ClusterClient,
        change: PlannedChange,
        manager: str,
        dry_run: bool,
        live: dict[ResourceKey, Obj],
        creating: set[str],
    ) -> str | ClusterError:
        """Apply one change (server-side apply; Replace=true: PUT, or POST when missing; Force=true: delete,
        then POST); what happened, or the error."""
        obj = change.obj
        assert obj is not None
        key = change.key
        if dry_run and key.namespace in creating:
            # The server cannot check an object in a namespace that does not exist yet.
            return f"would be created (namespace {key.namespace} is created first; not checked by the server)"
        try:
            if change.recreate:
                return self._recreate(client, obj, key, manager, dry_run)
            if change.replace and change.action == "create":
                client.create(obj, manager=manager, dry_run=dry_run)
                verb = "created (Replace=true)"
            elif change.replace:
                body = obj
                if key.kind in _UPDATE_NOT_REPLACE and key in live:
                    version = (live[key].get("metadata") or {}).get("resourceVersion")
                    body = {**obj, "metadata": {**(obj.get("metadata") or {}), "resourceVersion": version}}
                client.replace(body, manager=manager, dry_run=dry_run)
                verb = "replaced"
            else:
                client.apply(obj, manager=manager, force=True, dry_run=dry_run)
                verb = {"create": "created", "update": "updated"}.get(change.action, "ok")
        except ClusterError as exc:
            return exc
        if dry_run and key.kind == "Namespace" and not key.group and change.action == "create":
            creating.add(key.name)
        return f"would be {verb}" if dry_run else verb

    def _recreate(
        self, client: ClusterClient, obj: Obj, key: ResourceKey, manager: str, dry_run: bool
    ) -> str:
        """Force=true: delete, wait until it is gone, create. A dry run can only check the delete."""
        res = client.resource_of(obj)
        with contextlib.suppress(NotFound):  # gone already (or a retry after the delete went through)
            client.delete(res, key.namespace or None, key.name, dry_run=dry_run)
        if dry_run:
            return "would be deleted and created again (Force=true)"
        deadline = time.monotonic() + _GONE_TIMEOUT
        while client.get(res, key.namespace or None, key.name) is not None:
            if time.monotonic() >= deadline:
                raise ClusterError(f"deleted, but still there after {_GONE_TIMEOUT:g} s: not created again")
            self._sleep(0.5)
        client.create(obj, manager=manager)
        return "deleted and created again (Force=true)"
