"""Sync: apply Git to the cluster (server-side apply, forced, our field manager), in waves, then prune.

Planned first from a fresh comparison (the blast radius the confirm dialog and `--dry-run` show), then run;
what actually happened, including what was applied before a failure, is returned and logged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from gitops_tui.actions.base import ActionsBase
from gitops_tui.audit import AuditEntry, resource_names
from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import ClusterError, ClusterTimeout, ClusterUnreachable, Conflict, ServerError
from gitops_tui.cluster.tracking import is_owned, tracked_by
from gitops_tui.engine.health.aggregate import aggregate
from gitops_tui.engine.managedfields import csa_migration_patch, is_client_side_applied, takeovers
from gitops_tui.engine.syncplan import PlannedChange, SyncPlan, plan_sync
from gitops_tui.model import (
    AppSpec,
    GitopsError,
    HealthStatus,
    Obj,
    ResourceKey,
    RetryPolicy,
    SyncStatus,
    TakenOverField,
)

TRANSIENT = (ClusterTimeout, ClusterUnreachable, ServerError, Conflict)


@dataclass(frozen=True)
class ChangeResult:
    key: ResourceKey
    action: str
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class SyncResult:
    app: str
    results: tuple[ChangeResult, ...]
    dry_run: bool = False
    aborted: str = ""  # why later waves were not attempted
    health: HealthStatus | None = None

    @property
    def ok(self) -> bool:
        return not self.aborted and all(r.ok for r in self.results)

    @property
    def applied(self) -> tuple[ChangeResult, ...]:
        return tuple(r for r in self.results if r.ok)

    @property
    def failed(self) -> tuple[ChangeResult, ...]:
        return tuple(r for r in self.results if not r.ok)


Progress = Callable[[ChangeResult], None]


class SyncActions(ActionsBase):
    # -- sync ------------------------------------------------------------------------------------------
    def plan_sync(
        self,
        app: str,
        *,
        prune: bool = False,
        selected: Collection[ResourceKey] | None = None,
        refresh: bool = True,
    ) -> SyncPlan:
        """Plan from a fresh comparison of this app (refresh=False: from the last one, already fresh), so
        the preview shows the cluster as it is now. Changes nothing; allowed in read-only mode."""
        if refresh:
            self.ws.reconcile_once(only=[app])
        status = self.ws.status_of(app)
        if status.sync is SyncStatus.UNKNOWN and not status.resources:
            raise GitopsError(f"cannot plan a sync of {app}: {status.error or 'its state is unknown'}")
        objects = self.ws.raw_objects(app)
        desired = {k: d for k, (d, _, _) in objects.items() if d is not None}
        live = {k: lv for k, (_, lv, _) in objects.items() if lv is not None}
        manager = self.ws.settings.field_manager
        taken: dict[ResourceKey, tuple[TakenOverField, ...]] = {}
        for key, obj in desired.items():
            if key in live:
                taken[key] = takeovers(live[key], obj, manager)
        return plan_sync(status, desired, live, prune=prune, selected=selected, taken_over=taken)

    def sync(self, plan: SyncPlan, *, dry_run: bool = False, progress: Progress | None = None) -> SyncResult:
        if not dry_run:
            self._check_writable(f"sync {plan.app}")
        if plan.blocked_reason:
            raise GitopsError(plan.blocked_reason)
        with self._holding(plan.app):
            result = self._run(plan, dry_run, progress or (lambda _r: None))
        if not dry_run:
            self._log_sync(plan, result)
        return result

    def _run(self, plan: SyncPlan, dry_run: bool, progress: Progress) -> SyncResult:
        client = self.ws.client_for(plan.app)
        spec = self.ws.app_spec(plan.app)
        manager = self.ws.settings.field_manager
        live = {k: lv for k, (_, lv, _) in self.ws.raw_objects(plan.app).items() if lv is not None}
        results: list[ChangeResult] = []
        for wave in plan.waves:
            if not dry_run:
                self._migrate_client_side_apply(client, wave, live, manager)
            wave_results = self._apply_wave(client, wave, manager, dry_run, spec.retry)
            for r in wave_results:
                progress(r)
            results.extend(wave_results)
            failed = [r for r in wave_results if not r.ok]
            if failed:
                reason = f"{len(failed)} of {len(wave)} failed in a wave; later waves and prunes were not attempted"
                return SyncResult(plan.app, tuple(results), dry_run, aborted=reason)
        for change in plan.prunes:
            r = self._prune(client, spec, change, dry_run)
            progress(r)
            results.append(r)
        return SyncResult(plan.app, tuple(results), dry_run)

    def _apply_wave(
        self,
        client: ClusterClient,
        wave: tuple[PlannedChange, ...],
        manager: str,
        dry_run: bool,
        retry: RetryPolicy | None,
    ) -> list[ChangeResult]:
        pending = list(wave)
        done: dict[ResourceKey, ChangeResult] = {}
        attempts = 0
        limit = retry.limit if retry else 0
        delay = retry.backoff_seconds if retry else 0.0
        while pending:
            objs = [c.obj for c in pending if c.obj is not None]
            outcomes = client.apply_many(objs, manager=manager, force=True, dry_run=dry_run)
            retry_next = []
            for change, outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, ClusterError):
                    if isinstance(outcome, TRANSIENT) and attempts < limit:
                        retry_next.append(change)
                        continue
                    done[change.key] = ChangeResult(change.key, change.action, False, outcome.message)
                else:
                    done[change.key] = ChangeResult(
                        change.key, change.action, True, _verb(change.action, dry_run)
                    )
            if not retry_next:
                break
            attempts += 1
            self._sleep(delay)
            if retry:
                delay = min(delay * retry.factor, retry.max_backoff_seconds)
            pending = retry_next
        return [done[c.key] for c in wave if c.key in done]

    def _migrate_client_side_apply(
        self,
        client: ClusterClient,
        wave: tuple[PlannedChange, ...],
        live: dict[ResourceKey, Obj],
        manager: str,
    ) -> None:
        """Move kubectl client-side-apply ownership to our manager first, as kubectl does; otherwise fields
        removed from Git stay co-owned and the apply never removes them (fixture 23)."""
        for change in wave:
            obj = live.get(change.key)
            if obj is None or not is_client_side_applied(obj):
                continue
            patch = csa_migration_patch(obj, manager)
            if patch:
                res = client.resource_of(obj)
                client.json_patch(res, change.key.namespace or None, change.key.name, patch)

    def _prune(
        self, client: ClusterClient, spec: AppSpec, change: PlannedChange, dry_run: bool
    ) -> ChangeResult:
        key = change.key
        try:
            res = client.discovery.for_kind(key.group, key.kind)
            if res is None:
                return ChangeResult(key, "prune", False, f"{key.kind} is no longer served by the cluster")
            # The plan may be minutes old (a confirm dialog left open): delete only what is still ours.
            live = client.get(res, key.namespace or None, key.name)
            if live is None:
                return ChangeResult(key, "prune", True, "already gone")
            if not tracked_by(live, spec) or is_owned(live):
                return ChangeResult(
                    key, "prune", False, f"no longer tracked by {spec.id} since the plan: not deleted"
                )
            client.delete(res, key.namespace or None, key.name, dry_run=dry_run)
        except ClusterError as exc:
            return ChangeResult(key, "prune", False, exc.message)
        return ChangeResult(key, "prune", True, "would be deleted" if dry_run else "deleted")

    def _log_sync(self, plan: SyncPlan, result: SyncResult) -> None:
        outcome = "ok" if result.ok else ("partial" if result.applied else "failed")
        self.record(
            AuditEntry(
                action="sync",
                app=plan.app,
                result=outcome,
                resources=resource_names(r.key for r in result.results),
                details={
                    "created": plan.count("create"),
                    "updated": plan.count("update"),
                    "pruned": plan.count("prune"),
                    "failed": [f"{r.key.display()}: {r.message}" for r in result.failed],
                    "field_manager": self.ws.settings.field_manager,
                },
                message=result.aborted,
            )
        )

    def wait_for_health(
        self,
        app: str,
        *,
        timeout: float = 120.0,
        interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        on_change: Callable[[HealthStatus], None] | None = None,
        keys: Collection[ResourceKey] | None = None,
    ) -> HealthStatus:
        """Re-compare the app until its health settles (neither Progressing nor Missing) or `timeout`
        seconds pass; the last health seen. `keys`: follow only these resources (a partial sync).
        `on_change` hears every new health on the way."""
        deadline = time.monotonic() + timeout
        last: HealthStatus | None = None
        while True:
            snap = self.ws.reconcile_once(only=[app])
            status = snap.app(app)
            if status is None:
                health = HealthStatus.UNKNOWN
            elif keys is None:
                health = status.health
            else:
                health = aggregate(r.health for r in status.resources if r.key in keys)
            if health is not last and on_change is not None:
                on_change(health)
            last = health
            settled = health not in (HealthStatus.PROGRESSING, HealthStatus.MISSING)
            if settled or time.monotonic() >= deadline:
                return health
            sleep(interval)


def _verb(action: str, dry_run: bool) -> str:
    if dry_run:
        return {"create": "would be created", "update": "would be updated"}.get(action, "ok")
    return {"create": "created", "update": "updated"}.get(action, "ok")
