"""Argo CD's `source.kustomize` options beyond images and name prefix/suffix, as entries of the temporary
overlay (render_kustomize.py). Argo CD runs `kustomize edit` in the app's own kustomization instead; the
overlay gives the same objects except where a patch or label would have to see names or namespaces from
before the app's own transformers ran (the overlay applies after them)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from gitops_tui.model import KustomizeSpec
from gitops_tui.source.argoenv import envsubst
from gitops_tui.source.errors import RenderError
from gitops_tui.source.render_kustomize import Extra


def overlay_extra(spec: KustomizeSpec, app_dir: Path, env: dict[str, str]) -> Extra | None:
    entries: dict[str, Any] = {}
    if spec.namespace:
        entries["namespace"] = spec.namespace
    if spec.common_labels:
        labels = {k: envsubst(v, env) for k, v in spec.common_labels}
        if spec.label_without_selector:
            entries["labels"] = [
                {"pairs": labels, "includeSelectors": False, "includeTemplates": spec.label_include_templates}
            ]
        else:
            entries["commonLabels"] = labels
    if spec.common_annotations:
        entries["commonAnnotations"] = {
            k: envsubst(v, env) if spec.common_annotations_envsubst else v for k, v in spec.common_annotations
        }
    if spec.replicas:
        entries["replicas"] = [{"name": n, "count": c} for n, c in spec.replicas]
    patches = _patches(spec.patches, app_dir) if spec.patches else []
    components = [c for c in spec.components if not spec.ignore_missing_components or (app_dir / c).exists()]
    if not (entries or patches or components):
        return None

    def extra(overlay_dir: Path) -> dict[str, Any]:
        out = dict(entries)
        if patches:
            out["patches"] = patches
        if components:
            out["components"] = [os.path.relpath((app_dir / c).absolute(), overlay_dir) for c in components]
        return out

    return extra


def _patches(text: str, app_dir: Path) -> list[Any]:
    """The Application's patches; a patch file (relative to the app's kustomization) is inlined, since
    kustomize lets an overlay read files only below it."""
    try:
        patches = json.loads(text)
    except ValueError:
        return []
    out = []
    for patch in patches if isinstance(patches, list) else []:
        if isinstance(patch, dict) and isinstance(patch.get("path"), str) and "patch" not in patch:
            path = app_dir / patch["path"]
            try:
                body = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise RenderError(f"kustomize.patches: {patch['path']}: {exc.strerror}") from None
            patch = {k: v for k, v in patch.items() if k != "path"} | {"patch": body}
        out.append(patch)
    return out
