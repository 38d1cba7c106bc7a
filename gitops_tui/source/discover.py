"""Finding the apps of a repository, from every source present, merged (DESIGN §2 "Applications").

Order: `.gitops-tui.yaml` apps first (the operator's explicit list), then Argo CD Applications and Flux
Kustomizations in file order. Without any of these, apps are inferred from the layout (`leaves.py`).
A second app with a name already taken is kept, carrying an error that says where the first one is.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gitops_tui.giveway import give_way
from gitops_tui.model import AppOrigin, AppSpec, TrackingMethod
from gitops_tui.source.argo import Parsed, is_application, parse_application
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.clusters import ClusterConfig, bootstrap_app, find_clusters, in_cluster_dir
from gitops_tui.source.errors import ManifestError
from gitops_tui.source.flux import is_flux_kustomization, parse_kustomization
from gitops_tui.source.fluxsources import FluxSources, source_kind, values_kind
from gitops_tui.source.leaves import auto_apps
from gitops_tui.source.render_directory import expand_lists
from gitops_tui.source.repoconfig import load_repo_config
from gitops_tui.source.specfields import file_of
from gitops_tui.source.walk import MANIFEST_SUFFIXES, find_kustomization, walk_dirs
from gitops_tui.source.yamlload import load_documents

# Cheap byte tests that let us skip parsing the vast majority of files.
_MARKERS = (b"argoproj.io", b"fluxcd.io")
_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Discovery:
    apps: tuple[AppSpec, ...]
    errors: tuple[str, ...]  # files or entries that could not be read as apps
    notes: tuple[str, ...]  # things worth knowing: unsupported options, skipped files
    clusters: tuple[ClusterConfig, ...] = ()  # Flux cluster directories and configured clusters
    # ApplicationSet manifests found by scanning, (manifest, "file:line"): their Applications are roots
    appsets: tuple[tuple[dict[str, Any], str], ...] = ()
    # Flux source objects (GitRepository, OCIRepository, ArtifactGenerator...) in scanned files, outside
    # cluster directories (those are found in the cluster's rendered output): what `sourceRef`s may name
    flux_sources: tuple[tuple[dict[str, Any], str], ...] = ()
    context: SourceContext | None = None  # how sources were read: apps found by rendering read the same


@dataclass
class _Scan:
    declared: list[AppSpec]
    kustomize_dirs: list[str]
    chart_dirs: list[str]
    errors: list[str]
    notes: list[str]
    appsets: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    flux_sources: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    # Flux Kustomizations, parsed once every file is scanned: their sourceRef may name a later file's source
    # (manifest, "file:line", its place among `declared`)
    kustomizations: list[tuple[dict[str, Any], str, int]] = field(default_factory=list)


def discover_apps(
    root: Path,
    *,
    default_tracking: TrackingMethod = TrackingMethod.ANNOTATION,
    context: SourceContext | None = None,
) -> Discovery:
    """Every app declared in (or inferred from) the tree at `root`. Never raises for content problems.

    `context` tells Argo CD sources which repoURLs are this checkout; without it, it is read from the
    Git checkout at `root` (a `--revision` tree has none: every repoURL is then taken as this one)."""
    root = Path(root)
    config = load_repo_config(root, default_tracking)
    tracking = config.tracking or default_tracking
    context = context or SourceContext.for_checkout(root, config.repositories)
    scan = _scan(root, tracking, context)
    clusters = find_clusters(root, config.clusters)
    outside = [s for s in scan.flux_sources if not in_cluster_dir(file_of(s[1]), clusters)]
    _parse_kustomizations(root, scan, outside, context)
    # What a Flux cluster applies is found by rendering its bootstrap Kustomization, with the cluster's
    # overlays applied: the same manifests scanned one by one would be unpatched, and cluster-less.
    declared = [
        a
        for a in scan.declared
        if not (a.origin is AppOrigin.FLUX and in_cluster_dir(a.defined_in, clusters))
    ]
    roots = [_bootstrap(root, c, scan.declared) for c in clusters if c.path]
    apps = config.apps + roots + declared
    notes = config.notes + scan.notes
    if not apps and not scan.appsets:  # an ApplicationSet declares apps too
        apps = auto_apps(root, scan.kustomize_dirs, scan.chart_dirs, tracking, notes)
    return Discovery(
        apps=tuple(mark_duplicates(apps)),
        errors=tuple(config.errors + scan.errors),
        notes=tuple(notes),
        clusters=tuple(clusters),
        context=context,
        appsets=tuple(scan.appsets),
        flux_sources=tuple(outside),
    )


def _bootstrap(root: Path, cluster: ClusterConfig, scanned: list[AppSpec]) -> AppSpec:
    """The cluster's root: gotk-sync.yaml's own Kustomization when the repository was bootstrapped (its
    path, interval, prune as written), else the one `flux bootstrap` would write."""
    assumed = bootstrap_app(root, cluster)
    for app in scanned:
        if app.origin is AppOrigin.FLUX and app.defined_in == assumed.defined_in and app.name == assumed.name:
            return replace(app, cluster=cluster.name)
    return assumed


def mark_duplicates(apps: list[AppSpec]) -> list[AppSpec]:
    first: dict[str, AppSpec] = {}
    out = []
    for app in apps:
        if app.id in first:
            where = first[app.id].defined_in or first[app.id].path
            message = f"duplicate app name {app.id}: already defined in {where}"
            if app.defined_in:
                message = f"{app.defined_in}: {message}"
            app = replace(app, error=message)
        else:
            first[app.id] = app
        out.append(app)
    return out


def _parse_kustomizations(
    root: Path, scan: _Scan, sources: list[tuple[dict[str, Any], str]], context: SourceContext
) -> None:
    """The scanned Kustomizations, each resolving its sourceRef against the scanned sources outside cluster
    directories (one in a cluster directory is its bootstrap's to render, with the cluster's sources)."""
    index = FluxSources()
    for obj, where in sources:
        index.add(obj, where)
    for item, where, place in reversed(scan.kustomizations):  # from the end: earlier places stay right
        parsed = parse_kustomization(item, where, root, index, context)
        scan.notes.extend(parsed.notes)
        if parsed.app is not None:
            scan.declared.insert(place, parsed.app)
        else:
            scan.errors.append(parsed.error)


def _scan(root: Path, tracking: TrackingMethod, context: SourceContext) -> _Scan:
    scan = _Scan([], [], [], [], [])
    for dirpath, dirnames, filenames in walk_dirs(root):
        rel_dir = dirpath.relative_to(root).as_posix()
        if "Chart.yaml" in filenames:
            scan.chart_dirs.append(rel_dir)
            # Templates are not YAML until rendered, and subcharts belong to their parent.
            dirnames[:] = [d for d in dirnames if d not in ("templates", "charts")]
        if find_kustomization(dirpath) is not None:
            scan.kustomize_dirs.append(rel_dir)
        for name in filenames:
            if name.endswith(MANIFEST_SUFFIXES):
                give_way()
                _scan_file(root, dirpath / name, tracking, scan, context)
    return scan


def _scan_file(root: Path, path: Path, tracking: TrackingMethod, scan: _Scan, context: SourceContext) -> None:
    rel = path.relative_to(root).as_posix()
    try:
        if path.stat().st_size > _MAX_BYTES:
            scan.notes.append(f"{rel}: larger than {_MAX_BYTES // 2**20} MiB, not searched for apps")
            return
        data = path.read_bytes()
    except OSError:
        return  # a dangling symlink or a file removed while we walk: nothing to discover
    if not any(marker in data for marker in _MARKERS) or b"\0" in data[:8192]:
        return
    try:
        docs = load_documents(data.decode("utf-8-sig"), rel)
    except UnicodeDecodeError:
        return
    except ManifestError as exc:
        if "{{" in data.decode("utf-8", "replace"):
            scan.notes.append(f"{rel}: looks like a template, not searched for apps")
        else:
            scan.errors.append(exc.message)
        return
    for doc in docs:
        for item in expand_lists(doc.data):
            parsed: Parsed | None = None
            where = f"{rel}:{doc.line}"
            if is_application(item):
                parsed = parse_application(item, where, root, tracking, context)
            elif is_flux_kustomization(item):
                scan.kustomizations.append((item, where, len(scan.declared)))
            elif is_application(item, kind="ApplicationSet"):
                scan.appsets.append((item, where))  # expanded with the tree (it needs the clusters)
            elif source_kind(item) is not None or values_kind(item) is not None:
                scan.flux_sources.append((item, where))
            if parsed is None:
                continue
            scan.notes.extend(parsed.notes)
            if parsed.app is not None:
                scan.declared.append(parsed.app)
            else:
                scan.errors.append(parsed.error)
