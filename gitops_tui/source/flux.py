"""Flux `Kustomization` (kustomize.toolkit.fluxcd.io) manifests → AppSpec.

Not to be confused with kustomize's own `kustomization.yaml` (kustomize.config.k8s.io), which is a build
file, not an app. Flux always builds with kustomize: a path without a kustomization.yaml is rendered as a
recursive directory, which is what the kustomization Flux generates for it contains.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from gitops_tui.model import AppOrigin, AppSpec, SourceType, TrackingMethod
from gitops_tui.source import specfields as f
from gitops_tui.source.argo import Parsed
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.specfields import SpecError

FLUX_GROUP = "kustomize.toolkit.fluxcd.io"
DEFAULT_NAMESPACE = "flux-system"
_APPLIED = {"path", "targetNamespace", "prune", "suspend", "images", "namePrefix", "nameSuffix"}
# Fields about scheduling and the controller itself: they do not change what is rendered.
_IRRELEVANT = {
    "interval",
    "retryInterval",
    "timeout",
    "sourceRef",
    "dependsOn",
    "wait",
    "force",
    "healthChecks",
    "serviceAccountName",
    "decryption",
    "deletionPolicy",
}


def is_flux_kustomization(doc: Any) -> bool:
    return (
        isinstance(doc, dict)
        and str(doc.get("apiVersion", "")).startswith(f"{FLUX_GROUP}/")
        and doc.get("kind") == "Kustomization"
    )


def image_override(entry: Any, field: str) -> str:
    """A Flux `images:` entry ({name, newName, newTag, digest}) in `kustomize edit set image` form."""
    raw = f.mapping(entry, field)
    name = f.text(raw.get("name"), f"{field}.name")
    if not name:
        raise SpecError(f"{field}.name is missing")
    new_name = f.text(raw.get("newName"), f"{field}.newName")
    ref = new_name or name
    if digest := f.text(raw.get("digest"), f"{field}.digest"):
        ref += f"@{digest}"
    elif tag := f.text(raw.get("newTag"), f"{field}.newTag"):
        ref += f":{tag}"
    return f"{name}={ref}" if new_name else ref


def parse_kustomization(
    doc: dict[str, Any], where: str, tree: Path, sources: FluxSources | None = None
) -> Parsed:
    """`sources`: the Flux source objects its cluster has so far (see fluxsources.py), for `sourceRef`."""
    meta = doc.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        return Parsed(None, error=f"{where}: Flux Kustomization without metadata.name, skipped")
    flux_namespace = str(meta.get("namespace") or DEFAULT_NAMESPACE)
    base = AppSpec(
        name=name,
        path="",
        origin=AppOrigin.FLUX,
        kind="Kustomization",
        home=flux_namespace,
        defined_in=f.file_of(where),
        tracking=TrackingMethod.FLUX,
        flux_namespace=flux_namespace,
    )
    notes: list[str] = []
    try:
        spec = f.mapping(doc.get("spec"), "spec")
        path = f.repo_path(spec.get("path"), "spec.path")
        images = spec.get("images")
        if images is not None and not isinstance(images, list):
            raise SpecError("spec.images must be a list")
        suspended = f.flag(spec.get("suspend"), "spec.suspend")
        detected = f.detect_source_type(tree, path)
        app = replace(
            base,
            path=path,
            source_type=SourceType.KUSTOMIZE if detected is SourceType.KUSTOMIZE else SourceType.DIRECTORY,
            namespace=f.text(spec.get("targetNamespace"), "spec.targetNamespace"),
            prune=f.flag(spec.get("prune"), "spec.prune"),
            suspended=suspended,
            # Flux reconciles on its interval and corrects drift unless suspended.
            automated=not suspended,
            self_heal=not suspended,
            recurse=True,
            kustomize_images=tuple(
                image_override(e, f"spec.images[{i}]") for i, e in enumerate(images or [])
            ),
            kustomize_name_prefix=f.text(spec.get("namePrefix"), "spec.namePrefix"),
            kustomize_name_suffix=f.text(spec.get("nameSuffix"), "spec.nameSuffix"),
        )
    except SpecError as exc:
        return Parsed(replace(base, error=f"{where}: Kustomization {name}: {exc}"), notes)
    ignored = sorted(k for k in spec if k not in _APPLIED and k not in _IRRELEVANT)
    if ignored:
        notes.append(f"{where}: Kustomization {name}: not applied when rendering: {', '.join(ignored)}")
    if app.source_type is SourceType.DIRECTORY and (app.kustomize_images or app.kustomize_name_prefix):
        notes.append(f"{where}: Kustomization {name}: images/namePrefix need a kustomization.yaml in {path}")
    return Parsed(app, notes)
