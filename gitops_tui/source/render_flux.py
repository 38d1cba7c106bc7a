"""Rendering a Flux Kustomization as kustomize-controller does: find its source's files (this tree, another
checkout, another revision, or an ExternalArtifact built from its generator's copy operations), write the
kustomization Flux would build at `spec.path` (fluxgen.py), `kustomize build` it, then post-build: SOPS
(never decrypted, a broken `sops:` block is the app's error), variable substitution (postbuild.py) and
`commonMetadata`.

The kustomize output is cached by the app's build options and a digest of every file the build reads;
substitution runs on it afresh each time (its values may come from the cluster).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from gitops_tui import __version__
from gitops_tui.model import AppSpec, FluxBuild, FluxSourceRef, Obj
from gitops_tui.source.artifact import build_artifact, tree_root
from gitops_tui.source.dependencies import kustomize_inputs
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.fluxgen import find_kustomization_file, mirror, write_kustomization
from gitops_tui.source.fluxvalues import FluxValuesLookup
from gitops_tui.source.postbuild import common_metadata, substitute_all
from gitops_tui.source.render_directory import expand_lists
from gitops_tui.source.rendercache import (
    RenderCache,
    entry_name,
    hash_paths,
    load_entry,
    store_entry,
    tool_identity,
)
from gitops_tui.source.sops import sops_block_error
from gitops_tui.source.sourceignore import SourceIgnore
from gitops_tui.source.tools import kustomize_command, run_tool
from gitops_tui.source.yamlload import is_k8s_object, load_documents

_cache = RenderCache()
ORIGIN = "config.kubernetes.io/origin"


@dataclass(frozen=True)
class FluxRendered:
    objects: list[Obj]
    origins: list[tuple[str, int]]
    notes: list[str]
    secret_values: tuple[str, ...] = ()


def clear_flux_cache() -> None:
    _cache.clear()


def source_dir(root: Path, source: FluxSourceRef | None) -> tuple[Path, str]:
    """The root of the source's files, and how to name it in messages ("" for this tree)."""
    if source is None:
        return root, ""
    if source.kind == "ExternalArtifact":
        return build_artifact(root, source.name, source.copies), f"ExternalArtifact {source.name}"
    label = f"GitRepository {source.namespace}/{source.name}"
    if source.tree.revision:
        return tree_root(root, source.tree), f"{label} at {source.tree.revision}"
    if source.tree.checkout:
        return tree_root(root, source.tree), f"{label} ({source.tree.checkout})"
    return root, ""


def render_flux(
    root: Path, app: AppSpec, cache_dir: Path | None, lookup: FluxValuesLookup | None
) -> FluxRendered:
    """The app's objects, origins (file relative to the repository, or to the artifact), notes."""
    build = app.flux or FluxBuild()
    tree, label = source_dir(root, build.source)
    path = posixpath.normpath(app.path or ".")
    if posixpath.isabs(path) or path == ".." or path.startswith("../"):
        raise RenderError(f"kustomization path {app.path} is outside its source")
    where = f"{path} (in {label})" if label else path
    app_dir = tree / path if path != "." else tree
    if not app_dir.is_dir() or not app_dir.resolve().is_relative_to(tree.resolve()):
        raise RenderError(f"kustomization path not found: {where}")
    objects, origins, notes = _built(tree, app, build, path, where, cache_dir)
    notes = [*app.notes, *notes]
    for obj in objects:
        error = sops_block_error(obj)
        if error:
            meta = obj.get("metadata") or {}
            name = "/".join(str(p) for p in (meta.get("namespace"), meta.get("name")) if p)
            raise RenderError(f"{_file_of(tree, path, obj)}: {obj.get('kind')} {name}: {error}")
    objects, secrets = substitute_all(objects, app, build, lookup, lambda name: _mention(tree, path, name))
    objects = common_metadata(objects, build)
    shown_origins = [(f"{label}: {p}" if label else p, i) for p, i in origins]
    return FluxRendered(objects, shown_origins, notes, secrets)


def _built(
    tree: Path, app: AppSpec, build: FluxBuild, path: str, where: str, cache_dir: Path | None
) -> tuple[list[Obj], list[tuple[str, int]], list[str]]:
    """`kustomize build` of what Flux writes at `path`, cached by what it reads."""
    command = kustomize_command()
    if command is None:
        raise RenderError(f"neither kustomize nor kubectl found on PATH (needed to render {where})")
    # What the build depends on, substitution aside (it runs on the output).
    view = replace(app, flux=replace(build, substitute=(), substitute_from=(), post_build=False), notes=())
    digest = _digest(tree, path, build)
    tool = command[0] if isinstance(command, list) else command
    key = (view, digest, str(command))
    hit = _cache.get(key) if digest is not None else None
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    identity = tool_identity(tool)
    name = entry_name("flux", view, digest, command, identity, __version__)
    if digest is not None and cache_dir is not None and identity is not None:
        stored = load_entry(cache_dir, name)
        if stored is not None:
            _cache.put(key, stored)
            return stored
    result = _kustomize(tree, app, build, path, where, [*command, "--load-restrictor=LoadRestrictionsNone"])
    if digest is not None:
        _cache.put(key, result)
        if cache_dir is not None and identity is not None:
            store_entry(cache_dir, name, result)
    return result


def _digest(tree: Path, path: str, build: FluxBuild) -> bytes | None:
    """Every file a build of `path` reads (the kustomization tree; for a generated one, all below the path
    and what the kustomizations found there read; components); None when that cannot be told."""
    paths: set[str] = set()
    starts = [path, *(posixpath.normpath(posixpath.join(path, c)) for c in build.components)]
    app_dir = tree / path if path != "." else tree
    if find_kustomization_file(app_dir) is None:
        paths.add(path)
        for dirpath, dirnames, _ in os.walk(app_dir):
            dirnames[:] = [d for d in dirnames if d != ".git"]
            if Path(dirpath) != app_dir and find_kustomization_file(Path(dirpath)) is not None:
                starts.append(Path(dirpath).relative_to(tree).as_posix())
                dirnames.clear()
    for start in starts:
        found, complete = kustomize_inputs(tree, start)
        if not complete:
            return None
        paths |= found
    paths.add(".sourceignore")
    digest = hash_paths(tree, paths)
    return None if digest is None else hashlib.blake2b(digest + str(tree).encode(), digest_size=20).digest()


def _kustomize(
    tree: Path, app: AppSpec, build: FluxBuild, path: str, where: str, command: list[str]
) -> tuple[list[Obj], list[tuple[str, int]], list[str]]:
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="gitops-tui-flux-build-") as tmp:
        work = Path(tmp) / "source"
        ignore = SourceIgnore(tree) if build.source is None or build.source.kind == "GitRepository" else None
        mirror(tree, work, ignore)
        directory = work / path if path != "." else work
        if not directory.is_dir():
            raise RenderError(
                f"kustomization path not found: {where} (left out of the artifact by .sourceignore)"
            )
        written = write_kustomization(directory, work, app, build)
        if written.generated:
            notes.append(
                f"{where}: no kustomization.yaml; built from the one Flux generates (every manifest below)"
            )
        replacements = {f"{work}/": "", str(work): ".", f"{tmp}/": "", tmp: "."}
        out = run_tool(
            [*command, str(directory)], what=f"kustomize build {where}", cwd=work, replacements=replacements
        )
    try:
        docs = load_documents(out, f"{where} (kustomize output)")
    except ManifestError as exc:
        raise RenderError(exc.message) from None
    objects: list[Obj] = []
    origins: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    for doc in docs:
        for item in expand_lists(doc.data):
            if is_k8s_object(item):
                file = _origin(item, path, keep=written.origin_annotations)
                objects.append(item)
                origins.append((file, seen.get(file, 0)))
                seen[file] = seen.get(file, 0) + 1
    return objects, origins, notes


def _origin(obj: Obj, path: str, *, keep: bool) -> str:
    """The file (relative to the source's root) kustomize says the object came from, its annotation taken
    off unless Flux's own build would put it there; `path` when it does not say (a generator's output)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return path
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict) or ORIGIN not in annotations:
        return path
    raw = annotations[ORIGIN] if keep else annotations.pop(ORIGIN)
    if not annotations and not keep:
        del meta["annotations"]
    try:
        origin = yaml.safe_load(raw) if isinstance(raw, str) else None
    except yaml.YAMLError:
        origin = None
    where = origin.get("path") if isinstance(origin, dict) and not origin.get("repo") else None
    if not isinstance(where, str) or not where:
        return path
    file = posixpath.normpath(posixpath.join(path, where))
    return path if file.startswith("../") or file == ".." else file


def _yaml_files(tree: Path, path: str) -> list[Path]:
    top = tree / path if path != "." else tree
    found, _ = kustomize_inputs(tree, path)
    files: list[Path] = []
    for rel in sorted(found | {path}):
        here = tree / rel if rel != "." else tree
        if here.is_file():
            files.append(here)
        elif here.is_dir():
            files.extend(sorted(p for p in here.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
    return files or [top]


def _file_of(tree: Path, path: str, obj: Obj) -> str:
    """The file holding a `sops:` block for this object's name (for the error), else the path."""
    name = str((obj.get("metadata") or {}).get("name") or "")
    for file in _yaml_files(tree, path):
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if "sops:" in text and name in text:
            line = next((i + 1 for i, t in enumerate(text.splitlines()) if t.startswith("sops:")), 1)
            return f"{file.relative_to(tree).as_posix()}:{line}"
    return path


def _mention(tree: Path, path: str, variable: str) -> str:
    """Where a variable is used in the files the build reads ("file:line"), for its error."""
    needle = "${" + variable
    for file in _yaml_files(tree, path):
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, text in enumerate(lines, 1):
            at = text.find(needle)
            if at >= 0 and text[at + len(needle) : at + len(needle) + 1] in (
                "}",
                ":",
                "=",
                "/",
                ",",
                "^",
                "#",
                "%",
            ):
                return f"{file.relative_to(tree).as_posix()}:{number}"
    return path
