"""Flux HelmReleases through the real CLI against the sandbox, in a repository shaped like
fluxcd/flux2-kustomize-helm-example: podinfo from a Helm repository and cert-manager / envoy-gateway from an
OCI registry, both served over loopback in place of the internet ones. The staging cluster is synced; its
HelmReleases then render with their merged values and compare (Synced, drift, an extra labelled by
helm-controller); without the servers, each HelmRelease says its chart is not reachable, and only they do,
still listing what the cluster has for them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from repotools import commit_all, git

from gitops_tui.cli import main
from gitops_tui.config import Settings, cache_dir
from gitops_tui.orchestration.reconcile import Workspace
from gitops_tui.sandbox.demo import initial_sync
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.sandbox.server import SandboxServer
from gitops_tui.source.render import clear_render_cache
from gitops_tui.source.repo import GitRepo
from tests.source.charts import ChartRepo, chart_repo
from tests.source.fluxhelm import cert_manager_chart, gateway_chart, podinfo_chart, write_example
from tests.source.ociregistry import OciRegistry, oci_registry

__all__ = ["chart_repo", "oci_registry"]
HELM_RELEASES = ("staging/podinfo/hr:podinfo", "staging/cert-manager/hr:cert-manager")
ENVOY = "staging/envoy-gateway-system/hr:envoy-gateway"


def _publish(tmp_path: Path, chart_repo: ChartRepo, oci_registry: OciRegistry) -> None:
    for version in ("6.9.0", "6.10.0-rc.1"):
        chart_repo.publish(podinfo_chart(tmp_path / "src", version))
    oci_registry.push(
        cert_manager_chart(tmp_path / "src", "1.16.2"), "jetstack/charts/cert-manager", tmp_path / "w"
    )
    oci_registry.push(gateway_chart(tmp_path / "src", "1.8.1"), "envoyproxy/gateway-helm", tmp_path / "w")


def _repo(tmp_path: Path, helm_url: str, oci_host: str) -> Path:
    repo = tmp_path / "repo"
    write_example(repo, helm_url, oci_host)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "the flux2-kustomize-helm-example layout")
    return repo


def _sync_staging(repo: Path, kubeconfig: Path) -> None:
    """Apply every desired object of the staging cluster's apps, as a first sync (CRDs first, then the
    rest, with the kinds they add now known to discovery)."""
    ws = Workspace(Settings(kubeconfig=str(kubeconfig), context="sandbox"), GitRepo(repo))
    try:
        snap = ws.reconcile_once()
        staging = [a.app.id for a in snap.apps if a.app.cluster == "staging"]
        assert {*HELM_RELEASES, ENVOY} <= set(staging)
        crds = [o for o in ws.desired_objects(staging) if o["kind"] == "CustomResourceDefinition"]
        initial_sync(ws.client(), crds)
        initial_sync(ws.client(), ws.desired_objects(staging))
    finally:
        ws.close()


def _status(
    capsys: pytest.CaptureFixture[str], repo: Path, kubeconfig: Path
) -> tuple[int, dict[str, dict[str, Any]]]:
    capsys.readouterr()
    code = main(
        ["status", "--json", "--repo", str(repo), "--kubeconfig", str(kubeconfig), "--context", "sandbox"]
    )
    out = capsys.readouterr().out
    return code, {a["id"]: a for a in json.loads(out)["apps"]}


def _resources(app: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f"{r['kind']}/{r.get('namespace') or ''}/{r['name']}": r for r in app["resources"]}


def test_the_example_helmreleases_render_with_merged_values_and_compare(
    tmp_path: Path,
    sandbox: tuple[SandboxServer, Path],
    chart_repo: ChartRepo,
    oci_registry: OciRegistry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, kubeconfig = sandbox
    _publish(tmp_path, chart_repo, oci_registry)
    repo = _repo(tmp_path, chart_repo.url, oci_registry.host)
    _sync_staging(repo, kubeconfig)

    _code, apps = _status(capsys, repo, kubeconfig)
    for app_id in (*HELM_RELEASES, ENVOY):
        assert apps[app_id]["error"] in ("", None), apps[app_id]["error"]
        assert apps[app_id]["sync"] == "Synced", (app_id, apps[app_id]["resources"])
    podinfo = _resources(apps["staging/podinfo/hr:podinfo"])
    # The base's values with the staging overlay's merged in: redis on, the staging hostname
    assert {
        "Deployment/podinfo/podinfo",
        "Deployment/podinfo/podinfo-redis",
        "HTTPRoute/podinfo/podinfo",
    } <= set(podinfo)
    assert set(_resources(apps[ENVOY])) >= {
        "CustomResourceDefinition//httproutes.gateway.networking.k8s.io",
        "Deployment/envoy-gateway-system/envoy-gateway",
    }
    assert "CustomResourceDefinition//clusterissuers.cert-manager.io" in _resources(
        apps["staging/cert-manager/hr:cert-manager"]
    )

    kubectl = Kubectl(str(kubeconfig), "sandbox")
    route = kubectl._call("GET", "/apis/gateway.networking.k8s.io/v1/namespaces/podinfo/httproutes/podinfo")
    assert route["spec"]["hostnames"] == ["podinfo.staging"]
    assert route["metadata"]["labels"]["helm.toolkit.fluxcd.io/name"] == "podinfo"
    redis = kubectl.get("Deployment", "podinfo", "podinfo-redis")
    assert (
        redis["spec"]["template"]["spec"]["containers"][0]["image"]
        == "public.ecr.aws/docker/library/redis:8.6.2"
    )

    # Drift, and an object helm-controller's labels give to the release that the chart no longer has
    kubectl.scale("Deployment", "podinfo", "podinfo", replicas=3)
    kubectl.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "spec": {"ports": [{"port": 80}]},
            "metadata": {
                "name": "podinfo-leftover",
                "namespace": "podinfo",
                "labels": {
                    "helm.toolkit.fluxcd.io/name": "podinfo",
                    "helm.toolkit.fluxcd.io/namespace": "podinfo",
                },
            },
        }
    )
    code, apps = _status(capsys, repo, kubeconfig)
    assert code == 1
    podinfo_app = apps["staging/podinfo/hr:podinfo"]
    assert podinfo_app["sync"] == "OutOfSync"
    resources = _resources(podinfo_app)
    assert resources["Deployment/podinfo/podinfo"]["sync"] == "OutOfSync"
    assert any(d["path"] == "/spec/replicas" for d in resources["Deployment/podinfo/podinfo"]["drift"])
    assert resources["Service/podinfo/podinfo-leftover"]["sync"] == "RequiresPruning"
    assert apps["staging/cert-manager/hr:cert-manager"]["sync"] == "Synced"


def test_without_the_chart_servers_only_the_helmreleases_say_their_chart_is_not_reachable(
    tmp_path: Path,
    sandbox: tuple[SandboxServer, Path],
    chart_repo: ChartRepo,
    oci_registry: OciRegistry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _server, kubeconfig = sandbox
    helm_url, oci_host = chart_repo.url, oci_registry.host
    chart_repo.stop()
    oci_registry.stop()
    repo = _repo(tmp_path, helm_url, oci_host)
    code, apps = _status(capsys, repo, kubeconfig)
    assert code == 2  # apps in error
    failing = {i for i, a in apps.items() if a["error"]}
    assert failing == {
        f"{c}/{ns}/hr:{n}"
        for c in ("staging", "production")
        for ns, n in (
            ("podinfo", "podinfo"),
            ("cert-manager", "cert-manager"),
            ("envoy-gateway-system", "envoy-gateway"),
        )
    }
    assert apps["staging/podinfo/hr:podinfo"]["error"].startswith(
        f"chart podinfo from {helm_url} not reachable offline: "
    )
    assert apps["staging/cert-manager/hr:cert-manager"]["error"].startswith(
        f"chart cert-manager from oci://{oci_host}/jetstack/charts/cert-manager not reachable offline: "
    )
    assert apps["staging/flux-system/apps"]["error"] in ("", None)


def test_a_helmrelease_not_rendered_lists_what_the_cluster_has_for_it(
    tmp_path: Path,
    sandbox: tuple[SandboxServer, Path],
    chart_repo: ChartRepo,
    oci_registry: OciRegistry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Synced while the chart could be had; then, offline with an empty chart cache, the release's live
    objects (found by helm-controller's labels, the kinds remembered) are its resources, sync Unknown."""
    _server, kubeconfig = sandbox
    _publish(tmp_path, chart_repo, oci_registry)
    repo = _repo(tmp_path, chart_repo.url, oci_registry.host)
    _sync_staging(repo, kubeconfig)
    _status(capsys, repo, kubeconfig)  # compared once: the kinds it has are remembered
    chart_repo.stop()
    shutil.rmtree(cache_dir() / "charts")  # nothing pulled before stands in for the repository
    clear_render_cache()
    _code, apps = _status(capsys, repo, kubeconfig)
    podinfo = apps["staging/podinfo/hr:podinfo"]
    assert "not reachable offline" in podinfo["error"]
    resources = _resources(podinfo)
    assert {
        "Deployment/podinfo/podinfo",
        "Deployment/podinfo/podinfo-redis",
        "Service/podinfo/podinfo",
    } <= set(resources)
    assert {r["sync"] for r in resources.values()} == {"Unknown"}
    assert resources["Service/podinfo/podinfo"]["health"] == "Healthy"


def test_a_values_from_key_that_does_not_exist_is_that_helmreleases_error_and_only_its(
    tmp_path: Path,
    sandbox: tuple[SandboxServer, Path],
    chart_repo: ChartRepo,
    oci_registry: OciRegistry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The staging overlay generates a ConfigMap for podinfo's values and names a key it does not hold
    (not optional): helm-controller would not upgrade the release. That HelmRelease says so with its file and
    the reason; every other app renders and compares as before, and the release's live objects are still
    listed (sync Unknown)."""
    _server, kubeconfig = sandbox
    _publish(tmp_path, chart_repo, oci_registry)
    repo = _repo(tmp_path, chart_repo.url, oci_registry.host)
    _sync_staging(repo, kubeconfig)
    _status(capsys, repo, kubeconfig)  # compared once: the kinds it has are remembered
    overlay = repo / "apps/staging/kustomization.yaml"
    overlay.write_text(
        overlay.read_text()
        + "configMapGenerator:\n  - name: podinfo-values\n    namespace: podinfo\n"
        + "    files: [values.yaml=extra-values.yaml]\n"
        + "generatorOptions:\n  disableNameSuffixHash: true\n"
    )
    (repo / "apps/staging/extra-values.yaml").write_text("replicaCount: 2\n")
    patch = repo / "apps/staging/podinfo-values.yaml"
    patch.write_text(
        patch.read_text() + "  valuesFrom:\n  - kind: ConfigMap\n    name: podinfo-values\n"
        "    valuesKey: staging.yaml\n"
    )
    commit_all(repo, "podinfo's staging values from a ConfigMap, under a key it does not have")

    code, apps = _status(capsys, repo, kubeconfig)
    assert code == 2
    assert {i for i, a in apps.items() if a["error"]} == {"staging/podinfo/hr:podinfo"}
    podinfo = apps["staging/podinfo/hr:podinfo"]
    assert podinfo["error"] == (
        "apps/base/podinfo/release.yaml (document 1, rendered by staging/flux-system/apps): HelmRelease "
        "podinfo: could not resolve ConfigMap chart values reference 'podinfo/podinfo-values' with key "
        "'staging.yaml': key not found (ConfigMap from apps/staging (document 1, rendered by "
        "staging/flux-system/apps))"
    )
    assert podinfo["context"] == "sandbox"
    resources = _resources(podinfo)
    assert "Deployment/podinfo/podinfo" in resources
    assert {r["sync"] for r in resources.values()} == {"Unknown"}
    assert apps["staging/cert-manager/hr:cert-manager"]["sync"] == "Synced"
    assert apps["production/podinfo/hr:podinfo"]["error"] in ("", None)
    # the ConfigMap is the apps Kustomization's to create: Missing there, not an error
    assert _resources(apps["staging/flux-system/apps"])["ConfigMap/podinfo/podinfo-values"]["sync"] == (
        "Missing"
    )
