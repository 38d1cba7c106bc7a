"""Which paths of the repository an app's desired state comes from: its own path plus what its Kustomize
tree pulls in from elsewhere (a shared base, components, patches) and Helm value files outside the chart.

History uses this, so that "what changed this app" includes a commit to `api/base`, not only to the overlay.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.model import AppSpec, GitTree, SourceType
from gitops_tui.source.artifact import origin_of, selection_root
from gitops_tui.source.leaves import is_remote
from gitops_tui.source.specfields import SpecError, repo_path
from gitops_tui.source.walk import find_kustomization

_MAX_KUSTOMIZATIONS = 200  # a guard against pathological trees, far above real overlay depths


def _local_refs(data: dict[str, Any]) -> list[str]:
    """Every local path a kustomization names (directories and files), as written."""
    refs: list[str] = []

    def add(value: Any) -> None:
        if isinstance(value, str) and value and "\n" not in value:
            refs.append(value)

    for key in (
        "resources",
        "bases",
        "components",
        "patchesStrategicMerge",
        "crds",
        "configurations",
        "generators",
        "transformers",
        "validators",
    ):
        for entry in data.get(key) or []:
            add(entry)
    for key in ("patches", "patchesJson6902", "replacements"):
        for entry in data.get(key) or []:
            if isinstance(entry, dict):
                add(entry.get("path"))
    if isinstance(data.get("openapi"), dict):
        add(data["openapi"].get("path"))
    for key in ("configMapGenerator", "secretGenerator"):
        for gen in data.get(key) or []:
            if isinstance(gen, dict):
                for entry in gen.get("files") or []:
                    if isinstance(entry, str):
                        add(entry.split("=", 1)[-1])  # "key=path"
                for entry in gen.get("envs") or []:
                    add(entry)
                add(gen.get("env"))
    return refs


def kustomize_inputs(root: Path, start: str) -> tuple[set[str], bool]:
    """Every repo path a kustomize build of `start` reads, and whether that is all it reads (False when a
    remote resource or a path outside the repository is involved, or a kustomization could not be read)."""
    complete = True
    found: set[str] = set()
    queue: list[str] = [start]
    seen: set[str] = set()
    while queue and len(seen) < _MAX_KUSTOMIZATIONS:
        rel = queue.pop()
        if rel in seen:
            continue
        seen.add(rel)
        found.add(rel)
        kfile = find_kustomization(root / rel if rel != "." else root)
        if kfile is None:
            continue
        try:
            data = yaml.load(kfile.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            complete = False  # rendering reports it; the app's own path is still known
            continue
        if not isinstance(data, dict):
            continue
        if data.get("helmCharts"):
            complete = False  # charts come from Helm repositories (or a chartHome we do not follow)
        for ref in _local_refs(data):
            if is_remote(ref):
                complete = False
                continue
            target = posixpath.normpath(posixpath.join(rel, ref))
            if target == ".." or target.startswith("../") or posixpath.isabs(target):
                complete = False
                continue
            if (root / target).is_dir():
                queue.append(target)
            else:
                found.add(target)
    if queue:
        complete = False
    return found, complete


def app_paths(root: Path, app: AppSpec) -> tuple[str, ...]:
    """The app's path first, then the other paths it is built from, outermost first, without nesting.

    An Argo CD app with several sources is built from every source in this checkout and from the value
    files its Helm sources read (`$ref/...` ones included); one built from nothing here (a chart from a
    Helm repository with inline values) is built from the file that declares it. A Flux Kustomization
    is built from its source's files: for an ExternalArtifact, the paths of this checkout its generator's
    copy operations read; for another checkout or another branch, nothing here but its declaring file."""
    if app.flux is not None and app.flux.source is not None:
        flux_paths = _flux_paths(Path(root), app)
        if flux_paths is not None:
            return flux_paths
    if not app.sources:
        try:
            own = repo_path(app.path, "path")
        except SpecError:
            return (app.path,)
        return _ordered(own, _source_paths(Path(root), own, app.source_type, app.helm_values_files))
    refs = {f"${s.ref}" for s in app.sources if s.ref and not s.checkout}
    paths: set[str] = set()
    for source in app.sources:
        if not source.checkout and source.path and not source.chart:
            paths |= _source_paths(Path(root), source.path, source.source_type, source.helm.value_files)
        for values in (*source.helm.value_files, *(p for _, p in source.helm.file_parameters)):
            head, _, rest = values.partition("/")
            if head in refs and rest:
                paths.add(posixpath.normpath(rest))
    own = app.path or next(iter(sorted(paths)), "") or app.defined_in or app.path
    return _ordered(own, paths)


def _flux_paths(root: Path, app: AppSpec) -> tuple[str, ...] | None:
    """The paths of a Flux app whose files are not simply this tree's; None when they are."""
    source = app.flux.source if app.flux is not None else None
    if source is None:
        return None
    if source.kind == "ExternalArtifact":
        here = GitTree()
        origin = origin_of(source.copies, app.path)
        reads = {posixpath.normpath(selection_root(c.source)) for c in source.copies if c.tree == here}
        if origin is not None and origin[0] == here:
            # Its own directory first, then what its kustomization reads there (the copy operations keep
            # the layout below what they copy), among what the artifact holds.
            inputs = kustomize_inputs(root, origin[1])[0]
            kept = {p for p in inputs if any(p == r or _under(p, r) or r == "." for r in reads)}
            return _ordered(origin[1], kept | {origin[1]})
        if not reads:
            return (app.defined_in or app.path,)
        return _ordered(min(reads), reads)
    if source.tree != GitTree():
        return (app.defined_in or app.path,)
    return None


def _source_paths(root: Path, own: str, kind: SourceType, value_files: Sequence[str]) -> set[str]:
    paths: set[str] = {own}
    if kind is SourceType.KUSTOMIZE:
        paths |= kustomize_inputs(root, own)[0]
    elif kind is SourceType.HELM:
        for values in value_files:
            if values.startswith("$") or "://" in values:
                continue
            target = posixpath.normpath(
                values.lstrip("/") if values.startswith("/") else posixpath.join(own, values)
            )
            if not target.startswith("../") and target != "..":
                paths.add(target)
    return paths


def _ordered(own: str, paths: set[str]) -> tuple[str, ...]:
    if "." in paths:
        return (".",)
    others = sorted(p for p in paths if p != own and not _under(p, own))
    kept = [p for p in others if not any(q != p and _under(p, q) for q in others)]
    return (own, *kept)


def _under(path: str, parent: str) -> bool:
    return path.startswith(parent + "/")


def touched(root: Path, app: AppSpec, changed: Sequence[str]) -> bool:
    """Whether an uncommitted change is in what the app is built from or in the file declaring it."""
    paths = [*app_paths(root, app), *([app.defined_in] if app.defined_in else [])]
    if any(p in ("", ".") for p in paths):
        return True
    return any(f == p or f.startswith(p.rstrip("/") + "/") for f in changed for p in paths)
