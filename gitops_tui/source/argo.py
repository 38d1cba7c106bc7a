"""Argo CD `Application` manifests → AppSpec.

Only what decides the desired state and how it is synced is read (its sources: argo_sources.py). Options
that would change the rendered objects but are not applied here are named in a note, so a difference from
Argo CD is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gitops_tui.engine.syncoptions import compare_options
from gitops_tui.model import DEFAULT_HOME, AppOrigin, AppSource, AppSpec, TrackingMethod
from gitops_tui.source import specfields as f
from gitops_tui.source.argo_sources import SourceContext, parse_source
from gitops_tui.source.specfields import SpecError

ARGO_GROUP = "argoproj.io"
IN_CLUSTER = "https://kubernetes.default.svc"


@dataclass
class Parsed:
    app: AppSpec | None  # None when the manifest has no usable name
    notes: list[str] = field(default_factory=list)
    error: str = ""  # only when app is None


def is_application(doc: Any, kind: str = "Application") -> bool:
    return (
        isinstance(doc, dict)
        and str(doc.get("apiVersion", "")).startswith(f"{ARGO_GROUP}/")
        and doc.get("kind") == kind
    )


def parse_application(
    doc: dict[str, Any],
    where: str,
    tree: Path,
    tracking: TrackingMethod = TrackingMethod.ANNOTATION,
    context: SourceContext | None = None,
) -> Parsed:
    """`where` is "file:line" of the manifest. Problems after the name is known become the app's error.

    `context` says which repoURLs name this checkout (none: all of them) and what it has checked out."""
    ctx = context or SourceContext()
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return Parsed(None, error=f"{where}: Application without metadata.name, skipped")
    defined_in = f.file_of(where)
    base = AppSpec(
        name=name,
        path="",
        origin=AppOrigin.ARGO,
        kind="Application",
        home=str(meta.get("namespace") or DEFAULT_HOME[AppOrigin.ARGO]),
        defined_in=defined_in,
        tracking=tracking,
        compare_options=compare_options(doc),
    )
    notes: list[str] = []
    ignored: list[str] = []
    try:
        spec = f.mapping(doc.get("spec"), "spec")
        app = _with_sources(base, _sources(spec, tree, ctx, ignored), ctx)
        if ignored:
            notes.append(f"{where}: Application {name}: not applied when rendering: {', '.join(ignored)}")
        app = _with_destination(app, f.mapping(spec.get("destination"), "spec.destination"))
        app = _with_sync_policy(app, f.mapping(spec.get("syncPolicy"), "spec.syncPolicy"))
        app = replace(
            app, ignore_differences=f.ignore_rules(spec.get("ignoreDifferences"), "spec.ignoreDifferences")
        )
        # Known after the rest is read, so that such an app still shows its destination and sync policy.
        unreadable = next((s.error for s in app.sources if s.error), "")
        if unreadable:
            app = replace(app, error=f"{where}: Application {name}: {unreadable}")
    except SpecError as exc:
        return Parsed(replace(base, error=f"{where}: Application {name}: {exc}"), notes)
    return Parsed(app, notes)


def _sources(spec: dict[str, Any], tree: Path, ctx: SourceContext, ignored: list[str]) -> list[AppSource]:
    if spec.get("source") is not None:
        return [parse_source(spec["source"], "source", tree, ctx, ignored)]
    raw = spec.get("sources")
    if not isinstance(raw, list) or not raw:
        raise SpecError("spec.source is missing")
    return [parse_source(s, f"sources[{i}]", tree, ctx, ignored) for i, s in enumerate(raw)]


def _with_sources(app: AppSpec, sources: list[AppSource], ctx: SourceContext) -> AppSpec:
    """Every source on the app; the first that renders (not `ref:`-only) is the primary one, whose path
    and type History, adopt and dependencies read. A source that cannot be read is the app's error: a
    partial set of objects would make a sync prune what the other sources hold (parse_application)."""
    primary = next((s for s in sources if not s.ref_only), sources[0])
    here = not primary.checkout and not primary.chart
    notes = []
    differ = sorted(
        {
            s.target_revision
            for s in sources
            if not s.chart and not s.checkout and not ctx.same_revision(s.target_revision)
        }
    )
    if differ and ctx.branch:
        notes.append(f"Argo CD renders {' and '.join(differ)}; this shows {ctx.shown()}")
    notes += [
        f"source {s.repo_url} is read from the working tree of {s.checkout}" for s in sources if s.checkout
    ]
    return replace(
        app,
        path=primary.path if here else "",
        source_type=primary.source_type,
        recurse=primary.recurse,
        include=primary.include,
        exclude=primary.exclude,
        helm_values_files=primary.helm.value_files,
        helm_release_name=primary.helm.release_name,
        kustomize_images=primary.kustomize.images,
        kustomize_name_prefix=primary.kustomize.name_prefix,
        kustomize_name_suffix=primary.kustomize.name_suffix,
        sources=tuple(sources),
        target_revision=primary.target_revision,
        notes=tuple(notes),
    )


def _with_destination(app: AppSpec, dest: dict[str, Any]) -> AppSpec:
    server = f.text(dest.get("server"), "destination.server")
    cluster_name = f.text(dest.get("name"), "destination.name")
    if cluster_name == "in-cluster" and not server:  # Argo CD's name for its own cluster
        cluster_name, server = "", IN_CLUSTER
    return replace(
        app,
        server=server,
        cluster_name=cluster_name,
        namespace=f.text(dest.get("namespace"), "destination.namespace"),
    )


def _with_sync_policy(app: AppSpec, policy: dict[str, Any]) -> AppSpec:
    automated_raw = policy.get("automated")
    automated = f.mapping(automated_raw, "syncPolicy.automated")
    # `automated: {}` switches automation on; Argo CD 3 can also write `enabled: false` to pause it.
    on = automated_raw is not None and f.flag(automated.get("enabled"), "syncPolicy.automated.enabled", True)
    return replace(
        app,
        automated=on,
        prune=f.flag(automated.get("prune"), "syncPolicy.automated.prune"),
        self_heal=f.flag(automated.get("selfHeal"), "syncPolicy.automated.selfHeal"),
        sync_options=f.strings(policy.get("syncOptions"), "syncPolicy.syncOptions"),
        retry=f.retry_policy(policy.get("retry"), "syncPolicy.retry"),
    )
