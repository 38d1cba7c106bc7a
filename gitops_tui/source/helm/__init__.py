"""Helm, out of the box: `helm template` when `helm` is on PATH, else Helm v4 embedded (helm-python-sdk).

The API, for every caller (Argo CD Applications here, Flux HelmReleases):

    fetch_chart(repo_url, chart, version) -> PulledChart
        A chart from an https Helm repository or an OCI registry (`oci://host/path`, or `host/path`),
        `version` exact or a semver range, through the cache (offline once pulled). Raises
        ChartFetchError (a RenderError) whose message names the chart and the repository:
        "chart podinfo 6.5.0 from https://... not reachable (offline?): ...".

    render_chart(chart_dir, ChartOptions(...), where="charts/redis", cache_dir=...) -> HelmRender
        The objects `helm template` prints (CRDs first unless include_crds=False, then the manifests in
        Helm's install order, then the hooks), each with its template (`redis/templates/svc.yaml`), and
        notes (which Kubernetes version was assumed, when the chart asks). Missing dependencies are
        completed as `helm dependency build` would, outside the chart directory. Raises RenderError.

ChartOptions takes resolved inputs (absolute value files, values as YAML/JSON text, `--set` expressions):
how an Argo CD Application or a HelmRelease spells them is the caller's business (see argo_helm.py).
"""

from gitops_tui.source.helm.options import DEFAULT_KUBE_VERSION, ChartOptions, HelmRender, PulledChart
from gitops_tui.source.helm.repository import ChartFetchError, fetch_chart, is_exact_version, is_oci
from gitops_tui.source.helm.template import clear_cache, render_chart

__all__ = [
    "DEFAULT_KUBE_VERSION",
    "ChartFetchError",
    "ChartOptions",
    "HelmRender",
    "PulledChart",
    "clear_cache",
    "fetch_chart",
    "is_exact_version",
    "is_oci",
    "render_chart",
]
