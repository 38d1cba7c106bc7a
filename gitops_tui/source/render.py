"""Rendering apps to their desired objects: directory, Kustomize or Helm, then namespaces and duplicates.

`render_app` never raises: whatever goes wrong becomes the app's `error` (one line, with file:line where
known) and the other apps render as usual. An app with an error has no objects: a partial set would make a
sync prune what it should keep.
"""

from __future__ import annotations

import posixpath
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

from gitops_tui import __version__
from gitops_tui.model import AppOrigin, AppSpec, GitopsError, Obj, RenderedApp, ResourceKey, SourceType
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.render_directory import render_directory
from gitops_tui.source.render_helm import render_helm
from gitops_tui.source.render_kustomize import render_kustomize
from gitops_tui.source.rendercache import (
    RenderCache,
    entry_name,
    fingerprint,
    load_entry,
    store_entry,
    tool_identity,
)
from gitops_tui.source.scope import set_namespaces
from gitops_tui.source.tools import kustomize_command
from gitops_tui.source.yamlload import load_manifests
from gitops_tui.threads import daemon_map

__all__ = ["app_directory", "clear_render_cache", "load_manifests", "render_app", "render_apps"]

Renderer = Callable[[Path, AppSpec, Path], tuple[list[Obj], list[tuple[str, int]], list[str]]]
_RENDERERS: dict[SourceType, Renderer] = {
    SourceType.DIRECTORY: render_directory,
    SourceType.KUSTOMIZE: render_kustomize,
    SourceType.HELM: render_helm,
}
_NOTHING_FOUND = (
    "no Kubernetes manifests in this repository: no Argo CD Application, Flux Kustomization or "
    ".gitops-tui.yaml app, and no kustomization, Helm chart or YAML manifest (is --repo the right one?)"
)
# Directory apps need no such cache: their files' parses are cached by content in yamlload.
_external_cache = RenderCache()


def clear_render_cache() -> None:
    """Forget cached Kustomize/Helm output (a hard refresh; tests)."""
    _external_cache.clear()


def _render_external(
    root: Path, app: AppSpec, app_dir: Path, cache_dir: Path | None
) -> tuple[list[Obj], list[tuple[str, int]], list[str]]:
    renderer = _RENDERERS[app.source_type]
    digest = fingerprint(root, app)
    if digest is None:
        return renderer(root, app, app_dir)
    tool = shutil.which("helm") if app.source_type is SourceType.HELM else kustomize_command()
    key = (app, digest, str(tool))
    hit = _external_cache.get(key)
    if hit is not None:
        objects, origins, notes = hit
        return objects, origins, notes
    binary = tool if isinstance(tool, str) or tool is None else tool[0]
    identity = tool_identity(binary)
    if identity is None:  # which version runs cannot be told: memory only
        cache_dir = None
    name = entry_name(app, digest, tool, identity, __version__)
    stored = load_entry(cache_dir, name) if cache_dir is not None else None
    if stored is not None:
        _external_cache.put(key, stored)
        return stored
    result = renderer(root, app, app_dir)
    _external_cache.put(key, result)
    if cache_dir is not None:
        store_entry(cache_dir, name, result)
    return result


def app_directory(root: Path, path: str) -> Path:
    """The app's directory inside the tree; RenderError if it is missing, outside, or not a directory."""
    norm = posixpath.normpath(path.strip() or ".")
    if posixpath.isabs(norm) or norm == ".." or norm.startswith("../"):
        raise RenderError(f"path {path} is outside the repository")
    app_dir = root / norm if norm != "." else root
    if not app_dir.exists():
        raise RenderError(f"path {path} does not exist")
    if not app_dir.is_dir():
        raise RenderError(f"path {path} is not a directory")
    if not app_dir.resolve().is_relative_to(root.resolve()):
        raise RenderError(f"path {path} is outside the repository")
    return app_dir


def _duplicates(objects: Sequence[Obj], origins: Sequence[tuple[str, int]]) -> str:
    seen: dict[ResourceKey, tuple[str, int]] = {}
    for obj, origin in zip(objects, origins, strict=True):
        key = ResourceKey.of(obj)
        if not key.name:  # a generateName hook: named anew each time it runs, never a duplicate
            continue
        if key in seen:
            first = seen[key]
            if first[0] == origin[0]:
                where = f"{first[0]} (documents {first[1] + 1} and {origin[1] + 1})"
            else:
                where = f"{first[0]} and {origin[0]}"
            return f"duplicate {key.display()} in {where}"
        seen[key] = origin
    return ""


def render_app(root: Path, app: AppSpec, cache_dir: Path | None = None) -> RenderedApp:
    """Render one app; never raises. With `cache_dir`, Kustomize and Helm output is also kept on disk."""
    if app.error:  # found at discovery (a duplicate name, an unusable Application)
        return RenderedApp(app=app, error=app.error)
    root = Path(root).absolute()
    notes: list[str] = []
    try:
        app_dir = app_directory(root, app.path)
        if app.source_type is SourceType.DIRECTORY:
            objects, origins, notes = render_directory(root, app, app_dir)
        else:
            objects, origins, notes = _render_external(root, app, app_dir, cache_dir)
        # Flux's targetNamespace overrides what the manifests say; Argo's destination only fills gaps.
        objects, unknown = set_namespaces(objects, app.namespace, override=app.origin is AppOrigin.FLUX)
        if unknown:
            notes.append(
                f"namespace {app.namespace} not set on kinds of unknown scope ({', '.join(unknown)}): "
                "left to the cluster's API discovery"
            )
        if not objects and app.origin is AppOrigin.AUTO and app.path == ".":
            # The fallback "the whole repository is one app" found nothing: most likely the wrong
            # directory. "0/0 Synced" with exit 0 would let a CI check pass on it.
            return RenderedApp(app=app, notes=tuple(notes), error=_NOTHING_FOUND)
        duplicate = _duplicates(objects, origins)
        if duplicate:
            return RenderedApp(app=app, notes=tuple(notes), error=duplicate)
    except (RenderError, ManifestError) as exc:
        return RenderedApp(app=app, notes=tuple(notes), error=exc.message)
    except GitopsError as exc:
        return RenderedApp(app=app, notes=tuple(notes), error=exc.message)
    except OSError as exc:
        return RenderedApp(app=app, notes=tuple(notes), error=f"{app.path}: {exc.strerror or exc}")
    except Exception as exc:  # the contract is "never raises": a bug here must not take the other apps down
        return RenderedApp(app=app, notes=tuple(notes), error=f"{app.path}: internal error: {exc!r}")
    return RenderedApp(app=app, objects=tuple(objects), notes=tuple(notes), origins=tuple(origins))


def render_apps(
    root: Path, apps: Sequence[AppSpec], *, max_workers: int = 8, cache_dir: Path | None = None
) -> list[RenderedApp]:
    """Render every app, in order.

    Kustomize and Helm apps wait on subprocesses, so they run on daemon threads (a hung build never holds
    the process open); directory apps are pure
    Python (threads would only contend for the GIL), so they render on this thread meanwhile.
    """
    external = [
        i for i, app in enumerate(apps) if app.source_type is not SourceType.DIRECTORY and not app.error
    ]
    if len(external) <= 1 or max_workers <= 1:
        return [render_app(root, app, cache_dir) for app in apps]
    results: list[RenderedApp | None] = [None] * len(apps)
    futures = daemon_map(
        lambda i: render_app(root, apps[i], cache_dir),
        external,
        max_workers=min(max_workers, len(external)),
        name="render",
    )
    for i, app in enumerate(apps):
        if i not in external:
            results[i] = render_app(root, app, cache_dir)
    for i, future in zip(external, futures, strict=True):
        results[i] = future.result()
    return [r for r in results if r is not None]
