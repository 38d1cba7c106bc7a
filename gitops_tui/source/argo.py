"""Argo CD `Application` manifests → AppSpec.

Only what decides the desired state and how it is synced is read. Options that would change the rendered
objects but are not applied here are named in a note, so a difference from Argo CD is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gitops_tui.model import DEFAULT_HOME, AppOrigin, AppSpec, SourceType, TrackingMethod
from gitops_tui.source import specfields as f
from gitops_tui.source.specfields import SpecError

ARGO_GROUP = "argoproj.io"
IN_CLUSTER = "https://kubernetes.default.svc"

_KUSTOMIZE_APPLIED = {"images", "namePrefix", "nameSuffix"}
_HELM_APPLIED = {"valueFiles", "releaseName"}
_DIRECTORY_APPLIED = {"recurse", "include", "exclude"}
_EXPLICIT_TYPES = {
    "kustomize": SourceType.KUSTOMIZE,
    "helm": SourceType.HELM,
    "directory": SourceType.DIRECTORY,
}


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


def _pick_source(spec: dict[str, Any], name: str, notes: list[str], where: str) -> dict[str, Any]:
    if spec.get("source") is not None:
        return f.mapping(spec["source"], "spec.source")
    sources = spec.get("sources")
    if not isinstance(sources, list) or not sources:
        raise SpecError("spec.source is missing")
    with_path = [s for s in sources if isinstance(s, dict) and s.get("path")]
    if not with_path:
        chart = next((s for s in sources if isinstance(s, dict) and s.get("chart")), {})
        raise SpecError(_no_path(chart))
    if len(sources) > 1:
        notes.append(
            f"{where}: Application {name} has {len(sources)} sources; only the first with a path "
            f"({with_path[0]['path']}) is rendered"
        )
    return f.mapping(with_path[0], "spec.sources[]")


def _no_path(source: dict[str, Any]) -> str:
    if source.get("chart"):
        return (
            f"source is Helm chart {source['chart']} from {source.get('repoURL', '?')}, "
            "not a path in this repository"
        )
    return "source has no path in this repository"


def _unapplied(block: dict[str, Any], applied: set[str], prefix: str) -> list[str]:
    return [f"{prefix}.{key}" for key in block if key not in applied]


def parse_application(
    doc: dict[str, Any], where: str, tree: Path, tracking: TrackingMethod = TrackingMethod.ANNOTATION
) -> Parsed:
    """`where` is "file:line" of the manifest. Problems after the name is known become the app's error."""
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return Parsed(None, error=f"{where}: Application without metadata.name, skipped")
    defined_in = where.rsplit(":", 1)[0]
    base = AppSpec(
        name=name,
        path="",
        origin=AppOrigin.ARGO,
        kind="Application",
        home=str(meta.get("namespace") or DEFAULT_HOME[AppOrigin.ARGO]),
        defined_in=defined_in,
        tracking=tracking,
    )
    notes: list[str] = []
    try:
        spec = f.mapping(doc.get("spec"), "spec")
        source = _pick_source(spec, name, notes, where)
        if not source.get("path"):
            raise SpecError(_no_path(source))
        app = _with_source(base, source, tree, notes, where, name)
        app = _with_destination(app, f.mapping(spec.get("destination"), "spec.destination"))
        app = _with_sync_policy(app, f.mapping(spec.get("syncPolicy"), "spec.syncPolicy"))
        app = replace(
            app, ignore_differences=f.ignore_rules(spec.get("ignoreDifferences"), "spec.ignoreDifferences")
        )
    except SpecError as exc:
        return Parsed(replace(base, error=f"{where}: Application {name}: {exc}"), notes)
    return Parsed(app, notes)


def _with_source(
    app: AppSpec, source: dict[str, Any], tree: Path, notes: list[str], where: str, name: str
) -> AppSpec:
    path = f.repo_path(source.get("path"), "source.path")
    if "plugin" in source:
        raise SpecError("config management plugins (source.plugin) cannot be rendered here")
    explicit = [key for key in _EXPLICIT_TYPES if source.get(key) is not None]
    if len(explicit) > 1:
        raise SpecError(f"source sets more than one of {', '.join(explicit)}")
    source_type = _EXPLICIT_TYPES[explicit[0]] if explicit else f.detect_source_type(tree, path)
    kustomize = f.mapping(source.get("kustomize"), "source.kustomize")
    helm = f.mapping(source.get("helm"), "source.helm")
    directory = f.mapping(source.get("directory"), "source.directory")
    ignored = (
        _unapplied(kustomize, _KUSTOMIZE_APPLIED, "kustomize")
        + _unapplied(helm, _HELM_APPLIED, "helm")
        + _unapplied(directory, _DIRECTORY_APPLIED, "directory")
    )
    if ignored:
        notes.append(f"{where}: Application {name}: not applied when rendering: {', '.join(ignored)}")
    return replace(
        app,
        path=path,
        source_type=source_type,
        # Argo CD reads only the top level of a directory app unless told to recurse.
        recurse=f.flag(directory.get("recurse"), "directory.recurse", default=False),
        include=f.text(directory.get("include"), "directory.include"),
        exclude=f.text(directory.get("exclude"), "directory.exclude"),
        helm_values_files=f.strings(helm.get("valueFiles"), "helm.valueFiles"),
        helm_release_name=f.text(helm.get("releaseName"), "helm.releaseName"),
        kustomize_images=f.strings(kustomize.get("images"), "kustomize.images"),
        kustomize_name_prefix=f.text(kustomize.get("namePrefix"), "kustomize.namePrefix"),
        kustomize_name_suffix=f.text(kustomize.get("nameSuffix"), "kustomize.nameSuffix"),
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
