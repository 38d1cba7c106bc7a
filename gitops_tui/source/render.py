"""Rendering apps to their desired objects: directory, Kustomize or Helm, then namespaces and duplicates.

`render_app` never raises: whatever goes wrong becomes the app's `error` (one line, with file:line where
known) and the other apps render as usual. An app with an error has no objects: a partial set would make a
sync prune what it should keep.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from gitops_tui import __version__
from gitops_tui.giveway import give_way
from gitops_tui.model import (
    AppOrigin,
    AppSource,
    AppSpec,
    GitopsError,
    Obj,
    RenderedApp,
    ResourceKey,
    SourceType,
)
from gitops_tui.source import helm
from gitops_tui.source.argo_kustomize import overlay_extra
from gitops_tui.source.argoenv import build_env
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.fluxvalues import FluxValuesLookup
from gitops_tui.source.helmrelease import clear_cache as clear_helmrelease_cache
from gitops_tui.source.helmrelease import render_helm_release
from gitops_tui.source.render_directory import render_directory
from gitops_tui.source.render_flux import clear_flux_cache, render_flux
from gitops_tui.source.render_helm import legacy_source, render_helm
from gitops_tui.source.render_kustomize import Extra, render_kustomize
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

Rendered = tuple[list[Obj], list[tuple[str, int]], list[str]]
_NOTHING_FOUND = (
    "no Kubernetes manifests in this repository: no Argo CD Application, Flux Kustomization or "
    ".gitops-tui.yaml app, and no kustomization, Helm chart or YAML manifest (is --repo the right one?)"
)
# Directory apps need no such cache: their files' parses are cached by content in yamlload.
_external_cache = RenderCache()


def clear_render_cache() -> None:
    """Forget cached Kustomize/Helm output (a hard refresh; tests)."""
    _external_cache.clear()
    clear_flux_cache()
    helm.clear_cache()
    clear_helmrelease_cache()


def _render_kustomize(
    root: Path, app: AppSpec, app_dir: Path, cache_dir: Path | None, extra: Extra | None, cacheable: bool
) -> Rendered:
    def renderer(root: Path, app: AppSpec, app_dir: Path) -> Rendered:
        return render_kustomize(root, app, app_dir, extra)

    digest = fingerprint(root, app) if cacheable else None
    if digest is None:
        return renderer(root, app, app_dir)
    tool = kustomize_command()
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


def _render_source(
    root: Path, app: AppSpec, source: AppSource, refs: dict[str, Path], cache_dir: Path | None
) -> Rendered:
    """One source of the app, from the tree at `root` or the other checkout it names."""
    tree = Path(source.checkout) if source.checkout else root
    if source.chart:
        return render_helm(tree, app, source, refs, cache_dir=cache_dir)
    app_dir = app_directory(tree, source.path)
    # The renderers below read these fields of the app: the source's own, for the time of its render.
    view = replace(
        app,
        path=source.path,
        source_type=source.source_type,
        recurse=source.recurse,
        include=source.include,
        exclude=source.exclude,
        kustomize_images=source.kustomize.images,
        kustomize_name_prefix=source.kustomize.name_prefix,
        kustomize_name_suffix=source.kustomize.name_suffix,
    )
    env = build_env(app, source)
    if source.source_type is SourceType.DIRECTORY:
        return render_directory(tree, view, app_dir, source.jsonnet, env)
    if source.source_type is SourceType.HELM:
        return render_helm(tree, view, source, refs, chart_dir=app_dir, cache_dir=cache_dir)
    extra = overlay_extra(source.kustomize, app_dir, env)
    # Components may live outside the kustomization tree, where the cache's digest does not look.
    return _render_kustomize(tree, view, app_dir, cache_dir, extra, cacheable=not source.kustomize.components)


def _render_sources(root: Path, app: AppSpec, cache_dir: Path | None) -> Rendered:
    """Every source but the `ref:`-only ones, objects concatenated in source order."""
    sources = app.sources or (legacy_source(app),)
    refs = {f"${s.ref}": Path(s.checkout) if s.checkout else root for s in sources if s.ref}
    objects: list[Obj] = []
    origins: list[tuple[str, int]] = []
    notes: list[str] = list(app.notes)
    for source in sources:
        if source.ref_only:
            continue
        more, where, said = _render_source(root, app, source, refs, cache_dir)
        objects += more
        origins += where
        notes += said
    return objects, origins, notes


def render_app(
    root: Path, app: AppSpec, cache_dir: Path | None = None, lookup: FluxValuesLookup | None = None
) -> RenderedApp:
    """Render one app; never raises. With `cache_dir`, Kustomize and Helm output is also kept on disk.
    `lookup`: where a Flux Kustomization's `substituteFrom` objects that Git does not hold are read (the
    cluster); without it, such an object is that app's error unless optional."""
    give_way()  # a key's frame first (gitops_tui/giveway.py)
    if app.error:  # found at discovery (a duplicate name, an unusable Application)
        return RenderedApp(app=app, notes=app.notes, error=app.error)
    root = Path(root).absolute()
    notes: list[str] = []
    secret_values: tuple[str, ...] = ()
    try:
        if app.helm_release is not None:
            objects, origins, notes = render_helm_release(root, app, cache_dir)
            secret_values = app.helm_release.secret_values  # what its valuesFrom read from Secrets
        elif app.origin is AppOrigin.FLUX and app.kind == "Kustomization":
            flux = render_flux(root, app, cache_dir, lookup)
            objects, origins, notes, secret_values = (
                flux.objects,
                flux.origins,
                flux.notes,
                flux.secret_values,
            )
        else:
            objects, origins, notes = _render_sources(root, app, cache_dir)
        # Flux's targetNamespace overrides what the manifests say; Argo's destination only fills gaps, and
        # so does a HelmRelease's (Helm installs into it what names no namespace).
        override = app.origin is AppOrigin.FLUX and app.helm_release is None
        objects, unknown = set_namespaces(objects, app.namespace, override=override)
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
    return RenderedApp(
        app=app,
        objects=tuple(objects),
        notes=tuple(notes),
        origins=tuple(origins),
        secret_values=secret_values,
    )


def _external(app: AppSpec) -> bool:
    """Whether rendering waits on a subprocess (Kustomize, Helm) or the network (a chart to pull)."""
    return any(s.source_type is not SourceType.DIRECTORY or s.chart for s in app.sources) or (
        app.source_type is not SourceType.DIRECTORY
    )


def render_apps(
    root: Path,
    apps: Sequence[AppSpec],
    *,
    max_workers: int = 8,
    cache_dir: Path | None = None,
    lookup: FluxValuesLookup | None = None,
) -> list[RenderedApp]:
    """Render every app, in order.

    Kustomize and Helm apps wait on subprocesses, so they run on daemon threads (a hung build never holds
    the process open); directory apps are pure
    Python (threads would only contend for the GIL), so they render on this thread meanwhile.
    """
    external = [i for i, app in enumerate(apps) if _external(app) and not app.error]
    if len(external) <= 1 or max_workers <= 1:
        return [render_app(root, app, cache_dir, lookup) for app in apps]
    results: list[RenderedApp | None] = [None] * len(apps)
    futures = daemon_map(
        lambda i: render_app(root, apps[i], cache_dir, lookup),
        external,
        max_workers=min(max_workers, len(external)),
        name="render",
    )
    for i, app in enumerate(apps):
        if i not in external:
            results[i] = render_app(root, app, cache_dir, lookup)
    for i, future in zip(external, futures, strict=True):
        results[i] = future.result()
    return [r for r in results if r is not None]
