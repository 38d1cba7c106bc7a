"""Flux `Kustomization` manifests (kustomize.toolkit.fluxcd.io) → AppSpec.

Distinct from kustomize's own `kustomization.yaml` (kustomize.config.k8s.io), which is a build file, not an
app. What kustomize-controller does with each field:

- applied when rendering (render_flux.py): `sourceRef` + `path` (which files: fluxref.py), `targetNamespace`,
  `namePrefix`/`nameSuffix`, `patches`, `images`, `components`/`ignoreMissingComponents`, `commonMetadata`,
  `postBuild` (substitution), `decryption` (SOPS files are never decrypted: compared by key names);
- kept on the app: `suspend` (shown; automation never acts), `prune`, `wait`, `force`, `dependsOn` (ids of
  Kustomizations of the same cluster: `depends_on`), `ignore` (→ ignored differences);
- irrelevant to what is rendered: `interval`, `retryInterval`, `timeout`, `serviceAccountName`,
  `healthChecks`, `healthCheckExprs`, `deletionPolicy`;
- said in a note: `kubeConfig` (applies to another cluster), `buildMetadata`, and anything unknown.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from gitops_tui.model import (
    AppOrigin,
    AppSpec,
    FluxBuild,
    IgnoreRule,
    SourceType,
    SubstituteFrom,
    TrackingMethod,
    parse_app_id,
)
from gitops_tui.source import specfields as f
from gitops_tui.source.argo import Parsed
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.fluxref import SourceRefError, resolve_source, source_ref
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.fluxvalues import ValuesError, find_values
from gitops_tui.source.specfields import SpecError

FLUX_GROUP = "kustomize.toolkit.fluxcd.io"
DEFAULT_NAMESPACE = "flux-system"
_APPLIED = {
    "path", "sourceRef", "targetNamespace", "prune", "suspend", "images", "namePrefix", "nameSuffix",
    "patches", "components", "ignoreMissingComponents", "commonMetadata", "postBuild", "decryption",
    "dependsOn", "wait", "force", "ignore",
}  # fmt: skip
# Fields about scheduling and the controller itself: they do not change what is rendered.
_IRRELEVANT = {
    "interval", "retryInterval", "timeout", "healthChecks", "healthCheckExprs", "serviceAccountName",
    "deletionPolicy",
}  # fmt: skip
_NOTED = {
    "kubeConfig": "kubeConfig: Flux applies it to another cluster; compared here against this app's context",
    "buildMetadata": "buildMetadata: not applied (objects carry no origin/transformer annotations here)",
    "patchesStrategicMerge": "patchesStrategicMerge: not in Flux's v1 API (removed), not applied",
    "patchesJson6902": "patchesJson6902: not in Flux's v1 API (removed), not applied",
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


def dependency_id(name: str, namespace: str, cluster: str) -> str:
    """The id of the Kustomization `dependsOn` names, in the cluster of the one that names it."""
    return AppSpec(
        name=name, path="", origin=AppOrigin.FLUX, kind="Kustomization", home=namespace, cluster=cluster
    ).id


def in_cluster(app: AppSpec, cluster: str) -> AppSpec:
    """A Flux app placed in `cluster` (by the tree): its `dependsOn` ids follow it there."""
    if app.cluster == cluster or not app.depends_on:
        return replace(app, cluster=cluster)
    moved = []
    for dep in app.depends_on:
        _, namespace, name, _ = parse_app_id(dep)
        moved.append(dependency_id(name, namespace or DEFAULT_NAMESPACE, cluster))
    return replace(app, cluster=cluster, depends_on=tuple(moved))


def parse_kustomization(
    doc: dict[str, Any],
    where: str,
    tree: Path,
    sources: FluxSources | None = None,
    context: SourceContext | None = None,
) -> Parsed:
    """`sources`: the Flux source objects (and ConfigMaps/Secrets) its cluster has so far (fluxsources.py),
    for `sourceRef` and `substituteFrom`; `context`: which repository URLs are this checkout."""
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
        source_type=SourceType.KUSTOMIZE,  # Flux always builds with kustomize (generating one if needed)
    )
    notes: list[str] = []
    try:
        spec = f.mapping(doc.get("spec"), "spec")
        app = _fields(base, spec, flux_namespace)
    except SpecError as exc:
        return Parsed(replace(base, error=f"{where}: Kustomization {name}: {exc}"), notes)
    try:  # the app keeps what it read (dependsOn, suspend...) when its source or values are unusable
        kind, ref_namespace, ref_name = source_ref(spec, flux_namespace)
        build = _build(spec, flux_namespace, sources)
        source, said = resolve_source(kind, ref_namespace, ref_name, sources, context)
    except (SpecError, SourceRefError, ValuesError) as exc:
        return Parsed(replace(app, error=f"{where}: Kustomization {name}: {exc}"), notes)
    build = replace(build, source=source)
    if source.kind == "GitRepository" and not source.tree.checkout and not source.tree.revision:
        # Files in this tree: "directory" says Flux generates the kustomization (a source elsewhere is
        # only known once read, and is built with kustomize either way).
        detected = f.detect_source_type(tree, app.path)
        kind_of = SourceType.KUSTOMIZE if detected is SourceType.KUSTOMIZE else SourceType.DIRECTORY
        app = replace(app, source_type=kind_of)
    unknown = sorted(k for k in spec if k not in _APPLIED and k not in _IRRELEVANT and k not in _NOTED)
    said_notes = [*said, *(_NOTED[k] for k in sorted(spec) if k in _NOTED)]
    if unknown:
        said_notes.append(f"not applied when rendering: {', '.join(unknown)}")
    if build.decryption and build.decryption != "sops":
        said_notes.append(f"decryption provider {build.decryption} is not known to Flux (only sops)")
    app = replace(app, flux=build, notes=(*app.notes, *(f"Kustomization {name}: {n}" for n in said_notes)))
    return Parsed(app, notes)


def _fields(base: AppSpec, spec: dict[str, Any], namespace: str) -> AppSpec:
    images = spec.get("images")
    if images is not None and not isinstance(images, list):
        raise SpecError("spec.images must be a list")
    suspended = f.flag(spec.get("suspend"), "spec.suspend")
    depends = []
    for i, dep in enumerate(f.items(spec.get("dependsOn"), "spec.dependsOn")):
        dep = f.mapping(dep, f"spec.dependsOn[{i}]")
        dep_name = f.text(dep.get("name"), f"spec.dependsOn[{i}].name")
        if not dep_name:
            raise SpecError(f"spec.dependsOn[{i}].name is missing")
        dep_namespace = f.text(dep.get("namespace"), f"spec.dependsOn[{i}].namespace") or namespace
        depends.append(dependency_id(dep_name, dep_namespace, ""))
    return replace(
        base,
        path=f.repo_path(spec.get("path"), "spec.path"),
        namespace=f.text(spec.get("targetNamespace"), "spec.targetNamespace"),
        prune=f.flag(spec.get("prune"), "spec.prune"),
        suspended=suspended,
        # Flux reconciles on its interval and corrects drift unless suspended.
        automated=not suspended,
        self_heal=not suspended,
        recurse=True,
        kustomize_images=tuple(image_override(e, f"spec.images[{i}]") for i, e in enumerate(images or [])),
        kustomize_name_prefix=f.text(spec.get("namePrefix"), "spec.namePrefix"),
        kustomize_name_suffix=f.text(spec.get("nameSuffix"), "spec.nameSuffix"),
        depends_on=tuple(depends),
        ignore_differences=_ignore(spec.get("ignore")),
    )


def _build(spec: dict[str, Any], namespace: str, sources: FluxSources | None) -> FluxBuild:
    patches = []
    for i, patch in enumerate(f.items(spec.get("patches"), "spec.patches")):
        patch = f.mapping(patch, f"spec.patches[{i}]")
        if not f.text(patch.get("patch"), f"spec.patches[{i}].patch"):
            raise SpecError(f"spec.patches[{i}].patch is missing")
        patches.append({k: patch[k] for k in ("patch", "target") if patch.get(k) is not None})
    meta = f.mapping(spec.get("commonMetadata"), "spec.commonMetadata")
    post = spec.get("postBuild")
    post_map = f.mapping(post, "spec.postBuild")
    strategy = f.text(post_map.get("substituteStrategy"), "spec.postBuild.substituteStrategy")
    if strategy not in ("", "WithVariables", "Always"):
        raise SpecError(f"spec.postBuild.substituteStrategy must be WithVariables or Always, not {strategy}")
    decryption = f.mapping(spec.get("decryption"), "spec.decryption")
    return FluxBuild(
        patches=json.dumps(patches) if patches else "",
        components=f.strings(spec.get("components"), "spec.components"),
        ignore_missing_components=f.flag(spec.get("ignoreMissingComponents"), "spec.ignoreMissingComponents"),
        common_labels=f.pairs(meta.get("labels"), "spec.commonMetadata.labels"),
        common_annotations=f.pairs(meta.get("annotations"), "spec.commonMetadata.annotations"),
        post_build=post is not None,
        substitute=f.pairs(post_map.get("substitute"), "spec.postBuild.substitute"),
        substitute_from=_substitute_from(post_map.get("substituteFrom"), namespace, sources),
        substitute_always=strategy == "Always",
        decryption=f.text(decryption.get("provider"), "spec.decryption.provider"),
        wait=f.flag(spec.get("wait"), "spec.wait"),
        force=f.flag(spec.get("force"), "spec.force"),
    )


def _substitute_from(value: Any, namespace: str, sources: FluxSources | None) -> tuple[SubstituteFrom, ...]:
    out = []
    for i, raw in enumerate(f.items(value, "spec.postBuild.substituteFrom")):
        field = f"spec.postBuild.substituteFrom[{i}]"
        ref = f.mapping(raw, field)
        kind = f.text(ref.get("kind"), f"{field}.kind")
        name = f.text(ref.get("name"), f"{field}.name")
        if kind not in ("ConfigMap", "Secret"):
            raise SpecError(f"{field}.kind must be ConfigMap or Secret, not {kind or 'empty'}")
        if not name:
            raise SpecError(f"{field}.name is missing")
        optional = f.flag(ref.get("optional"), f"{field}.optional")
        found = find_values(sources, kind, namespace, name)
        if found is None or found.encrypted:  # an encrypted Secret's values are in the cluster only
            out.append(SubstituteFrom(kind, name, namespace, optional))
        else:
            values = tuple(sorted(found.values.items()))
            out.append(SubstituteFrom(kind, name, namespace, optional, True, found.where, values))
    return tuple(out)


def _ignore(value: Any) -> tuple[IgnoreRule, ...]:
    """`spec.ignore` (JSON pointers per target) as ignored differences."""
    rules = []
    for i, raw in enumerate(f.items(value, "spec.ignore")):
        rule = f.mapping(raw, f"spec.ignore[{i}]")
        target = f.mapping(rule.get("target"), f"spec.ignore[{i}].target")
        rules.append(
            IgnoreRule(
                group=f.text(target.get("group"), f"spec.ignore[{i}].target.group"),
                kind=f.text(target.get("kind"), f"spec.ignore[{i}].target.kind"),
                name=f.text(target.get("name"), f"spec.ignore[{i}].target.name"),
                namespace=f.text(target.get("namespace"), f"spec.ignore[{i}].target.namespace"),
                json_pointers=f.strings(rule.get("paths"), f"spec.ignore[{i}].paths"),
            )
        )
    return tuple(rules)
