"""Helm apps: `helm template` with the Application's release name, namespace and value files."""

from __future__ import annotations

import shutil
from pathlib import Path

from gitops_tui.model import AppSpec, Obj
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.render_directory import expand_lists
from gitops_tui.source.tools import run_tool
from gitops_tui.source.yamlload import is_k8s_object, load_documents


def render_helm(
    root: Path, app: AppSpec, app_dir: Path
) -> tuple[list[Obj], list[tuple[str, int]], list[str]]:
    helm = shutil.which("helm")
    if helm is None:
        raise RenderError(f"helm not found on PATH (needed to render {app.path})")
    release = app.helm_release_name or app.name
    # Argo CD renders CRDs too (unless skipCrds), and resolves value files against the chart directory.
    cmd = [helm, "template", release, ".", "--include-crds"]
    if app.namespace:
        cmd += ["--namespace", app.namespace]
    real_root = root.resolve()
    for values in app.helm_values_files:
        if "://" in values:
            raise RenderError(f"{app.path}: remote value file {values} is not supported")
        path = (app_dir / values).resolve()
        if not path.is_relative_to(real_root):
            raise RenderError(f"{app.path}: value file {values} is outside the repository")
        if not path.is_file():
            raise RenderError(f"{app.path}: value file {values} does not exist")
        cmd += ["--values", str(path)]
    out = run_tool(cmd, what=f"helm template {app.path}", cwd=app_dir, replacements={f"{root}/": ""})
    try:
        docs = load_documents(out, f"{app.path} (helm template output)")
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
