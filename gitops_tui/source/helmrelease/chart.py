"""Where a HelmRelease's chart comes from, as helm-controller and source-controller find it.

`spec.chart.spec` names a chart in a source (`sourceRef`): a `HelmRepository` (an https index, or `type:
oci` for a registry), a `GitRepository` (the chart is a path in it) or a `Bucket`; helm-controller makes a
`HelmChart` of it in the source's namespace. `spec.chartRef` names an `OCIRepository` (the chart is the
artifact: `ref.digest` over `ref.semver` over `ref.tag`, default `latest`) or an existing `HelmChart`.
The source objects are looked up among those the cluster's apps render (fluxsources.py); a chart in Git is
read from this checkout when the GitRepository's URL names it, or it is the bootstrap `flux-system` source.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from typing import Any

from gitops_tui.source import specfields as f
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.fluxsources import FluxSource, FluxSources
from gitops_tui.source.specfields import SpecError

BOOTSTRAP_SOURCE = "flux-system"


@dataclass(frozen=True)
class ChartSource:
    chart: str
    version: str = "*"
    repo_url: str = ""
    plain_http: bool = False
    chart_path: str = ""
    checkout: str = ""
    source: str = ""
    values_files: tuple[str, ...] = ()
    ignore_missing_values_files: bool = False
    error: str = ""  # the source cannot be had here (not found, another repository, a Bucket)
    note: str = ""


def _ref(raw: Any, field: str, default_namespace: str) -> tuple[str, str, str]:
    ref = f.mapping(raw, field)
    kind = f.text(ref.get("kind"), f"{field}.kind")
    name = f.text(ref.get("name"), f"{field}.name")
    if not kind or not name:
        raise SpecError(f"{field} needs kind and name")
    return kind, f.text(ref.get("namespace"), f"{field}.namespace") or default_namespace, name


def _missing(kind: str, namespace: str, name: str) -> str:
    return (
        f"{kind} {namespace}/{name} not found: no app of this cluster applies it (Flux reads it from the "
        "cluster; here only what Git declares is known)"
    )


def from_chart_spec(
    template: dict[str, Any],
    field: str,
    namespace: str,
    sources: FluxSources,
    context: SourceContext,
) -> ChartSource:
    """A `spec.chart.spec` (or a HelmChart's `spec`); `namespace` is where its sourceRef defaults to."""
    chart = f.text(template.get("chart"), f"{field}.chart").strip()
    if not chart:
        raise SpecError(f"{field}.chart is missing")
    version = f.text(template.get("version"), f"{field}.version").strip() or "*"
    values_files = f.strings(template.get("valuesFiles"), f"{field}.valuesFiles")
    legacy = f.text(template.get("valuesFile"), f"{field}.valuesFile")  # v2beta1, before valuesFiles
    if legacy and not values_files:
        values_files = (legacy,)
    base = ChartSource(
        chart=chart,
        version=version,
        values_files=values_files,
        ignore_missing_values_files=f.flag(
            template.get("ignoreMissingValuesFiles"), f"{field}.ignoreMissingValuesFiles"
        ),
    )
    kind, ns, name = _ref(template.get("sourceRef"), f"{field}.sourceRef", namespace)
    label = f"{kind} {ns}/{name}"
    if kind == "HelmRepository":
        found = sources.get(kind, ns, name)
        if found is None:
            return _with(base, source=label, error=_missing(kind, ns, name))
        spec = f.mapping(found.obj.get("spec"), f"{found.where}: spec")
        url = f.text(spec.get("url"), f"{label} spec.url").strip()
        if not url:
            return _with(base, source=label, error=f"{label} ({found.where}) has no spec.url")
        oci = spec.get("type") == "oci" or url.startswith("oci://")
        if oci and not url.startswith("oci://"):
            url = f"oci://{url}"
        insecure = oci and f.flag(spec.get("insecure"), f"{label} spec.insecure")
        return _with(base, source=label, repo_url=url, plain_http=insecure)
    if kind == "GitRepository":
        return _git_chart(base, sources.get(kind, ns, name), ns, name, context)
    if kind == "Bucket":
        return _with(
            base, source=label, error=f"chart from {label}: a bucket's content is not in this checkout"
        )
    raise SpecError(f"{field}.sourceRef.kind must be HelmRepository, GitRepository or Bucket, not {kind}")


def _git_chart(
    base: ChartSource, found: FluxSource | None, namespace: str, name: str, context: SourceContext
) -> ChartSource:
    label = f"GitRepository {namespace}/{name}"
    path = posixpath.normpath(base.chart)
    if posixpath.isabs(path) or path == ".." or path.startswith("../"):
        return _with(base, source=label, error=f"chart path {base.chart} is outside the repository")
    path = path.removeprefix("./")
    # Source-controller ignores the version of a chart in Git: the chart's own Chart.yaml says it.
    here = _with(base, source=label, chart_path=path, version="")
    if found is None:
        if name == BOOTSTRAP_SOURCE:  # `flux bootstrap` makes it, from this repository
            return here
        return _with(here, error=_missing("GitRepository", namespace, name))
    spec = f.mapping(found.obj.get("spec"), f"{found.where}: spec")
    url = f.text(spec.get("url"), f"{label} spec.url").strip()
    mapped = context.checkout_of(url) if url else None
    if mapped is not None:
        return _with(here, checkout=str(mapped), note=f"chart source {url} is read from {mapped}")
    if not url or context.is_this_checkout(url) or name == BOOTSTRAP_SOURCE:
        return here
    return _with(
        here,
        error=f"chart source in another repository: {url} (map it to a local checkout in .gitops-tui.yaml "
        "under repositories:)",
    )


def from_chart_ref(
    raw: Any, field: str, namespace: str, sources: FluxSources, context: SourceContext
) -> ChartSource:
    """`spec.chartRef`: an OCIRepository (the artifact is the chart) or a HelmChart."""
    kind, ns, name = _ref(raw, field, namespace)
    label = f"{kind} {ns}/{name}"
    found = sources.get(kind, ns, name)
    if kind == "HelmChart":
        if found is None:
            return ChartSource(chart=name, source=label, error=_missing(kind, ns, name))
        spec = f.mapping(found.obj.get("spec"), f"{found.where}: spec")
        return from_chart_spec(spec, f"{label} spec", ns, sources, context)
    if kind != "OCIRepository":
        raise SpecError(f"{field}.kind must be OCIRepository or HelmChart, not {kind}")
    if found is None:
        return ChartSource(chart=name, source=label, error=_missing(kind, ns, name))
    spec = f.mapping(found.obj.get("spec"), f"{found.where}: spec")
    url = f.text(spec.get("url"), f"{label} spec.url").strip().rstrip("/")
    if not url.startswith("oci://") or "/" not in url.removeprefix("oci://"):
        return ChartSource(
            chart=name, source=label, error=f"{label} ({found.where}): spec.url must be oci://host/path"
        )
    base, _, chart = url.rpartition("/")
    ref = f.mapping(spec.get("ref"), f"{label} spec.ref")
    digest = f.text(ref.get("digest"), f"{label} spec.ref.digest").strip()
    semver = f.text(ref.get("semver"), f"{label} spec.ref.semver").strip()
    tag = f.text(ref.get("tag"), f"{label} spec.ref.tag").strip()
    insecure = f.flag(spec.get("insecure"), f"{label} spec.insecure")
    source = ChartSource(chart=chart, repo_url=base, source=label, plain_http=insecure)
    if digest:  # source-controller: digest, then semver, then tag
        return _with(source, chart=f"{chart}@{digest}", version="")
    if semver:
        return _with(source, version=semver)
    if tag and tag != "latest":
        return _with(source, version=tag)
    # Tag `latest` (the default): a Helm chart registry is read by version; the newest one stands in.
    return _with(source, version="", note=f"{label} follows tag latest: the newest chart version is used")


def _with(base: ChartSource, **changes: Any) -> ChartSource:
    return replace(base, **changes)
