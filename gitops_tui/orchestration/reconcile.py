"""One reconcile: render every app, read the cluster, dry-run, compare. Shared by the TUI worker and the CLI.

`Workspace` holds the collaborators (settings, repo, cluster clients) and the caches that make a steady-state
reconcile cheap (discovery, server-side dry runs keyed by live resourceVersion + desired hash). It is safe to
call from a worker thread; one reconcile runs at a time.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import ClusterError, KubeconfigError
from gitops_tui.cluster.inventory import kinds_of, list_failed
from gitops_tui.cluster.live import LiveSnapshot, fetch_live
from gitops_tui.config import Settings, cache_dir
from gitops_tui.engine import pointer
from gitops_tui.engine.compare import DryRunFailure, compare_app, failed_app
from gitops_tui.engine.encrypted import is_sops_encrypted
from gitops_tui.engine.keyorder import canonical
from gitops_tui.engine.liveonly import live_only_app
from gitops_tui.engine.normalize import strip_noise, without_empty
from gitops_tui.engine.secrets import mask_pair, mask_values
from gitops_tui.giveway import given_way
from gitops_tui.model import (
    HELM_RELEASE,
    AppSpec,
    AppStatus,
    Commit,
    GitopsError,
    HeaderInfo,
    Obj,
    RenderedApp,
    ResourceDetail,
    ResourceKey,
    ResourceStatus,
    SyncStatus,
    TrackingMethod,
    match_ref,
)
from gitops_tui.orchestration.clustervalues import ClusterValues
from gitops_tui.orchestration.contextmap import ContextMap
from gitops_tui.orchestration.contexts import ClientFactory, ClusterContexts
from gitops_tui.orchestration.offload import THRESHOLD as OFFLOAD_FROM
from gitops_tui.orchestration.offload import Offload
from gitops_tui.orchestration.prepare import (
    Prepared,
    app_inputs,
    index_tracked,
    prepare,
    tracked_live,
    unrendered_kinds,
)
from gitops_tui.source.appset import AppSetContext
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.dependencies import app_paths, touched
from gitops_tui.source.discover import discover_apps
from gitops_tui.source.render import render_apps
from gitops_tui.source.repo import GitRepo
from gitops_tui.source.repoconfig import load_repo_config
from gitops_tui.source.tree import AppTree, discover_tree
from gitops_tui.threads import daemon_map


@dataclass(frozen=True)
class Snapshot:
    apps: tuple[AppStatus, ...]
    header: HeaderInfo
    started: float
    finished: float
    error: str = ""
    discovery_errors: tuple[str, ...] = ()

    def app(self, ref: str) -> AppStatus | None:
        """The app with this id, else the only one this reference names (`resolve_ref`)."""
        exact = next((a for a in self.apps if a.app.id == ref), None)
        if exact is not None:
            return exact
        matches = match_ref(ref, [a.app for a in self.apps])
        return next((a for a in self.apps if len(matches) == 1 and a.app.id == matches[0].id), None)


class Workspace:
    def __init__(
        self,
        settings: Settings,
        repo: GitRepo,
        client_factory: ClientFactory | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.repo = repo
        self._clock = clock
        self._lock = threading.Lock()
        self.contexts = ClusterContexts(
            client_factory or self._default_client,
            field_manager=settings.field_manager,
            repo_root=repo.root,
        )
        self._details: dict[tuple[str, ResourceKey], tuple[Obj | None, Obj | None, Obj | None]] = {}
        self._secret_values: dict[str, tuple[str, ...]] = {}  # per app id: what Flux substituted from Secrets
        self._statuses: dict[str, AppStatus] = {}
        self._apps: dict[str, AppSpec] = {}
        self.last: Snapshot | None = None
        self.places = ContextMap(settings.kubeconfig, settings.context)
        # Worker processes for the compare of big reconciles: the loop (TUI, `watch`) turns them on, a
        # one-shot `status` never pays their start.
        self.offload: Offload | None = None

    # -- collaborators -------------------------------------------------------------------------------
    def _default_client(self, context: str | None) -> ClusterClient:
        return ClusterClient.from_kubeconfig(
            self.settings.kubeconfig,
            context,
            timeout=self.settings.request_timeout,
            max_workers=self.settings.max_workers,
        )

    def client(self, context: str | None = None) -> ClusterClient:
        """The client for a context (None: --context or the current one). Raises ClusterError."""
        return self.contexts.client(context or self.settings.context)

    def offload_big_reconciles(self, threshold: int = OFFLOAD_FROM) -> None:
        """From now on, a context with `threshold` objects or more is compared in worker processes."""
        if self.offload is None:
            self.offload = Offload(threshold)

    def close(self) -> None:
        if self.offload is not None:
            self.offload.close()
        self.contexts.close()

    def header(self, dirty: bool | None = None) -> HeaderInfo:
        """`dirty`: whether the working tree has uncommitted changes, when the caller already knows."""
        context, server = self.settings.context or "", ""
        try:
            client = self.client()
            context, server = client.context, client.server
        except GitopsError as exc:
            server = f"({exc.message})"
        return HeaderInfo(
            context=context,
            server=server,
            repo=str(self.repo.root),
            branch=self.repo.branch(),
            head=self.repo.head() + ("*" if (self.repo.is_dirty() if dirty is None else dirty) else ""),
            read_only=self.settings.read_only,
            automation=self.settings.auto,
            clusters=self.places.cluster_contexts(),
        )

    # -- reconcile -----------------------------------------------------------------------------------
    def reconcile_once(self, *, hard: bool = False, only: Iterable[str] | None = None) -> Snapshot:
        """Reconcile every app, or just the named ones (the others keep their last status)."""
        with self._lock:
            return self._reconcile(hard, set(only) if only is not None else None)

    def _reconcile(self, hard: bool, only: set[str] | None) -> Snapshot:
        started = self._clock()
        if hard:
            self.contexts.retire()
        # Resolved once: the commit compared is the one shown ("HEAD~2", "origin/main" move on).
        commit = None if self.settings.revision is None else self.repo.resolve(self.settings.revision)
        revision = self.repo.head() if commit is None else commit[:7]
        # Uncommitted changes, per app: the files it is built from (and the file that declares it).
        changed = self.repo.dirty_files() if commit is None else []
        with self.repo.worktree_or_revision(commit) as tree:
            found, ready = self._discover_while_connecting(tree, only)
            if only is not None:  # ids, or references a user typed (`diff podinfo`)
                only = {a.id for ref in only for a in match_ref(ref, found.apps)} | only
            rendered = [r for r in found.rendered if only is None or r.app.id in only]
            chosen = [r.app for r in rendered]
            # By position, not by id: a duplicate (reported) must not lend the other its cluster.
            contexts = [self.places.for_app_or_error(app) for app in chosen]
            for late in {c for c in contexts if not isinstance(c, GitopsError)} - ready.keys():
                ready[late] = self.contexts.connect(late)  # known once rendered: not overlapped
        # After connecting: asking for a client first would import it before rendering. At a revision,
        # the header still tells whether the working tree is dirty.
        header = self.header(dirty=bool(changed) if commit is None else None)
        by_context: dict[str | None, list[RenderedApp]] = defaultdict(list)
        statuses: list[AppStatus] = []
        now = self._clock()
        for item, context in zip(rendered, contexts, strict=True):
            if isinstance(context, GitopsError):
                statuses.append(failed_app(item.app, context.message, revision=revision, now=now))
            else:
                by_context[context].append(item)
        for context, items in by_context.items():
            statuses.extend(self._reconcile_context(context, items, revision, now, ready[context]))
        if changed:
            dirty = {a.id for a in chosen if touched(self.repo.root, a, changed)}
            statuses = [replace(s, dirty=True) if s.app.id in dirty else s for s in statuses]
        if only is not None:  # keep what we knew of the others
            fresh = {s.app.id for s in statuses}
            statuses += [
                s for n, s in self._statuses.items() if n not in fresh and n in {a.id for a in found.apps}
            ]
        # The tree's order; by identity first, since a duplicate shares its id with the app it copies.
        position = {id(a): i for i, a in enumerate(found.apps)}
        order = {a.id: i for i, a in reversed(list(enumerate(found.apps)))}
        statuses.sort(key=lambda s: position.get(id(s.app), order.get(s.app.id, len(order))))
        self._statuses = {s.app.id: s for s in reversed(statuses)}  # of two with one id, the first
        self._apps = {a.id: a for a in reversed(found.apps)}
        snap = Snapshot(
            apps=tuple(statuses),
            header=header,
            started=started,
            finished=self._clock(),
            discovery_errors=found.errors,
        )
        self.last = snap
        return snap

    def discover(self, tree: Path, *, wanted: Callable[[AppSpec], bool] | None = None) -> AppTree:
        """The apps of the checkout at `tree` (the working tree or a revision's), each rendered: roots
        scanned, then what their output declares (app-of-apps, Flux), read as this repository's sources.
        `wanted`: only those renders are needed (others are rendered only if they may declare apps)."""
        config = load_repo_config(tree, TrackingMethod.ANNOTATION)
        context = SourceContext.for_checkout(
            self.repo.root,
            config.repositories,
            remotes=tuple(self.repo.remote_urls()),
            branch=self.repo.branch(),
            revision=self.settings.revision,
        )
        scanned = discover_apps(tree, context=context)
        self.places.clusters = scanned.clusters
        appsets = AppSetContext(
            tree=tree,
            remotes=context.remotes,
            local_repos={url: Path(path) for url, path in context.repositories},
            clusters=self.places.appset_clusters(scanned.clusters),
            branch=context.branch,
        )
        max_workers = min(8, self.settings.max_workers)
        renders = cache_dir() / "renders"  # the next process skips the builds whose inputs did not change
        # substituteFrom / valuesFrom objects Git does not hold: read from the app's cluster, as Flux does
        values = ClusterValues(self.places.for_cluster, self.client)
        return discover_tree(
            tree,
            lambda apps: render_apps(tree, apps, max_workers=max_workers, cache_dir=renders, lookup=values),
            found=scanned,
            wanted=wanted,
            appsets=appsets,
            values_lookup=values,
        )

    def _discover_while_connecting(
        self, tree: Path, only: set[str] | None
    ) -> tuple[AppTree, dict[str | None, tuple[str, ClusterClient | GitopsError]]]:
        """Render the tree (Kustomize and Helm wait on subprocesses) while the clients of the contexts
        known up front (the default one) get ready — importing the official client, reading kubeconfig,
        the first request: together they cost what the slower one does. Cold, that is most of
        `gitops-tui diff`'s start-up. The render runs on a daemon thread: quitting never waits for a hung
        build."""

        def wanted(app: AppSpec) -> bool:
            return only is None or app.id in only or any(match_ref(ref, [app]) for ref in only)

        [future] = daemon_map(
            lambda _: self.discover(tree, wanted=None if only is None else wanted),
            [None],
            max_workers=1,
            name="render-all",
        )
        try:
            ready = {self.settings.context: self.contexts.connect(self.settings.context)}
        finally:
            found = future.result()  # the tree must outlive the render, even when connecting failed
        return found, ready

    def kubeconfig_error(self) -> KubeconfigError | None:
        """Why the last reconcile could not make a client for the default context from kubeconfig (a
        missing certificate file, a bad token file), if that was the reason. The CLI reports it as one
        line; the TUI shows it on every app and in the header."""
        return self.contexts.kubeconfig_error(self.settings.context)

    def _reconcile_context(
        self,
        context: str | None,
        items: Sequence[RenderedApp],
        revision: str,
        now: float,
        ready: tuple[str, ClusterClient | GitopsError],
    ) -> list[AppStatus]:
        label, client = ready
        if isinstance(client, GitopsError):
            return [
                failed_app(i.app, client.message, revision=revision, context=label, now=now) for i in items
            ]
        prepared = [prepare(client, item) for item in given_way(items)]
        wanted = {triple for p in prepared for triple in p.kinds}
        inventory = self.contexts.inventory(context, client)
        # Kinds an app had before but no longer has in Git: their leftovers must still be found (prune).
        # One whose API group cannot be discovered right now (an aggregated API down) is skipped this
        # round, not allowed to fail every app of the cluster.
        remembered = {k for p in prepared if not p.errors for k in inventory.kinds(p.rendered.app.id)}
        unresolved = set()
        for kind in remembered - wanted:
            try:
                client.discovery.resolve(kind[0], kind[1])
            except ClusterError:
                unresolved.add(kind)
        wanted |= remembered - unresolved
        wanted |= unrendered_kinds(client, prepared)  # what the cluster has for a HelmRelease not rendered
        try:
            snapshot = fetch_live(client, wanted)
        except ClusterError as exc:
            return [
                failed_app(p.rendered.app, exc.message, revision=revision, context=label, now=now)
                for p in prepared
            ]
        server_side = self.settings.diff_mode != "client"
        predicted, failures = self._predict(client, context, prepared, snapshot) if server_side else ({}, {})
        tracked = index_tracked(snapshot.objects.items())
        comparable = [p for p in prepared if not (p.rendered.error or p.errors)]
        inputs = [
            app_inputs(p.rendered.app, p, snapshot, predicted, failures, tracked, server_side, self.settings)
            for p in given_way(comparable)
        ]
        if self.offload is not None:
            compared = self.offload.compare_apps(inputs, revision=revision, context=label, now=now)
        else:
            compared = [compare_app(i, revision=revision, context=label, now=now) for i in inputs]
        by_app = {p.rendered.app.id: s for p, s in zip(comparable, compared, strict=True)}
        statuses = []
        for p in given_way(prepared):
            app = p.rendered.app
            if p.rendered.error or p.errors:
                error = p.rendered.error or "; ".join(p.errors)
                if app.kind == HELM_RELEASE:  # listed as what the cluster has: helm-controller's labels
                    live = tracked_live(app, tracked)
                    status = live_only_app(app, error, live, revision=revision, context=label, now=now)
                    statuses.append(status)
                    self._remember(app, {}, snapshot, {}, status.resources)
                    self._secret_values[app.id] = app.helm_release.secret_values if app.helm_release else ()
                    continue
                statuses.append(failed_app(app, error, revision=revision, context=label, now=now))
                continue
            status = by_app[app.id]
            # Kept as well: the remembered kinds that could not be read this time (a failed LIST, no
            # discovery): forgetting them would hide their leftovers for good. And said, since a
            # leftover of them cannot be shown (or pruned) this round.
            has = kinds_of(status.resources)
            unread = {k for k in inventory.kinds(app.id) if k in unresolved or list_failed(snapshot, k)}
            unread -= has
            if unread:
                kinds = ", ".join(sorted(f"{k}" + (f" in {ns}" if ns else "") for _, k, ns in unread))
                note = f"could not list {kinds}: leftovers of them, if any, are not shown this time"
                status = replace(status, notes=(*status.notes, note))
            statuses.append(status)
            self._remember(
                app, dict(zip(p.keys, p.desired, strict=True)), snapshot, predicted, status.resources
            )
            self._secret_values[app.id] = p.rendered.secret_values
            inventory.update(app.id, has | unread)
        return statuses

    def _predict(
        self,
        client: ClusterClient,
        context: str | None,
        prepared: Sequence[Prepared],
        snapshot: LiveSnapshot,
    ) -> tuple[dict[ResourceKey, Obj], dict[ResourceKey, DryRunFailure]]:
        pairs: list[tuple[Obj, Obj | None]] = []
        keys: list[ResourceKey] = []
        for p in given_way(prepared):
            if p.rendered.error or p.errors or "ServerSideDiff=false" in p.rendered.app.compare_options:
                continue  # compared client-side: a dry run would be sent for nothing
            for key, obj in zip(p.keys, p.desired, strict=True):
                live = snapshot.objects.get(key)
                if live is not None and not is_sops_encrypted(obj):  # compared by key names only
                    pairs.append((obj, live))
                    keys.append(key)
        cache = self.contexts.dry_run_cache(context, client)
        checks = self.offload.noop_checks if self.offload is not None else None
        results = cache.predict(
            client, pairs, manager=self.settings.field_manager, noop_checks=checks, object_keys=keys
        )
        predicted: dict[ResourceKey, Obj] = {}
        failures: dict[ResourceKey, DryRunFailure] = {}
        for key, result in zip(keys, results, strict=True):
            if isinstance(result, ClusterError):
                failures[key] = DryRunFailure(result.status, result.message)
            else:
                predicted[key] = result
        return predicted, failures

    def _remember(
        self,
        app: AppSpec,
        by_key: dict[ResourceKey, Obj],
        snapshot: LiveSnapshot,
        predicted: dict[ResourceKey, Obj],
        resources: Sequence[ResourceStatus],
    ) -> None:
        app_id = app.id
        for res in resources:
            self._details[(app_id, res.key)] = (
                by_key.get(res.key),
                snapshot.objects.get(res.key),
                predicted.get(res.key),
            )

    def desired_objects(self, apps: Iterable[str] | None = None) -> list[Obj]:
        """Every desired object of the named apps (all when None), ready to apply on the default context."""
        wanted = set(apps) if apps is not None else None
        with self.repo.worktree_or_revision(self.settings.revision) as tree:
            found = self.discover(tree, wanted=None if wanted is None else (lambda a: a.id in wanted))
            rendered = [r for r in found.rendered if wanted is None or r.app.id in wanted]
        client = self.client()
        objects: list[Obj] = []
        for item in rendered:
            prepared = prepare(client, item)
            if item.error or prepared.errors:
                raise GitopsError(f"{item.app.id}: {item.error or '; '.join(prepared.errors)}")
            objects.extend(prepared.desired)
        return objects

    # -- queries for the UI and the CLI --------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        """The id of the app a reference names (its id, or its name when no other app has that name).
        Raises: unknown (listing the known ids), or ambiguous (listing the ids it could mean)."""
        if ref in self._apps:
            return ref
        matches = match_ref(ref, self._apps.values())
        if len(matches) == 1:
            return matches[0].id
        if matches:
            raise GitopsError(
                f"app {ref!r} is ambiguous: it names {', '.join(sorted(a.id for a in matches))}"
            )
        raise GitopsError(f"unknown app {ref!r} (known: {', '.join(sorted(self._apps)) or 'none'})")

    def app_spec(self, ref: str) -> AppSpec:
        return self._apps[self.resolve(ref)]

    def status_of(self, ref: str) -> AppStatus:
        """The app's last comparison (raises for an app never reconciled)."""
        if ref not in self._statuses:
            ref = self.resolve(ref)
        if ref not in self._statuses:
            raise GitopsError(f"unknown app {ref!r} (known: {', '.join(sorted(self._statuses)) or 'none'})")
        return self._statuses[ref]

    def raw_objects(self, ref: str) -> dict[ResourceKey, tuple[Obj | None, Obj | None, Obj | None]]:
        """(desired as applied, live, predicted) per resource of the last comparison. Unmasked: for actions only."""
        app = ref if any(name == ref for name, _ in self._details) else self.resolve(ref)
        return {key: objs for (name, key), objs in self._details.items() if name == app}

    def client_for(self, ref: str) -> ClusterClient:
        return self.client(self.places.for_app(self.app_spec(ref)))

    def unreachable(self, apps: Iterable[str]) -> str:
        """Why the cluster of one of these apps (as the working tree declares them) cannot be used now,
        "" when each answers. Apps not declared yet (a revert may bring one back) are left to their sync."""
        with self.repo.worktree_or_revision(self.settings.revision) as tree:
            specs = {a.id: a for a in reversed(self.discover(tree, wanted=lambda _a: False).apps)}
        for name in apps:
            spec = specs.get(name)
            if spec is None:
                continue
            try:
                client = self.client(self.places.for_app(spec))
            except GitopsError as exc:
                return f"{name}: {exc.message}"
            problem = client.check_connection()
            if problem is not None:
                return f"{name}: {problem.message}"
        return ""

    def resource_detail(self, ref: str, key: ResourceKey) -> ResourceDetail:
        status = self._statuses.get(ref) or self.status_of(ref)
        app = status.app.id
        res = next((r for r in status.resources if r.key == key), None)
        if res is None:
            raise GitopsError(f"{key.display()} is not part of app {app!r}")
        git, live, predicted = self._details.get((app, key), (None, None, None))
        if predicted is not None:
            # A field Git dropped that the last-applied configuration still names: the dry run keeps it
            # (another manager owns it) but the sync removes it. Shown gone, as the drift list and the sync
            # preview have it, so the diff does not understate the sync.
            gone = [d.path for d in res.drift if d.git is None and d.live is not None]
            predicted = pointer.without(predicted, gone) if gone else predicted
        # Shown as compared: without noise, and without empty maps and lists (equal to absent there)
        git_view = canonical(without_empty(strip_noise(git))) if git is not None else None
        live_view = canonical(without_empty(strip_noise(live))) if live is not None else None
        pred_view = canonical(without_empty(strip_noise(predicted))) if predicted is not None else None
        git_view, live_view = mask_pair(git_view, live_view)
        pred_view, _ = mask_pair(pred_view, None)
        secrets = self._secret_values.get(app, ())  # substituted by Flux from Secrets, in any kind
        git_view, live_view, pred_view = (mask_values(v, secrets) for v in (git_view, live_view, pred_view))
        return ResourceDetail(app=app, key=key, status=res, git=git_view, live=live_view, predicted=pred_view)

    def history(self, app: str, limit: int = 100) -> list[Commit]:
        """Commits touching the app's path or what it is built from (a Kustomize base), newest first."""
        paths = app_paths(self.repo.root, self.app_spec(app))
        return self.repo.history(paths, limit, rev=self.settings.revision)

    def commit_diff(self, sha: str, path: str | None = None) -> str:
        return self.repo.commit_diff(sha, path)


def drifted(statuses: Iterable[AppStatus]) -> bool:
    return any(s.sync is not SyncStatus.SYNCED for s in statuses)
