"""HelmRelease manifests (v2, and the v2beta1/v2beta2 shapes) → apps, as helm-controller reads them:
release name and namespace, where the chart comes from (each source kind), valuesFrom, CRD policies,
post-renderers, and what is shown (suspend, dependsOn, drift detection, hooks)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from gitops_tui.model import AppOrigin, AppSpec, TrackingMethod
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.fluxvalues import FluxValuesLookup
from gitops_tui.source.helmrelease import is_helm_release, parse_helm_release, release_name
from gitops_tui.source.helmrelease.parse import shorten_name

PARENT = AppSpec(name="apps", path="apps", origin=AppOrigin.FLUX, kind="Kustomization", cluster="staging")
WHERE = "apps/release.yaml (document 1, rendered by staging/flux-system/apps)"
REMOTE = "https://github.com/acme/platform.git"


def helm_release(
    spec: dict[str, Any], name: str = "podinfo", namespace: str | None = "podinfo", version: str = "v2"
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": f"helm.toolkit.fluxcd.io/{version}",
        "kind": "HelmRelease",
        "metadata": meta,
        "spec": spec,
    }


def chart_spec(kind: str = "HelmRepository", name: str = "podinfo", **more: Any) -> dict[str, Any]:
    return {"chart": {"spec": {"chart": "podinfo", "sourceRef": {"kind": kind, "name": name}, **more}}}


def source(kind: str, name: str, namespace: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def parse(
    doc: dict[str, Any],
    *sources_: dict[str, Any],
    values: tuple[tuple[dict[str, Any], str], ...] = (),
    context: SourceContext | None = None,
    lookup: FluxValuesLookup | None = None,
) -> AppSpec:
    index = FluxSources()
    for obj in sources_:
        index.add(obj, "infra/sources.yaml:1")
    for obj, where in values:  # as the tree adds what the cluster's apps render
        index.add(obj, where, default_namespace="podinfo")
    parsed = parse_helm_release(
        doc, WHERE, PARENT, index, context or SourceContext(remotes=(REMOTE,)), lookup=lookup
    )
    assert parsed.app is not None
    return parsed.app


HELM_REPO = source("HelmRepository", "podinfo", "podinfo", {"url": "https://stefanprodan.github.io/podinfo"})


def test_is_helm_release_for_every_api_version() -> None:
    for version in ("v2", "v2beta1", "v2beta2"):
        assert is_helm_release(helm_release({}, version=version))
    assert not is_helm_release({"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart"})


def test_an_app_of_its_own_tracked_by_helm_controller_labels() -> None:
    app = parse(helm_release({**chart_spec(), "interval": "5m"}), HELM_REPO)
    assert (app.kind, app.name, app.home, app.namespace, app.origin) == (
        "HelmRelease",
        "podinfo",
        "podinfo",
        "podinfo",
        AppOrigin.FLUX,
    )
    assert app.tracking is TrackingMethod.FLUX_HELM and app.flux_namespace == "podinfo"
    assert app.defined_in == "apps/release.yaml" and app.error == ""
    hr = app.helm_release
    assert hr is not None
    assert (hr.chart, hr.version, hr.repo_url, hr.release_name) == (
        "podinfo",
        "*",
        "https://stefanprodan.github.io/podinfo",
        "podinfo",
    )
    assert hr.storage_namespace == "podinfo" and hr.install_crds == "Create" and hr.upgrade_crds == "Create"
    assert app.automated and app.prune and not app.self_heal


def test_release_name_and_namespace_as_helm_controller_names_them() -> None:
    assert release_name("podinfo", {}) == "podinfo"
    assert release_name("podinfo", {"targetNamespace": "web"}) == "web-podinfo"
    assert release_name("podinfo", {"targetNamespace": "web", "releaseName": "info"}) == "info"
    # helm-controller's own test vectors (internal/release/name_test.go)
    assert shorten_name("release-name-with-very-long-name-which-is-longer-than-53-characters") == (
        "release-name-with-very-long-name-which-i-788ca0d0d7b0"
    )
    assert shorten_name("another-release-name-with-very-long-name-which-is-longer-than-53-characters") == (
        "another-release-name-with-very-long-name-7e72150d5a36"
    )
    app = parse(
        helm_release({**chart_spec(), "targetNamespace": "web", "storageNamespace": "helm"}), HELM_REPO
    )
    assert app.namespace == "web" and app.home == "podinfo"
    assert app.helm_release is not None and app.helm_release.release_name == "web-podinfo"
    assert app.helm_release.storage_namespace == "helm"


def test_without_a_namespace_it_lands_in_its_parents_target_namespace() -> None:
    index = FluxSources()
    index.add(source("HelmRepository", "podinfo", "team", {"url": "https://charts.example.com"}), "x:1")
    parent = AppSpec(name="apps", path="apps", origin=AppOrigin.FLUX, kind="Kustomization", namespace="team")
    parsed = parse_helm_release(helm_release(chart_spec(), namespace=None), WHERE, parent, index)
    assert parsed.app is not None and parsed.app.home == "team" and parsed.app.error == ""


def test_helm_repository_of_type_oci_and_its_insecure_flag() -> None:
    repo = source(
        "HelmRepository",
        "podinfo",
        "podinfo",
        {"type": "oci", "url": "oci://ghcr.io/stefanprodan/charts", "insecure": True},
    )
    hr = parse(helm_release(chart_spec(version=">=6.0.0")), repo).helm_release
    assert hr is not None and (hr.repo_url, hr.version, hr.plain_http) == (
        "oci://ghcr.io/stefanprodan/charts",
        ">=6.0.0",
        True,
    )


def test_source_ref_namespace_defaults_to_the_helm_releases() -> None:
    other = source("HelmRepository", "podinfo", "flux-system", {"url": "https://a.example.com"})
    app = parse(helm_release(chart_spec()), other)
    assert "HelmRepository podinfo/podinfo not found" in app.error
    app = parse(
        helm_release(
            {
                "chart": {
                    "spec": {
                        "chart": "podinfo",
                        "sourceRef": {
                            "kind": "HelmRepository",
                            "name": "podinfo",
                            "namespace": "flux-system",
                        },
                    }
                }
            }
        ),
        other,
    )
    assert app.error == ""


def test_a_git_repository_chart_is_a_path_of_this_checkout() -> None:
    git = source("GitRepository", "platform", "podinfo", {"url": "ssh://git@github.com/acme/platform"})
    app = parse(helm_release(chart_spec("GitRepository", "platform") | {}), git)
    hr = app.helm_release
    assert hr is not None and hr.chart_path == "podinfo" and hr.repo_url == "" and app.path == "podinfo"
    assert hr.version == ""  # a chart in Git has the version its Chart.yaml says
    spec = {
        "chart": {
            "spec": {
                "chart": "./charts/podinfo",
                "sourceRef": {"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"},
            }
        }
    }
    hr = parse(helm_release(spec)).helm_release  # the bootstrap source, not declared in Git
    assert hr is not None and hr.chart_path == "charts/podinfo"


def test_a_git_repository_chart_elsewhere_is_its_error_unless_mapped(tmp_path: Path) -> None:
    git = source("GitRepository", "charts", "podinfo", {"url": "https://github.com/acme/charts"})
    app = parse(helm_release(chart_spec("GitRepository", "charts")), git)
    assert app.error.endswith(
        "chart source in another repository: https://github.com/acme/charts (map it to a local checkout in .gitops-tui.yaml under repositories:)"
    )
    assert app.error.startswith(f"{WHERE}: HelmRelease podinfo: ")
    ctx = SourceContext(remotes=(REMOTE,), repositories=(("https://github.com/acme/charts", str(tmp_path)),))
    app = parse(helm_release(chart_spec("GitRepository", "charts")), git, context=ctx)
    assert app.error == "" and app.helm_release is not None and app.helm_release.checkout == str(tmp_path)


def test_a_bucket_chart_is_not_in_this_checkout() -> None:
    app = parse(helm_release(chart_spec("Bucket", "b")))
    assert "a bucket's content is not in this checkout" in app.error


def test_chart_ref_to_an_oci_repository_digest_then_semver_then_tag() -> None:
    url = "oci://quay.io/jetstack/charts/cert-manager"
    for ref, chart, version in (
        ({"digest": "sha256:abc", "semver": "1.x", "tag": "v1"}, "cert-manager@sha256:abc", ""),
        ({"semver": "1.x", "tag": "v1.2.0"}, "cert-manager", "1.x"),
        ({"tag": "v1.2.0"}, "cert-manager", "v1.2.0"),
        ({}, "cert-manager", ""),
    ):
        oci = source("OCIRepository", "cert-manager", "cert-manager", {"url": url, "ref": ref})
        app = parse(
            helm_release(
                {"chartRef": {"kind": "OCIRepository", "name": "cert-manager"}},
                "cert-manager",
                "cert-manager",
            ),
            oci,
        )
        hr = app.helm_release
        assert hr is not None and (hr.repo_url, hr.chart, hr.version) == (
            "oci://quay.io/jetstack/charts",
            chart,
            version,
        )
    assert any("follows tag latest" in n for n in app.notes)


def test_chart_ref_to_a_helm_chart_reads_its_spec() -> None:
    helm_chart = source(
        "HelmChart",
        "podinfo",
        "flux-system",
        {
            "chart": "podinfo",
            "version": "6.x",
            "sourceRef": {"kind": "HelmRepository", "name": "podinfo"},
            "valuesFiles": ["values-prod.yaml"],
        },
    )
    repo = source("HelmRepository", "podinfo", "flux-system", {"url": "https://charts.example.com"})
    app = parse(
        helm_release({"chartRef": {"kind": "HelmChart", "name": "podinfo", "namespace": "flux-system"}}),
        helm_chart,
        repo,
    )
    hr = app.helm_release
    assert hr is not None and (hr.repo_url, hr.version, hr.values_files) == (
        "https://charts.example.com",
        "6.x",
        ("values-prod.yaml",),
    )


def test_v2beta1_values_file_is_a_values_files_list() -> None:
    hr = parse(
        helm_release(chart_spec(valuesFile="values-prod.yaml"), version="v2beta1"), HELM_REPO
    ).helm_release
    assert hr is not None and hr.values_files == ("values-prod.yaml",)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, "either spec.chart or spec.chartRef must be set"),
        ({**chart_spec(), "chartRef": {"kind": "OCIRepository", "name": "x"}}, "mutually exclusive"),
        (
            {"chartRef": {"kind": "GitRepository", "name": "x"}},
            "spec.chartRef.kind must be OCIRepository or HelmChart",
        ),
        (
            {**chart_spec(), "install": {"crds": "Always"}},
            "spec.install.crds must be one of Skip, Create, CreateReplace",
        ),
        ({**chart_spec(), "values": ["a"]}, "spec.values must be a mapping"),
        (
            {**chart_spec(), "valuesFrom": [{"kind": "Pod", "name": "x"}]},
            "spec.valuesFrom[0].kind must be ConfigMap or Secret",
        ),
        (
            {**chart_spec(), "postRenderers": [{"kustomize": {"patchez": []}}]},
            "spec.postRenderers[0].kustomize: unknown field patchez",
        ),
        ({**chart_spec(), "driftDetection": {"mode": "on"}}, "spec.driftDetection.mode must be one of"),
        ({**chart_spec(), "postRenderStrategy": "all"}, "spec.postRenderStrategy must be one of"),
        (
            {"chart": {"spec": {"sourceRef": {"kind": "HelmRepository", "name": "p"}}}},
            "spec.chart.spec.chart is missing",
        ),
    ],
)
def test_a_bad_field_is_the_helm_releases_error_with_its_file(spec: dict[str, Any], message: str) -> None:
    app = parse(helm_release(spec), HELM_REPO)
    assert app.error.startswith(f"{WHERE}: HelmRelease podinfo: ")
    assert message in app.error


def test_a_manifest_without_a_name_is_skipped_and_said() -> None:
    parsed = parse_helm_release(helm_release({}, name=""), WHERE, PARENT, FluxSources())
    assert parsed.app is None and parsed.error == f"{WHERE}: HelmRelease without metadata.name, skipped"


def test_crd_policies_and_post_renderers_are_kept() -> None:
    spec = {
        **chart_spec(),
        "install": {"crds": "Skip", "disableHooks": True, "skipCRDs": True},
        "upgrade": {"crds": "CreateReplace"},
        "postRenderers": [{"kustomize": {"images": [{"name": "nginx", "newTag": "2"}]}}],
        "postRenderStrategy": "nohooks",
        "commonMetadata": {"labels": {"team": "web"}},
    }
    parsed = parse_helm_release(helm_release(spec), WHERE, PARENT, _index(HELM_REPO))
    app = parsed.app
    assert app is not None and app.helm_release is not None
    hr = app.helm_release
    assert (hr.install_crds, hr.upgrade_crds, hr.post_render_strategy) == ("Skip", "CreateReplace", "nohooks")
    assert json.loads(hr.post_renderers) == [{"kustomize": {"images": [{"name": "nginx", "newTag": "2"}]}}]
    assert json.loads(hr.common_metadata) == {"labels": {"team": "web"}, "annotations": {}}
    assert "hooks are not run on install (spec.install.disableHooks)" in app.notes
    assert any("skipCRDs is deprecated and ignored" in n for n in parsed.notes)


def _index(*objects: dict[str, Any]) -> FluxSources:
    index = FluxSources()
    for obj in objects:
        index.add(obj, "x:1")
    return index


def test_suspend_depends_on_and_drift_detection_are_shown() -> None:
    spec = {
        **chart_spec(),
        "suspend": True,
        "dependsOn": [{"name": "cert-manager", "namespace": "cert-manager"}, {"name": "redis"}],
        "driftDetection": {"mode": "enabled"},
    }
    app = parse(helm_release(spec), HELM_REPO)
    assert app.suspended and not app.automated and not app.self_heal
    assert "suspended: helm-controller does not reconcile it" in app.notes
    assert "depends on cert-manager/cert-manager, redis" in app.notes
    assert any(n.startswith("drift detection enabled") for n in app.notes)
    app = parse(helm_release({**chart_spec(), "driftDetection": {"mode": "enabled"}}), HELM_REPO)
    assert app.self_heal


def test_fields_that_change_the_render_but_are_not_applied_are_said() -> None:
    parsed = parse_helm_release(
        helm_release({**chart_spec(), "interval": "1m", "newField": 1}),
        WHERE,
        PARENT,
        _index(HELM_REPO),
    )
    assert f"{WHERE}: HelmRelease podinfo: not applied when rendering: newField" in parsed.notes


def test_values_from_is_read_from_what_the_cluster_renders_and_merged() -> None:
    values = (
        (
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "podinfo-values", "namespace": "podinfo"},
                "data": {"values.yaml": "replicaCount: 2\nui:\n  message: from-configmap\n"},
            },
            "apps/cm.yaml (document 1, rendered by apps)",
        ),
    )
    spec = {
        **chart_spec(),
        "valuesFrom": [{"kind": "ConfigMap", "name": "podinfo-values"}],
        "values": {"ui": {"color": "blue"}},
    }
    hr = parse(helm_release(spec), HELM_REPO, values=values).helm_release
    assert hr is not None and not hr.from_secret
    assert json.loads(hr.values) == {"replicaCount": 2, "ui": {"message": "from-configmap", "color": "blue"}}


def test_a_missing_values_from_key_is_the_error_with_file_and_reason() -> None:
    values = (
        (
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "v", "namespace": "podinfo"},
                "data": {},
            },
            "apps/cm.yaml (document 1, rendered by apps)",
        ),
    )
    app = parse(
        helm_release(
            {**chart_spec(), "valuesFrom": [{"kind": "ConfigMap", "name": "v", "valuesKey": "prod.yaml"}]}
        ),
        HELM_REPO,
        values=values,
    )
    assert app.error == (
        f"{WHERE}: HelmRelease podinfo: could not resolve ConfigMap chart values reference 'podinfo/v' with key "
        "'prod.yaml': key not found (ConfigMap from apps/cm.yaml (document 1, rendered by apps))"
    )


def test_values_from_a_secret_are_never_in_the_apps_repr() -> None:
    values = (
        (
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "creds", "namespace": "podinfo"},
                "stringData": {"password": "s3cr3t-value"},
            },
            "apps/s.yaml (document 1, rendered by apps)",
        ),
    )
    spec = {
        **chart_spec(),
        "valuesFrom": [
            {"kind": "Secret", "name": "creds", "valuesKey": "password", "targetPath": "redis.password"}
        ],
    }
    app = parse(helm_release(spec), HELM_REPO, values=values)
    assert app.helm_release is not None and app.helm_release.from_secret
    assert json.loads(app.helm_release.values) == {"redis": {"password": "s3cr3t-value"}}
    assert app.helm_release.secret_values == ("s3cr3t-value",)  # masked wherever the render shows
    assert "s3cr3t-value" not in repr(app)


def test_a_live_lookup_stands_in_for_what_git_does_not_have() -> None:
    asked = []

    def live(cluster: str, kind: str, namespace: str, name: str) -> Mapping[str, str] | None:
        asked.append((cluster, kind, namespace, name))
        return {"values.yaml": "a: 1"}

    spec = {
        **chart_spec(),
        "valuesFrom": [
            {"kind": "ConfigMap", "name": "v"},
            {"kind": "ConfigMap", "name": "v", "valuesKey": "values.yaml"},
        ],
    }
    hr = parse(helm_release(spec), HELM_REPO, lookup=live).helm_release
    assert hr is not None and json.loads(hr.values) == {"a": 1}
    assert asked == [("staging", "ConfigMap", "podinfo", "v")]  # read once, as helm-controller does
