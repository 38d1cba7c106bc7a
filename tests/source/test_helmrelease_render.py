"""HelmReleases rendered as helm-controller renders them, on charts from a real chart repository and OCI
registry over loopback and from the checkout: values, namespaces, CRD policies, valuesFiles,
post-renderers (real kustomize) and commonMetadata, the errors, and what is kept on disk."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from gitops_tui.config import cache_dir
from gitops_tui.engine.secrets import mask_values
from gitops_tui.model import AppOrigin, AppSpec, Obj, RenderedApp
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.helm.template import backend
from gitops_tui.source.helmrelease import parse_helm_release
from gitops_tui.source.render import clear_render_cache, render_app

from .charts import ChartRepo, chart, chart_repo, configmap_template
from .ociregistry import OciRegistry, oci_registry

__all__ = ["chart_repo", "oci_registry"]
PARENT = AppSpec(name="apps", path="apps", origin=AppOrigin.FLUX, kind="Kustomization")

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers:
        - name: web
          image: nginx:1.25
          env:
            - {name: MESSAGE, value: {{ .Values.message | quote }}}
            - {name: LIMIT, value: {{ .Values.limit | quote }}}
"""
HOOK = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  annotations: {helm.sh/hook: pre-upgrade}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: nginx:1.25}]
"""


def web_chart(directory: Path, version: str = "1.0.0") -> Path:
    return chart(
        directory / f"web-{version}" / "web",
        "web",
        version,
        files={
            "values.yaml": "replicas: 1\nmessage: default\nlimit: 10\n",
            "values-prod.yaml": "replicas: 3\n",
            "crds/widgets.yaml": CRD,
            "templates/deployment.yaml": DEPLOYMENT,
            "templates/migrate.yaml": HOOK,
            "templates/other-ns.yaml": configmap_template("elsewhere").replace(
                "metadata:\n", "metadata:\n  namespace: kube-public\n"
            ),
        },
    )


def render(
    tmp_path: Path,
    spec: dict[str, Any],
    sources: list[Obj] = (),  # type: ignore[assignment]
    refs: list[Obj] = (),  # type: ignore[assignment]
    namespace: str = "web",
) -> RenderedApp:
    index = FluxSources()
    for obj in sources:
        index.add(obj, "infra/sources.yaml:1")
    for obj in refs:
        index.add(obj, "apps/values.yaml (document 1, rendered by apps)")
    doc = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": spec,
    }
    parsed = parse_helm_release(doc, "apps/web.yaml:1", PARENT, index, SourceContext())
    assert parsed.app is not None
    return render_app(tmp_path, parsed.app, cache_dir=cache_dir() / "renders")


def helm_repository(url: str) -> Obj:
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": {"name": "charts", "namespace": "web"},
        "spec": {"url": url},
    }


def from_repository(**more: Any) -> dict[str, Any]:
    return {
        "chart": {"spec": {"chart": "web", "sourceRef": {"kind": "HelmRepository", "name": "charts"}, **more}}
    }


def by_kind(result: RenderedApp) -> dict[str, Obj]:
    return {o["kind"]: o for o in result.objects}


@pytest.fixture
def published(tmp_path: Path, chart_repo: ChartRepo) -> ChartRepo:
    chart_repo.publish(web_chart(tmp_path / "src"))
    return chart_repo


def test_the_chart_renders_with_the_release_name_namespace_and_merged_values(
    tmp_path: Path, published: ChartRepo
) -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web-values", "namespace": "web"},
        "data": {"values.yaml": "message: from-configmap\nreplicas: 2\n"},
    }
    spec = {
        **from_repository(),
        "targetNamespace": "prod",
        "valuesFrom": [{"kind": "ConfigMap", "name": "web-values"}],
        "values": {"replicas": 4},
    }
    result = render(tmp_path, spec, [helm_repository(published.url)], [cm])
    assert result.error == ""
    objects = by_kind(result)
    deployment = objects["Deployment"]
    assert deployment["metadata"] == {"name": "prod-web", "namespace": "prod"}  # [targetNamespace-]name
    assert deployment["spec"]["replicas"] == 4
    assert deployment["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "from-configmap"
    assert objects["ConfigMap"]["metadata"]["namespace"] == "kube-public"  # Helm keeps what a chart says
    assert [o["kind"] for o in result.objects][0] == "CustomResourceDefinition"
    assert result.origins[1][0] == "web/templates/deployment.yaml" or "web/templates" in result.origins[1][0]
    assert any(n.startswith("renders chart web 1.0.0 from") for n in result.notes)
    assert any("never updated by helm-controller (upgrade.crds: Create)" in n for n in result.notes)


def test_install_crds_skip_leaves_the_charts_crds_out(tmp_path: Path, published: ChartRepo) -> None:
    result = render(
        tmp_path, {**from_repository(), "install": {"crds": "Skip"}}, [helm_repository(published.url)]
    )
    assert "CustomResourceDefinition" not in by_kind(result)
    assert "the chart's CRDs (crds/) are left out: install.crds is Skip" in result.notes
    result = render(
        tmp_path,
        {**from_repository(), "upgrade": {"crds": "CreateReplace"}},
        [helm_repository(published.url)],
    )
    assert "CustomResourceDefinition" in by_kind(result)
    assert not any("never updated" in n for n in result.notes)


def test_values_files_replace_the_charts_values(tmp_path: Path, published: ChartRepo) -> None:
    result = render(
        tmp_path,
        from_repository(valuesFiles=["values.yaml", "values-prod.yaml"]),
        [helm_repository(published.url)],
    )
    assert by_kind(result)["Deployment"]["spec"]["replicas"] == 3
    result = render(
        tmp_path, from_repository(valuesFiles=["values-prod.yaml"]), [helm_repository(published.url)]
    )
    env = by_kind(result)["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[0]["value"] is None  # values.yaml is not read unless listed: `message` is unset (quote of nil
    # renders nothing: `value:` is YAML null)
    result = render(tmp_path, from_repository(valuesFiles=["missing.yaml"]), [helm_repository(published.url)])
    assert result.error.endswith("values file missing.yaml does not exist")
    result = render(
        tmp_path,
        from_repository(valuesFiles=["missing.yaml"], ignoreMissingValuesFiles=True),
        [helm_repository(published.url)],
    )
    assert result.error == ""


def test_post_renderers_run_kustomize_over_manifests_and_hooks(tmp_path: Path, published: ChartRepo) -> None:
    patch = {
        "patch": '[{"op": "add", "path": "/metadata/annotations", "value": {"patched": "yes"}}]',
        "target": {"kind": "Deployment|Job"},
    }
    renderers = [
        {"kustomize": {"patches": [patch], "images": [{"name": "nginx", "newTag": "1.27"}]}},
        {
            "kustomize": {
                "patches": [
                    {
                        "patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 7}\n"
                    }
                ]
            }
        },
    ]
    spec = {
        **from_repository(),
        "postRenderers": renderers,
        "commonMetadata": {"labels": {"team": "web"}, "annotations": {"owner": "ops"}},
    }
    result = render(tmp_path, spec, [helm_repository(published.url)])
    assert result.error == ""
    objects = by_kind(result)
    deployment, job = objects["Deployment"], objects["Job"]
    assert deployment["spec"]["replicas"] == 7
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert deployment["metadata"]["annotations"] == {"patched": "yes", "owner": "ops"}
    assert deployment["metadata"]["labels"] == {"team": "web"}
    assert "team" not in deployment["spec"]["selector"]["matchLabels"]  # metadata only
    assert (
        "labels" not in deployment["spec"]["template"]["metadata"]
        or "team" not in deployment["spec"]["template"]["metadata"]["labels"]
    )
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"  # combined: hooks too
    assert "labels" not in objects["CustomResourceDefinition"]["metadata"]  # crds/ are not post-rendered

    nohooks = render(tmp_path, {**spec, "postRenderStrategy": "nohooks"}, [helm_repository(published.url)])
    job = by_kind(nohooks)["Job"]
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.25"
    # separate: the hooks are a stream of their own, so a patch must find its target in each stream
    targeted = {**spec, "postRenderers": renderers[:1], "postRenderStrategy": "separate"}
    separate = render(tmp_path, targeted, [helm_repository(published.url)])
    assert by_kind(separate)["Job"]["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert by_kind(separate)["Deployment"]["metadata"]["annotations"] == {"patched": "yes", "owner": "ops"}
    # ...and the Deployment's patch without a target finds none among the hooks: helm-controller's
    # kustomize fails the same way
    separate = render(tmp_path, {**spec, "postRenderStrategy": "separate"}, [helm_repository(published.url)])
    assert separate.error.startswith("web/hr:web postRenderers[1]: ")
    assert "no resource matches strategic merge patch" in separate.error


def test_a_post_renderer_kustomize_rejects_is_the_error(tmp_path: Path, published: ChartRepo) -> None:
    bad = [
        {
            "kustomize": {
                "patches": [
                    {"patch": "- op: remove\n  path: /spec/nothing\n", "target": {"kind": "Deployment"}}
                ]
            }
        }
    ]
    result = render(tmp_path, {**from_repository(), "postRenderers": bad}, [helm_repository(published.url)])
    assert result.error.startswith("web/hr:web postRenderers[0]: ")  # the app's id
    assert result.objects == ()


def test_integers_a_target_path_sets_stay_integers_in_templates(tmp_path: Path, published: ChartRepo) -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "limits", "namespace": "web"},
        "data": {"limit": "1000000"},
    }
    spec = {
        **from_repository(),
        "valuesFrom": [{"kind": "ConfigMap", "name": "limits", "valuesKey": "limit", "targetPath": "limit"}],
    }
    result = render(tmp_path, spec, [helm_repository(published.url)], [cm])
    assert result.app.helm_release is not None and result.app.helm_release.values_set == ("limit=1000000",)
    env = by_kind(result)["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]
    if backend()[0] == "binary":  # `--set` over the values document: int64, as helm-controller passes it
        assert env[1]["value"] == "1000000"
        assert not any("exponent" in n for n in result.notes)
    else:  # the embedded engine's values are JSON: every number a float64, and the difference said
        assert env[1]["value"] == "1e+06"
        assert any(n.startswith("values limit (valuesFrom targetPath) are integers") for n in result.notes)
    small = {**cm, "data": {"limit": "999999"}}
    result = render(tmp_path, spec, [helm_repository(published.url)], [small])
    env = by_kind(result)["Deployment"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[1]["value"] == "999999" and not any("integers" in n for n in result.notes)


def test_a_chart_from_the_checkout(tmp_path: Path) -> None:
    web_chart(tmp_path / "charts")
    source = {"kind": "GitRepository", "name": "flux-system", "namespace": "flux-system"}
    spec = {
        "chart": {
            "spec": {
                "chart": "./charts/web-1.0.0/web",
                "sourceRef": source,
                "valuesFiles": ["charts/web-1.0.0/web/values-prod.yaml"],
            }
        }
    }
    result = render(tmp_path, spec)
    assert result.error == "" and by_kind(result)["Deployment"]["spec"]["replicas"] == 3
    result = render(tmp_path, {"chart": {"spec": {"chart": "./charts/none", "sourceRef": source}}})
    assert result.error == "chart path charts/none does not exist"


def test_a_chart_that_cannot_be_fetched_is_the_error(tmp_path: Path, chart_repo: ChartRepo) -> None:
    chart_repo.publish(web_chart(tmp_path / "src"))
    result = render(tmp_path, from_repository(version="9.x"), [helm_repository(chart_repo.url)])
    assert "not found" in result.error and "not reachable" not in result.error
    chart_repo.stop()
    result = render(tmp_path, from_repository(version="2.x"), [helm_repository(chart_repo.url)])
    assert result.error.startswith(f"chart web from {chart_repo.url} not reachable offline: ")


def test_oci_repository_charts_by_semver_and_digest(tmp_path: Path, oci_registry: OciRegistry) -> None:
    oci_registry.push(web_chart(tmp_path / "src", "1.2.0"), "charts/web", tmp_path / "w")
    digest = oci_registry.push(web_chart(tmp_path / "src", "1.3.0"), "charts/web", tmp_path / "w")
    oci_registry.push(web_chart(tmp_path / "src", "2.0.0"), "charts/web", tmp_path / "w")
    for ref, version in (
        ({"semver": "1.x"}, "1.3.0"),
        ({"digest": digest}, "1.3.0"),
        ({"tag": "1.2.0"}, "1.2.0"),
        ({}, "2.0.0"),
    ):
        oci = {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "OCIRepository",
            "metadata": {"name": "web", "namespace": "web"},
            "spec": {"url": f"oci://{oci_registry.host}/charts/web", "insecure": True, "ref": ref},
        }
        result = render(tmp_path, {"chartRef": {"kind": "OCIRepository", "name": "web"}}, [oci])
        assert result.error == "", (ref, result.error)
        assert result.origins[0][0].startswith("web/") or version in " ".join(result.notes)
        labels = [n for n in result.notes if n.startswith("renders chart")]
        assert not labels or f"web {version} from" in labels[0], (ref, labels)


def test_values_from_a_secret_are_masked_never_cached_on_disk_and_not_in_errors(
    tmp_path: Path, published: ChartRepo
) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "web-secret", "namespace": "web"},
        "data": {"values.yaml": base64.b64encode(b"message: hunter2-very-secret\n").decode()},
    }
    clear_render_cache()
    renders = cache_dir() / "renders"
    before = set(renders.glob("*.json")) if renders.is_dir() else set()
    spec = {**from_repository(), "valuesFrom": [{"kind": "Secret", "name": "web-secret"}]}
    result = render(tmp_path, spec, [helm_repository(published.url)], [secret])
    deployment = by_kind(result)["Deployment"]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "hunter2-very-secret"
    after = set(renders.glob("*.json")) if renders.is_dir() else set()
    assert all("hunter2" not in p.read_text() for p in after - before)
    assert result.secret_values == ("hunter2-very-secret",)  # masked wherever the render is shown
    assert "hunter2" not in json.dumps(mask_values(deployment, result.secret_values))
    failing = {
        **spec,
        "values": {"replicas": "{{ fail }}"},
        "postRenderers": [
            {
                "kustomize": {
                    "patches": [
                        {
                            "patch": "- op: test\n  path: /spec/template/spec/containers/0/env/0/value\n  value: nope\n",
                            "target": {"kind": "Deployment"},
                        }
                    ]
                }
            }
        ],
    }
    result = render(tmp_path, failing, [helm_repository(published.url)], [secret])
    assert result.error and "hunter2-very-secret" not in result.error
