"""From rendered apps and a live snapshot to what the engine compares.

`prepare` resolves each desired object against discovery (namespace filled in or dropped, as the server
would) and injects the tracking marker, and sets hooks apart (never compared, dry-run or applied);
`app_inputs` gathers one app's desired, live and predicted objects, the live objects tracked to it but no
longer in Git, its hooks' live runs, and the reasons some could not be read or dry-run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.discovery import ApiResource
from gitops_tui.cluster.errors import ClusterError, NotFound
from gitops_tui.cluster.helmstorage import deployed_kinds
from gitops_tui.cluster.live import LiveSnapshot
from gitops_tui.cluster.tracking import (
    ANNOTATION,
    FLUX_NAME,
    HELM_NAME,
    LABEL,
    inject_marker,
    is_owned,
    parse_tracking_id,
    tracked_by,
    tracking_name,
)
from gitops_tui.config import Settings
from gitops_tui.engine.compare import AppInputs, DryRunFailure
from gitops_tui.engine.hooks import is_hook_like
from gitops_tui.giveway import given_way
from gitops_tui.model import HELM_RELEASE, AppSpec, IgnoreRule, Obj, RenderedApp, ResourceKey


@dataclass
class Prepared:
    """An app's desired objects made ready for the cluster: scope resolved, tracking marker injected."""

    rendered: RenderedApp
    desired: list[Obj] = field(default_factory=list)
    keys: list[ResourceKey] = field(default_factory=list)  # desired's, in its order: made once a round
    kinds: set[tuple[str, str, str]] = field(default_factory=set)  # (apiVersion, kind, namespace) to list
    errors: list[str] = field(default_factory=list)
    hooks: list[Obj] = field(default_factory=list)  # hooks, Skip and ignored hook objects: not compared


def prepare(client: ClusterClient, rendered: RenderedApp) -> Prepared:
    """The app's rendered objects made ready for the cluster: each kind resolved by discovery, its
    namespace filled in or taken out as the server would, the tracking marker injected."""
    prepared = Prepared(rendered)
    if rendered.error:
        return prepared
    app = rendered.app
    for obj in rendered.objects:
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        try:
            res = client.discovery.resolve(api_version, kind)
        except ClusterError as exc:
            prepared.errors.append(exc.message)
            return prepared
        obj = scoped(obj, res, app.namespace or client.namespace or "default")
        namespace = (obj.get("metadata") or {}).get("namespace", "")
        if is_hook_like(obj):
            # Listed (to show the live runs) only where the kind is served: a hook of a kind the cluster
            # does not know yet (an Argo Workflow) must not fail the app's listing.
            prepared.hooks.append(inject_marker(obj, app))
            if res is not None:
                prepared.kinds.add((api_version, kind, namespace))
            continue
        prepared.desired.append(inject_marker(obj, app))
        prepared.keys.append(ResourceKey.of(obj))
        prepared.kinds.add((api_version, kind, namespace))
    return prepared


def app_inputs(
    app: AppSpec,
    p: Prepared,
    snapshot: LiveSnapshot,
    predicted: dict[ResourceKey, Obj],
    failures: dict[ResourceKey, DryRunFailure],
    tracked: dict[str, list[tuple[ResourceKey, Obj]]],
    server_side: bool,
    settings: Settings,
) -> AppInputs:
    """What the engine compares for one app: its desired objects, their live and predicted states, the
    tracked extras, and why any could not be read or dry-run."""
    keys = set(p.keys)
    list_failures: dict[ResourceKey, str] = {}
    unserved: dict[ResourceKey, str] = {}
    for key in keys:
        failure = snapshot.failed.get((key.group, key.kind, key.namespace))
        if isinstance(failure, NotFound):  # not served: nothing of the kind can be live
            unserved[key] = _unserved_note(key, p.desired)
        elif failure is not None:
            list_failures[key] = failure.message
    hook_keys = {ResourceKey.of(o) for o in p.hooks}
    in_git = keys | hook_keys
    claimed = [live for key, live in tracked.get(tracking_name(app), ()) if key not in in_git]
    extras = [live for live in claimed if not is_owned(live) and tracked_by(live, app)]
    live_hooks = [snapshot.objects[k] for k in hook_keys if k in snapshot.objects]
    live_hooks += [live for live in claimed if is_hook_like(live) and hook_tracked_by(live, app)]
    return AppInputs(
        app=app,
        desired=p.desired,
        live={k: snapshot.objects[k] for k in keys if k in snapshot.objects},
        extras=extras,
        predicted={k: predicted[k] for k in keys if k in predicted},
        dry_run_failures={k: failures[k] for k in keys if k in failures},
        list_failures=list_failures,
        unserved=unserved,
        ignore=app.ignore_differences + ignore_rules(settings),
        server_side=server_side and "ServerSideDiff=false" not in app.compare_options,
        manager=settings.field_manager,
        hooks=p.hooks,
        live_hooks=live_hooks,
        secret_values=p.rendered.secret_values,
    )


def _unserved_note(key: ResourceKey, desired: list[Obj]) -> str:
    """Why an object of a kind the cluster does not serve is Missing, and what a sync would do."""
    what = f"kind {key.kind}" + (f" ({key.group})" if key.group else "")
    for obj in desired:
        raw_spec = obj.get("spec")
        spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
        raw_names = spec.get("names")
        names: dict[str, Any] = raw_names if isinstance(raw_names, dict) else {}
        defines = spec.get("group") == key.group and names.get("kind") == key.kind
        if obj.get("kind") == "CustomResourceDefinition" and defines:
            return f"{what} is not served yet: its CustomResourceDefinition is in this app, and a sync creates it first"
    if key.group == "argoproj.io":
        return f"{what} is not served by the cluster: Argo CD's CRDs are not installed there"
    if key.group.endswith("toolkit.fluxcd.io"):
        return f"{what} is not served by the cluster: Flux's CRDs are not installed there"
    return f"{what} is not served by the cluster (is its CRD installed?): a sync would fail to create it"


def hook_tracked_by(live: Obj, app: AppSpec) -> bool:
    """A live hook of this app. Argo CD writes the tracking id of a `generateName` hook before the name is
    made (`app:batch/Job:ns/`), so the id may name no object; kind and app must still match."""
    if tracked_by(live, app):
        return True
    meta = live.get("metadata") or {}
    parsed = parse_tracking_id(str((meta.get("annotations") or {}).get(ANNOTATION) or ""))
    key = ResourceKey.of(live)
    return (
        parsed is not None
        and parsed.app == tracking_name(app)
        and (parsed.group, parsed.kind) == (key.group, key.kind)
        and parsed.name in ("", key.name)
    )


def ignore_rules(settings: Settings) -> tuple[IgnoreRule, ...]:
    rules = []
    for raw in settings.ignore_differences:
        rules.append(
            IgnoreRule(
                group=str(raw.get("group", "")),
                kind=str(raw.get("kind", "")),
                name=str(raw.get("name", "")),
                namespace=str(raw.get("namespace", "")),
                json_pointers=tuple(raw.get("jsonPointers", ())),
                jq_path_expressions=tuple(raw.get("jqPathExpressions", ())),
                managed_fields_managers=tuple(raw.get("managedFieldsManagers", ())),
            )
        )
    return tuple(rules)


def scoped(obj: Obj, res: ApiResource | None, default_namespace: str) -> Obj:
    """Give namespaced objects their namespace and take it from cluster-scoped ones, as the server would."""
    if res is None:
        return obj
    meta = dict(obj.get("metadata") or {})
    if res.namespaced and not meta.get("namespace"):
        meta["namespace"] = default_namespace
    elif not res.namespaced and "namespace" in meta:
        del meta["namespace"]
    else:
        return obj
    return {**obj, "metadata": meta}


def index_tracked(objects: Iterable[tuple[ResourceKey, Obj]]) -> dict[str, list[tuple[ResourceKey, Obj]]]:
    """Live objects (with their keys) by the app name their tracking marker claims (any method; verified
    per app later)."""
    index: dict[str, list[tuple[ResourceKey, Obj]]] = defaultdict(list)
    for key, obj in given_way(objects, every=256):
        meta = obj.get("metadata") or {}
        names = set()
        annotation = (meta.get("annotations") or {}).get(ANNOTATION)
        if annotation:
            names.add(annotation.split(":", 1)[0])
        labels = meta.get("labels") or {}
        for label in (LABEL, FLUX_NAME, HELM_NAME):
            if labels.get(label):
                names.add(labels[label])
        for name in names:
            index[name].append((key, obj))
    return index


def unrendered_kinds(client: ClusterClient, prepared: Iterable[Prepared]) -> set[tuple[str, str, str]]:
    """The kinds to list for the HelmReleases that did not render (a chart not fetched offline), so that
    what the cluster has for them can be shown: what Helm's storage says their release deployed. (The
    kinds an app had before are listed anyway: KindInventory.)"""
    kinds: set[tuple[str, str, str]] = set()
    for p in prepared:
        app = p.rendered.app
        if app.kind != HELM_RELEASE or not (p.rendered.error or p.errors):
            continue
        hr = app.helm_release
        release = hr.release_name if hr is not None else (app.helm_release_name or app.name)
        storage = hr.storage_namespace if hr is not None and hr.storage_namespace else app.home
        kinds |= deployed_kinds(client, storage, release)
    return kinds


def tracked_live(app: AppSpec, tracked: dict[str, list[tuple[ResourceKey, Obj]]]) -> list[Obj]:
    """The live objects carrying the app's tracking marker, other than those another object owns."""
    return [o for _, o in tracked.get(tracking_name(app), ()) if tracked_by(o, app) and not is_owned(o)]
