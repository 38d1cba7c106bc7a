"""Sync: apply Git to the cluster (server-side apply, forced, our field manager), step by step as Argo CD
orders it (phase, wave, kind), pruning in each wave before applying (the writes: actions/syncwrite.py).

Planned first from a fresh comparison (the blast radius the confirm dialog and `--dry-run` show), then run;
what actually happened, including what was applied before a failure, is returned and logged. As in Argo CD,
a wave starts once the one before is healthy; an object marked Replace=true is replaced (PUT) or created
instead of applied, and Force=true deletes it and creates it again. Hooks are not run (the plan lists them).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from gitops_tui.actions.syncwrite import SyncWrites
from gitops_tui.audit import AuditEntry, resource_names
from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import (
    ClusterError,
    ClusterTimeout,
    ClusterUnreachable,
    Conflict,
    ServerError,
)
from gitops_tui.cluster.tracking import is_owned, tracked_by
from gitops_tui.engine.health.aggregate import aggregate
from gitops_tui.engine.managedfields import csa_migration_patch, is_client_side_applied, takeovers
from gitops_tui.engine.syncoptions import CREATE_NAMESPACE
from gitops_tui.engine.syncplan import PlannedChange, SyncPlan, plan_sync, prune_kept
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


class SyncActions(SyncWrites):
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
        return plan_sync(
            status,
            desired,
            live,
            prune=prune,
            selected=selected,
            taken_over=taken,
            missing_namespace=self._namespace_missing(app, status.app),
        )

    def _namespace_missing(self, app: str, spec: AppSpec) -> bool:
        """CreateNamespace=true: whether the destination namespace is missing (one GET; when it cannot be
        read, it is not created: the sync then says what the server says)."""
        if CREATE_NAMESPACE not in spec.sync_options or not spec.namespace:
            return False
        try:
            client = self.ws.client_for(app)
            res = client.discovery.for_kind("", "Namespace")
            return res is not None and client.get(res, None, spec.namespace) is None
        except GitopsError:
            return False

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
        creating: set[str] = set()  # dry run: namespaces the sync would create first
        stages = {(step[0].phase, step[0].wave) for step in plan.waves}
        stage: tuple[str, int] | None = None
        applied: list[PlannedChange] = []  # in the current (phase, wave)
        for step in plan.waves:
            here = (step[0].phase, step[0].wave)
            if stage is not None and here != stage:
                # Argo CD starts a wave when the one before is healthy (only when there are several).
                problem = "" if dry_run or len(stages) < 2 else self._wait_healthy(client, applied, stage)
                if problem:
                    return SyncResult(plan.app, tuple(results), dry_run, aborted=problem)
                applied = []
            stage = here
            if step[0].action == "prune":
                step_results = [self._prune(client, spec, change, dry_run) for change in step]
            else:
                if not dry_run:
                    self._migrate_client_side_apply(client, step, live, manager)
                step_results = self._apply_wave(client, step, manager, dry_run, spec.retry, live, creating)
            for r in step_results:
                progress(r)
            results.extend(step_results)
            ok = {r.key for r in step_results if r.ok}
            applied += [c for c in step if c.action != "prune" and c.key in ok]
            failed = [r for r in step_results if not r.ok]
            if failed:
                where = f"{here[0]} wave {here[1]}" if len(stages) > 1 else "the sync"
                reason = f"{len(failed)} of {len(step)} failed in {where}; later waves were not attempted"
                return SyncResult(plan.app, tuple(results), dry_run, aborted=reason)
        return SyncResult(plan.app, tuple(results), dry_run)

    def _apply_wave(
        self,
        client: ClusterClient,
        wave: tuple[PlannedChange, ...],
        manager: str,
        dry_run: bool,
        retry: RetryPolicy | None,
        live: dict[ResourceKey, Obj] | None = None,
        creating: set[str] | None = None,
    ) -> list[ChangeResult]:
        pending = list(wave)
        done: dict[ResourceKey, ChangeResult] = {}
        attempts = 0
        limit = retry.limit if retry else 0
        delay = retry.backoff_seconds if retry else 0.0
        live = live or {}
        creating = set() if creating is None else creating
        while pending:
            outcomes = client.map(lambda c: self._write(client, c, manager, dry_run, live, creating), pending)
            retry_next = []
            for change, outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, ClusterError):
                    if isinstance(outcome, TRANSIENT) and attempts < limit:
                        retry_next.append(change)
                        continue
                    done[change.key] = ChangeResult(change.key, change.action, False, outcome.message)
                else:
                    done[change.key] = ChangeResult(change.key, change.action, True, outcome)
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
            if change.replace or change.recreate or obj is None or not is_client_side_applied(obj):
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
            kept = prune_kept(live, spec.sync_options)
            if kept:
                return ChangeResult(key, "prune", True, f"not deleted: {kept} (set since the plan)")
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
