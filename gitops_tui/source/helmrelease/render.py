"""Rendering a HelmRelease as helm-controller installs it: the chart pulled (or read from the checkout),
`helm template` through the Helm API (helm/) with the release name, namespace and merged values, then the
post-renderers.

What helm-controller does around `helm install`, done the same way here:
- `chart.spec.valuesFiles` replace the chart's values.yaml with their merge (source-controller packages the
  chart so): paths inside the chart for a Helm repository, in the source for a GitRepository;
- the chart's `crds/` are applied apart, unless `install.crds: Skip` (they are left out then);
- `postRenderers[].kustomize` (patches, images; v2beta1's patchesStrategicMerge and patchesJson6902) run
  in order with real kustomize, over the manifests and, unless `postRenderStrategy: nohooks`, the hooks
  (`separate`: the hooks in a stream of their own), then `commonMetadata` (labels and annotations on
  metadata only). The origin labels helm-controller adds last are the tracking marker (cluster/tracking.py).

A render fed by a Secret (`valuesFrom` a Secret) is never kept on disk, and its errors are scrubbed of the
Secret's values.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from gitops_tui import __version__
from gitops_tui.engine.secrets import mask_values
from gitops_tui.model import AppSpec, HelmReleaseSpec, Obj, ResourceKey
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.helm import (
    ChartFetchError,
    ChartOptions,
    fetch_chart,
    is_exact_version,
    is_oci,
    render_chart,
)
from gitops_tui.source.helm.repository import oci_reference
from gitops_tui.source.helm.template import backend
from gitops_tui.source.helmrelease.values import ValuesError, merge_maps, read_values
from gitops_tui.source.render_directory import expand_lists
from gitops_tui.source.rendercache import RenderCache, entry_name, load_entry, store_entry
from gitops_tui.source.tools import kustomize_command, run_tool
from gitops_tui.source.yamlload import is_k8s_object, load_documents

Rendered = tuple[list[Obj], list[tuple[str, int]], list[str]]
# A chart's own crds/ directory, or a subchart's: `podinfo/crds/x.yaml`, `app/charts/db/crds/x.yaml`
_CRD_SOURCE = re.compile(r"^[^/]+(/charts/[^/]+)*/crds/")
_post_cache = RenderCache()
_EXPONENT_FROM = 1_000_000  # Go prints a float64 this large in exponent form (%v of 1e6 is 1e+06)


def clear_cache() -> None:
    _post_cache.clear()


def render_helm_release(root: Path, app: AppSpec, cache_dir: Path | None = None) -> Rendered:
    """The HelmRelease's objects, each with the template it came from. Raises RenderError."""
    hr = app.helm_release
    if hr is None:
        raise RenderError(f"{app.id}: not a HelmRelease")
    try:
        return _render(root, app, hr, cache_dir)
    except RenderError as exc:
        if hr.secret_values:  # a tool's error may quote the values
            raise RenderError(mask_values(exc.message, hr.secret_values)) from None
        raise


def _render(root: Path, app: AppSpec, hr: HelmReleaseSpec, cache_dir: Path | None) -> Rendered:
    notes = list(app.notes)
    if hr.repo_url:
        try:
            pulled = fetch_chart(hr.repo_url, hr.chart, hr.version, plain_http=hr.plain_http)
        except ChartFetchError as exc:
            if exc.unreachable:
                origin = oci_reference(hr.repo_url, hr.chart) if is_oci(hr.repo_url) else hr.repo_url
                name = hr.chart.partition("@")[0]
                raise RenderError(f"chart {name} from {origin} not reachable offline: {exc.reason}") from None
            raise RenderError(exc.message) from None
        chart_dir, label, values_root = pulled.directory, pulled.label, pulled.directory
        if not is_exact_version(hr.version):  # which version a range (or the newest) stands for now
            notes.append(f"renders chart {pulled.label} ({hr.chart.partition('@')[0]} {hr.version or '*'})")
    else:
        tree = Path(hr.checkout) if hr.checkout else root
        chart_dir = _chart_dir(tree, hr.chart_path)
        label, values_root = hr.chart_path, tree
    disk = None if hr.from_secret else cache_dir
    with tempfile.TemporaryDirectory(prefix="gitops-tui-helmrelease-") as tmp:
        if hr.values_files:
            chart_dir = _with_values_files(chart_dir, values_root, hr, Path(tmp))
        sets, note = _integer_sets(hr.values_set)
        if note:
            notes.append(note)
        options = ChartOptions(
            release_name=hr.release_name,
            namespace=app.namespace,
            values=(hr.values,) if hr.values else (),
            set=sets,
            include_crds=hr.install_crds != "Skip",
            skip_schema_validation=hr.skip_schema_validation,
        )
        result = render_chart(chart_dir, options, where=label, cache_dir=disk)
    notes += result.notes
    crds, manifests, hooks = [], [], []
    templates: dict[ResourceKey, str] = {}
    for obj, template in zip(result.objects, result.templates, strict=True):
        templates.setdefault(ResourceKey.of(obj), template)
        if _CRD_SOURCE.match(template):
            crds.append(obj)
        elif "helm.sh/hook" in ((obj.get("metadata") or {}).get("annotations") or {}):
            hooks.append(obj)
        else:
            manifests.append(obj)
    if crds and hr.upgrade_crds != "CreateReplace":
        notes.append(
            f"the chart's CRDs (crds/) are created when missing but never updated by helm-controller "
            f"(upgrade.crds: {hr.upgrade_crds}): a difference in them stays until upgrade.crds is CreateReplace"
        )
    if hr.install_crds == "Skip":
        notes.append("the chart's CRDs (crds/) are left out: install.crds is Skip")
    rendered = [*manifests, *hooks]
    if hr.post_renderers or hr.common_metadata:
        if hr.post_render_strategy == "combined":
            rendered = _post_render(rendered, hr, app, disk)
        elif hr.post_render_strategy == "nohooks":
            rendered = [*_post_render(manifests, hr, app, disk), *hooks]
        else:
            rendered = [*_post_render(manifests, hr, app, disk), *_post_render(hooks, hr, app, disk)]
    objects = [*crds, *rendered]
    origins = [(templates.get(ResourceKey.of(o)) or label, i) for i, o in enumerate(objects)]
    return objects, origins, notes


def _integer_sets(sets: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The `--set` expressions that give the integers a `targetPath` set their int64 type back, for the helm
    binary (which parses them over the values document, as helm-controller's values hold them). The
    embedded engine takes values as JSON only, so every number reaches its templates as float64 whatever
    is done: those expressions would only merge the same numbers again (replacing a list they index
    whole), so they are left out and the one visible difference, how a large integer prints, is said."""
    if not sets or backend()[0] != "embedded":
        return sets, ""
    # the paths only: the value may be a Secret's
    large = [
        path for path, _, value in (s.rpartition("=") for s in sets) if abs(int(value)) >= _EXPONENT_FROM
    ]
    if not large:
        return (), ""
    return (), (
        f"values {', '.join(large)} (valuesFrom targetPath) are integers for helm-controller, but the embedded "
        "Helm engine takes values as JSON numbers (float64): a template printing one shows it in exponent "
        "form (1e+06 where helm-controller shows 1000000) (with helm on PATH it renders as helm-controller does)"
    )


def _chart_dir(tree: Path, path: str) -> Path:
    norm = posixpath.normpath(path or ".")
    directory = tree / norm if norm != "." else tree
    if not directory.resolve().is_relative_to(tree.resolve()):
        raise RenderError(f"chart path {path} is outside the repository")
    if not directory.is_dir():
        raise RenderError(f"chart path {path} does not exist")
    if not (directory / "Chart.yaml").is_file():
        raise RenderError(f"chart path {path} holds no Chart.yaml")
    return directory


def _with_values_files(chart_dir: Path, values_root: Path, hr: HelmReleaseSpec, tmp: Path) -> Path:
    """A copy of the chart whose values.yaml is the merge of `valuesFiles` (source-controller's
    mergeFileValues/mergeChartValues: MergeMaps in order, a missing file an error unless ignored)."""
    merged: dict[str, Any] = {}
    for raw in hr.values_files:
        rel = posixpath.normpath(raw.lstrip("/"))
        path = values_root / rel
        if rel == ".." or rel.startswith("../") or not path.resolve().is_relative_to(values_root.resolve()):
            raise RenderError(
                f"{hr.source}: values file {raw} is outside the {'chart' if hr.repo_url else 'source'}"
            )
        if not path.is_file():
            if hr.ignore_missing_values_files:
                continue
            raise RenderError(f"{hr.source}: values file {raw} does not exist")
        try:
            merged = merge_maps(merged, read_values(path.read_text(encoding="utf-8"), secret=False))
        except (OSError, UnicodeDecodeError, ValuesError) as exc:
            raise RenderError(f"{hr.source}: values file {raw}: {exc}") from None
    copy = tmp / "chart" / chart_dir.name
    shutil.copytree(chart_dir, copy, ignore=shutil.ignore_patterns(".git"))
    (copy / "values.yaml").write_text(yaml.safe_dump(merged, sort_keys=False), encoding="utf-8")
    return copy


def _post_render(objects: list[Obj], hr: HelmReleaseSpec, app: AppSpec, cache_dir: Path | None) -> list[Obj]:
    """The Combined post-renderer helm-controller builds: each Kustomize one in order, then commonMetadata."""
    if not objects:
        return objects
    renderers = json.loads(hr.post_renderers) if hr.post_renderers else []
    common = json.loads(hr.common_metadata) if hr.common_metadata else None
    command = kustomize_command()
    if renderers and command is None:
        raise RenderError(
            f"neither kustomize nor kubectl found on PATH (needed for the post-renderers of {app.id})"
        )
    digest = hashlib.blake2b(
        json.dumps([objects, renderers, common, command], sort_keys=True, default=str).encode(),
        digest_size=20,
    ).hexdigest()
    hit = _post_cache.get(digest)
    if hit is not None:
        return list(hit)
    name = entry_name("helmrelease-post-render", digest, __version__)
    stored = load_entry(cache_dir, name) if cache_dir is not None else None
    if stored is not None:
        _post_cache.put(digest, stored[0])
        return stored[0]
    out = objects
    for i, renderer in enumerate(renderers):
        if command is not None:
            out = _kustomize(out, renderer.get("kustomize") or {}, command, f"{app.id} postRenderers[{i}]")
    if common:
        out = [_with_metadata(o, common.get("labels") or {}, common.get("annotations") or {}) for o in out]
    _post_cache.put(digest, out)
    if cache_dir is not None:
        store_entry(cache_dir, name, (out, [("", i) for i in range(len(out))], []))
    return out


def _kustomize(objects: Sequence[Obj], spec: dict[str, Any], command: list[str], what: str) -> list[Obj]:
    """internal/postrender/kustomize.go: the output as the one resource of a kustomization with the
    renderer's images and patches, built with load restrictions off."""
    kustomization: dict[str, Any] = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["helm-output.yaml"],
    }
    for key in ("images", "patches", "patchesStrategicMerge", "patchesJson6902"):
        if spec.get(key):
            kustomization[key] = spec[key]
    with tempfile.TemporaryDirectory(prefix="gitops-tui-postrender-") as tmp:
        directory = Path(tmp)
        (directory / "helm-output.yaml").write_text(yaml.safe_dump_all(list(objects), sort_keys=False))
        (directory / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
        out = run_tool(
            [*command, "--load-restrictor=LoadRestrictionsNone", str(directory)],
            what=what,
            replacements={f"{tmp}/": "", tmp: "(post-render)"},
        )
    try:
        docs = load_documents(out, f"{what} (kustomize output)")
    except ManifestError as exc:
        raise RenderError(exc.message) from None
    return [item for doc in docs for item in expand_lists(doc.data) if is_k8s_object(item)]


def _with_metadata(obj: Obj, labels: dict[str, str], annotations: dict[str, str]) -> Obj:
    """Kustomize's label and annotation transformers with the one field spec helm-controller gives them
    (metadata/labels, metadata/annotations, created when missing): no selectors, no pod templates."""
    meta = dict(obj.get("metadata") or {})
    if labels:
        meta["labels"] = {**(meta.get("labels") or {}), **labels}
    if annotations:
        meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}
    return {**obj, "metadata": meta}
