"""Kustomize apps: `kustomize build` (or `kubectl kustomize`), with the Application's image and name
overrides applied through a temporary overlay, as Argo CD applies them with `kustomize edit`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.model import AppOrigin, AppSpec, Obj
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.render_directory import expand_lists
from gitops_tui.source.tools import kustomize_command, run_tool
from gitops_tui.source.yamlload import is_k8s_object, load_documents

# More overlay entries, given the overlay's directory (for paths relative to it).
Extra = Callable[[Path], dict[str, Any]]


def parse_image(spec: str) -> dict[str, str]:
    """An Argo CD / `kustomize edit set image` override as a kustomization `images:` entry.

    "nginx:1.25" → name nginx, newTag 1.25; "nginx=registry/nginx:1.25" → newName + newTag;
    "nginx@sha256:…" → digest.
    """
    name, eq, ref = spec.partition("=")
    if not eq:
        name, ref = "", spec
    entry: dict[str, str] = {}
    image, at, digest = ref.partition("@")
    tag = ""
    if not at:
        head, colon, tail = image.rpartition(":")
        if colon and "/" not in tail:  # a colon in the last segment is a tag, not a registry port
            image, tag = head, tail
    if name:
        entry["name"] = name
        if image and image != name:
            entry["newName"] = image
    else:
        entry["name"] = image
    if tag:
        entry["newTag"] = tag
    if digest:
        entry["digest"] = digest
    return entry


def _overlay(
    app: AppSpec, app_dir: Path, overlay_dir: Path, extra: Extra | None = None
) -> dict[str, Any] | None:
    if not (app.kustomize_images or app.kustomize_name_prefix or app.kustomize_name_suffix or extra):
        return None
    overlay: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        # kustomize refuses absolute paths here ("new root cannot be absolute")
        "resources": [os.path.relpath(app_dir.absolute(), overlay_dir)],
    }
    if app.kustomize_images:
        overlay["images"] = [parse_image(s) for s in app.kustomize_images]
    if app.kustomize_name_prefix:
        overlay["namePrefix"] = app.kustomize_name_prefix
    if app.kustomize_name_suffix:
        overlay["nameSuffix"] = app.kustomize_name_suffix
    if extra:  # further options an Argo CD Application sets (argo_kustomize.py)
        overlay.update(extra(overlay_dir))
    return overlay


def render_kustomize(
    root: Path, app: AppSpec, app_dir: Path, extra: Extra | None = None
) -> tuple[list[Obj], list[tuple[str, int]], list[str]]:
    command = kustomize_command()
    if command is None:
        raise RenderError(f"neither kustomize nor kubectl found on PATH (needed to render {app.path})")
    if app.origin is AppOrigin.FLUX:  # kustomize-controller builds with load restrictions off
        command = [*command, "--load-restrictor=LoadRestrictionsNone"]
    what = f"kustomize build {app.path}"
    with tempfile.TemporaryDirectory(prefix="gitops-tui-kustomize-") as tmp:
        overlay = _overlay(app, app_dir, Path(tmp), extra)
        target = app_dir
        if overlay is not None:
            target = Path(tmp)
            (target / "kustomization.yaml").write_text(yaml.safe_dump(overlay, sort_keys=False))
        replacements = {f"{root}/": "", str(root): ".", f"{tmp}/": "", tmp: "(overrides)"}
        out = run_tool([*command, str(target)], what=what, cwd=root, replacements=replacements)
    try:
        docs = load_documents(out, f"{app.path} (kustomize output)")
    except ManifestError as exc:
        raise RenderError(exc.message) from None
    objects: list[Obj] = []
    origins: list[tuple[str, int]] = []
    for doc in docs:
        for item in expand_lists(doc.data):
            if is_k8s_object(item):
                objects.append(item)
                origins.append((app.path, doc.index))
    return objects, origins, []
