"""Helm sources: Argo CD's `source.helm` options (and a `.gitops-tui.yaml` app's) resolved as Argo CD's
repo-server resolves them, then rendered by the Helm API (helm/).

Value files are relative to the chart directory (or to the repository root when absolute, or
`$ref/...` into the source with `ref: ref`); a glob expands to its matches in name order; a missing file
is an error unless `ignoreMissingValueFiles`. Precedence is Helm's: value files, then `values` /
`valuesObject`, then `parameters` (`--set`, `--set-string` when forced), then `fileParameters`.
"""

from __future__ import annotations

import glob
import os
import posixpath
from collections.abc import Callable
from pathlib import Path

from gitops_tui.model import AppOrigin, AppSource, AppSpec, HelmSpec, KustomizeSpec, Obj
from gitops_tui.source.argoenv import build_env, envsubst
from gitops_tui.source.errors import RenderError
from gitops_tui.source.helm import ChartOptions, fetch_chart, render_chart

Rendered = tuple[list[Obj], list[tuple[str, int]], list[str]]
_GLOB = ("*", "?", "[")


def legacy_source(app: AppSpec) -> AppSource:
    """The one source of an app described by AppSpec's own fields (config apps, Flux, older callers)."""
    return AppSource(
        path=app.path,
        source_type=app.source_type,
        recurse=app.recurse,
        include=app.include,
        exclude=app.exclude,
        helm=HelmSpec(release_name=app.helm_release_name, value_files=app.helm_values_files),
        kustomize=KustomizeSpec(
            images=app.kustomize_images,
            name_prefix=app.kustomize_name_prefix,
            name_suffix=app.kustomize_name_suffix,
        ),
    )


def render_helm(
    root: Path,
    app: AppSpec,
    source: AppSource,
    refs: dict[str, Path],
    *,
    chart_dir: Path | None = None,
    cache_dir: Path | None = None,
) -> Rendered:
    """One Helm source: the chart at `chart_dir` (a path in the tree at `root`), or pulled from its Helm
    repository. `refs` maps "$name" to the root of the source with `ref: name`."""
    env = build_env(app, source)
    argo = app.origin is AppOrigin.ARGO

    def subst(text: str) -> str:  # only Argo CD has a build environment
        return envsubst(text, env) if argo else text

    if chart_dir is None:
        pulled = fetch_chart(source.repo_url, source.chart, source.target_revision)
        chart_dir, where, inside = pulled.directory, pulled.label, pulled.directory
    else:
        where, inside = source.path, root
    helm = source.helm
    value_files = _value_files(helm, chart_dir, inside, refs, where, subst)
    params: dict[str, tuple[str, bool]] = {}
    for p in helm.parameters:
        params[p.name] = (_clean_set(subst(p.value)), p.force_string)
    set_file = [
        f"{name}={_resolve(_subst_path(path, refs, subst), chart_dir, inside, refs, where, 'file parameter')}"
        for name, path in helm.file_parameters
    ]
    options = ChartOptions(
        release_name=helm.release_name or app.name,
        namespace=helm.namespace or app.namespace,
        value_files=tuple(value_files),
        values=(helm.values,) if helm.values.strip() else (),
        set=tuple(f"{n}={v}" for n, (v, forced) in params.items() if not forced),
        set_string=tuple(f"{n}={v}" for n, (v, forced) in params.items() if forced),
        set_file=tuple(set_file),
        include_crds=not helm.skip_crds,
        skip_tests=helm.skip_tests,
        skip_schema_validation=helm.skip_schema_validation,
        kube_version=helm.kube_version,
        api_versions=helm.api_versions,
    )
    result = render_chart(chart_dir, options, where=where, cache_dir=cache_dir)
    return result.objects, [(where, i) for i in range(len(result.objects))], result.notes


def _clean_set(value: str) -> str:
    """Argo CD's cleanSetParameters: commas not already escaped are escaped (a parameter is one value),
    except in a `{a,b}` list."""
    if value.startswith("{") and value.endswith("}"):
        return value
    out, previous = [], ""
    for char in value:
        out.append("\\," if char == "," and previous != "\\" else char)
        previous = char
    return "".join(out)


def _value_files(
    helm: HelmSpec,
    chart_dir: Path,
    inside: Path,
    refs: dict[str, Path],
    where: str,
    subst: Callable[[str], str],
) -> list[Path]:
    resolved: list[Path] = []
    explicit = set()
    raws = [_subst_path(raw, refs, subst) for raw in helm.value_files]
    for raw in raws:
        if not any(c in raw for c in _GLOB) and "://" not in raw:
            explicit.add(_resolve(raw, chart_dir, inside, refs, where, "value file", check=False))
    for raw in raws:
        path = _resolve(raw, chart_dir, inside, refs, where, "value file", check=False)
        if any(c in raw for c in _GLOB):
            matches = [Path(m) for m in sorted(glob.glob(str(path), recursive=True)) if Path(m).is_file()]
            if not matches and not helm.ignore_missing_value_files:
                raise RenderError(f"{where}: values file glob {raw} matched no files")
            resolved += [m for m in matches if m not in explicit and m not in resolved]
            continue
        if not path.is_file():
            if helm.ignore_missing_value_files:
                continue
            raise RenderError(f"{where}: value file {raw} does not exist")
        if path not in resolved:
            resolved.append(path)
    return resolved


def _subst_path(raw: str, refs: dict[str, Path], subst: Callable[[str], str]) -> str:
    """`$ref/...` keeps its head (Argo CD substitutes after resolving the ref); the rest is substituted."""
    head, slash, rest = raw.partition("/")
    if raw.startswith("$") and head in refs:
        return head + slash + subst(rest)
    return subst(raw)


def _resolve(
    raw: str, chart_dir: Path, inside: Path, refs: dict[str, Path], where: str, what: str, check: bool = True
) -> Path:
    """An absolute path for a value file as Argo CD resolves it, kept inside its repository."""
    if "://" in raw:
        raise RenderError(f"{where}: remote {what} {raw} is not supported (no network access for it here)")
    head, _, rest = raw.partition("/")
    if raw.startswith("$") and head in refs:
        base, rel, inside = refs[head], rest, refs[head]
    elif raw.startswith("$"):
        raise RenderError(f"{where}: {what} {raw}: no source has ref: {head[1:]}")
    elif posixpath.isabs(raw):
        base, rel = inside, raw.lstrip("/")
    else:
        base, rel = chart_dir, raw
    path = Path(os.path.normpath(base / rel)) if rel else base
    if not path.resolve().is_relative_to(inside.resolve()):  # symlinks followed, as Argo CD does
        raise RenderError(f"{where}: {what} {raw} is outside the repository")
    if check and not path.is_file():
        raise RenderError(f"{where}: {what} {raw} does not exist")
    return path
