"""The Helm API (gitops_tui.source.helm): what `helm template` prints, from the binary or the embedded
engine, for charts shaped like real ones (helpers, NOTES.txt, hooks, CRDs, subcharts with conditions)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from gitops_tui.source.errors import RenderError
from gitops_tui.source.helm import ChartOptions, clear_cache, render_chart
from gitops_tui.source.helm import template as helm_template
from gitops_tui.source.helm.template import _run_embedded

from .charts import chart, configmap_template

CRD = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {name}\n"


def shop(tmp_path: Path) -> Path:
    """An application chart with what real charts have: helpers, NOTES.txt, hooks (one of a type Helm does
    not know), a test, CRDs, a multi-document template, an empty one and a subchart behind a condition."""
    root = chart(
        tmp_path / "shop",
        "shop",
        "1.2.0",
        files={
            "values.yaml": "replicas: 1\nsub:\n  enabled: false\nimage: shop:1.0\n",
            "templates/_helpers.tpl": '{{- define "shop.labels" -}}\napp: {{ .Release.Name }}\n{{- end }}\n',
            "templates/NOTES.txt": "Thanks for installing {{ .Release.Name }}\n",
            "templates/deployment.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
                "  namespace: {{ .Release.Namespace }}\n  labels:\n"
                '    {{- include "shop.labels" . | nindent 4 }}\n'
                "spec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      containers:\n"
                "        - name: shop\n          image: {{ .Values.image }}\n"
            ),
            "templates/objects.yaml": (
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n---\n---\n"
                + configmap_template("{{ .Release.Name }}-config")
            ),
            "templates/empty.yaml": "{{- if false }}\nnothing: here\n{{- end }}\n",
            "templates/hooks.yaml": (
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n"
                '    "helm.sh/hook": pre-install,pre-upgrade\n---\n'
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: odd-hook\n  annotations:\n"
                '    "helm.sh/hook": pre-banana\n'
            ),
            "templates/tests/test-connection.yaml": (
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: shop-test\n  annotations:\n"
                '    "helm.sh/hook": test\n'
            ),
            "templates/quota.yaml": "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n",
            "crds/widgets.yaml": CRD.format(name="widgets.shop.example.com"),
        },
        dependencies="\n  - name: sub\n    version: 0.1.0\n    condition: sub.enabled",
    )
    chart(
        root / "charts/sub",
        "sub",
        files={
            "templates/cm.yaml": configmap_template("sub"),
            "crds/gadgets.yaml": CRD.format(name="gadgets.shop.example.com"),
        },
    )
    return root


def names(objects: list[dict]) -> list[str]:
    return [f"{o['kind']}/{o['metadata']['name']}" for o in objects]


def test_the_stream_is_what_helm_template_prints(tmp_path: Path) -> None:
    """CRDs first, then the manifests in Helm's install order (a file's documents in order), then the
    hooks; NOTES.txt, partials, empty documents and a hook of an unknown type are left out."""
    text = _run_embedded(shop(tmp_path), ChartOptions(release_name="web", namespace="shop"), "shop", {})
    assert text == (
        "---\n# Source: shop/crds/widgets.yaml\n" + CRD.format(name="widgets.shop.example.com") + "\n"
        "---\n# Source: shop/templates/quota.yaml\n"
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: quota\n\n"
        "---\n# Source: shop/templates/objects.yaml\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n\n"
        "---\n# Source: shop/templates/objects.yaml\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n\n"
        "---\n# Source: shop/templates/deployment.yaml\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  labels:\n"
        "    app: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n"
        "        - name: shop\n          image: shop:1.0\n"
        "---\n# Source: shop/templates/tests/test-connection.yaml\n"
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: shop-test\n  annotations:\n    "helm.sh/hook": test\n\n'
        "---\n# Source: shop/templates/hooks.yaml\n"
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n"
        '    "helm.sh/hook": pre-install,pre-upgrade\n\n'
    )


def test_objects_templates_and_options(tmp_path: Path) -> None:
    root = shop(tmp_path)
    r = render_chart(root, ChartOptions(release_name="web", namespace="shop"), where="charts/shop")
    assert names(r.objects) == [
        "CustomResourceDefinition/widgets.shop.example.com",
        "ResourceQuota/quota",
        "ConfigMap/web-config",
        "Service/web",
        "Deployment/web",
        "Pod/shop-test",
        "Job/migrate",
    ]
    assert r.templates[0] == "shop/crds/widgets.yaml" and r.templates[-1] == "shop/templates/hooks.yaml"
    # The subchart's condition is read from the values: its templates and CRDs come with it.
    values = tmp_path / "prod.yaml"
    values.write_text("replicas: 3\nsub:\n  enabled: true\n")
    on = render_chart(
        root,
        ChartOptions(
            release_name="web",
            value_files=(values,),
            skip_tests=True,
            include_crds=True,
            set=("image=shop:2.0",),
        ),
        where="charts/shop",
    )
    assert names(on.objects)[:2] == [
        "CustomResourceDefinition/widgets.shop.example.com",
        "CustomResourceDefinition/gadgets.shop.example.com",
    ]
    assert "ConfigMap/sub" in names(on.objects) and "Pod/shop-test" not in names(on.objects)
    deploy = next(o for o in on.objects if o["kind"] == "Deployment")
    assert deploy["spec"]["replicas"] == 3 and deploy["metadata"]["namespace"] == "default"
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "shop:2.0"
    no_crds = render_chart(root, ChartOptions(release_name="web", include_crds=False), where="charts/shop")
    assert "CustomResourceDefinition/widgets.shop.example.com" not in names(no_crds.objects)


def test_value_precedence_is_helms(tmp_path: Path) -> None:
    """Files in order, then inline values, then --set, --set-string and --set-file."""
    root = chart(
        tmp_path / "c",
        "c",
        files={
            "values.yaml": "a: chart\nb: chart\nc: chart\nd: chart\ne: chart\nnested: {keep: 1, over: 1}\n",
            "templates/cm.yaml": configmap_template(
                "cm",
                "  a: {{ .Values.a | quote }}\n  b: {{ .Values.b | quote }}\n  c: {{ .Values.c | quote }}\n"
                "  d: {{ kindOf .Values.d | quote }}\n  e: {{ .Values.e | quote }}\n"
                "  nested: {{ .Values.nested | toJson | quote }}\n",
            ),
        },
    )
    (tmp_path / "one.yaml").write_text("a: one\nb: one\nnested: {over: 2}\n")
    (tmp_path / "two.yaml").write_text("a: two\n")
    (tmp_path / "file.txt").write_text("from a file")
    options = ChartOptions(
        release_name="r",
        value_files=(tmp_path / "one.yaml", tmp_path / "two.yaml"),
        values=("b: inline\nc: inline\n",),
        set=("c=set,d=5",),
        set_string=("d=5",),
        set_file=(f"e={tmp_path / 'file.txt'}",),
    )
    data = render_chart(root, options, where="c").objects[0]["data"]
    assert data == {
        "a": "two",
        "b": "inline",
        "c": "set",
        "d": "string",
        "e": "from a file",
        "nested": '{"keep":1,"over":2}',
    }


def test_release_and_capabilities(tmp_path: Path) -> None:
    root = chart(
        tmp_path / "caps",
        "caps",
        files={
            "templates/cm.yaml": configmap_template(
                "caps",
                "  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n"
                '  monitoring: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" | quote }}\n'
                '  apps: {{ .Capabilities.APIVersions.Has "apps/v1" | quote }}\n'
                "  release: {{ .Release.Name }}-{{ .Release.Namespace }}-{{ .Release.IsInstall }}\n",
            )
        },
    )
    default = render_chart(root, ChartOptions(release_name="r", namespace="ns"), where="charts/caps")
    assert default.objects[0]["data"] == {
        "kube": "v1.33.0",
        "monitoring": "false",
        "apps": "true",
        "release": "r-ns-true",
    }
    # Which version was assumed is said, since the cluster's would be used by the controller.
    assert [n.split(":")[0] for n in default.notes] == [
        "charts/caps reads .Capabilities.KubeVersion",
        "charts/caps reads .Capabilities.APIVersions",
    ]
    chosen = render_chart(
        root,
        ChartOptions(release_name="r", kube_version="1.29.4", api_versions=("monitoring.coreos.com/v1",)),
        where="charts/caps",
    )
    assert chosen.objects[0]["data"]["kube"] == "v1.29.4"
    assert chosen.objects[0]["data"]["monitoring"] == "true" and chosen.notes == []


@pytest.mark.parametrize(
    ("files", "meta", "error"),
    [
        (
            {"templates/cm.yaml": '{{ required "image.tag is required" .Values.image.tag }}'},
            {},
            # Helm 4's wording (Helm 3 starts with "template: ")
            r"helm template bad: (template: )?bad/templates/cm.yaml:1:\d+:? executing .* nil pointer",
        ),
        (
            {"templates/cm.yaml": '{{ fail "set a database" }}'},
            {},
            r"helm template bad: execution error at \(bad/templates/cm.yaml:1:3\): set a database",
        ),
        (
            {"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n broken: [\n"},
            {},
            re.escape("helm template bad: YAML parse error on bad/templates/cm.yaml: yaml: line 5: "),
        ),
        (
            {"templates/cm.yaml": configmap_template()},
            {"type": "library"},
            "helm template bad: library charts are not installable$",
        ),
        (
            {"templates/cm.yaml": configmap_template()},
            {"kubeVersion": '">=1.40.0-0"'},
            re.escape(
                "helm template bad: chart requires kubeVersion: >=1.40.0-0 which is incompatible with "
                "Kubernetes v1.33.0"
            ),
        ),
        (
            {
                "values.schema.json": '{"type": "object", "required": ["db"]}',
                "templates/cm.yaml": configmap_template(),
            },
            {},
            re.escape("helm template bad: values don't meet the specifications of the schema(s)"),
        ),
    ],
)
def test_a_chart_that_fails_to_render_says_why(
    tmp_path: Path, files: dict[str, str], meta: dict[str, str], error: str
) -> None:
    root = chart(tmp_path / "bad", "bad", files=files, **meta)
    with pytest.raises(RenderError) as caught:
        render_chart(root, ChartOptions(release_name="r"), where="bad")
    assert re.match(error, caught.value.message), caught.value.message
    assert "\n" not in caught.value.message


def test_skip_schema_validation(tmp_path: Path) -> None:
    root = chart(
        tmp_path / "c",
        "c",
        files={
            "values.schema.json": '{"type": "object", "required": ["db"]}',
            "templates/cm.yaml": configmap_template(),
        },
    )
    r = render_chart(root, ChartOptions(release_name="r", skip_schema_validation=True), where="c")
    assert names(r.objects) == ["ConfigMap/r"]
    assert (root / "values.schema.json").is_file()  # the operator's chart is never changed


def test_local_dependencies_are_built_outside_the_chart(tmp_path: Path) -> None:
    """A `file://` dependency missing from charts/ is built into a copy, as `helm dependency build` does
    (which Argo CD runs); charts/ of the operator's tree stays as it was."""
    chart(tmp_path / "common", "common", files={"templates/cm.yaml": configmap_template("common")})
    app = chart(
        tmp_path / "app",
        "app",
        files={"templates/cm.yaml": configmap_template()},
        dependencies="\n  - name: common\n    version: 0.1.0\n    repository: file://../common",
    )
    r = render_chart(app, ChartOptions(release_name="app"), where="app")
    assert names(r.objects) == ["ConfigMap/common", "ConfigMap/app"]
    assert not (app / "charts").exists() and not (app / "Chart.lock").exists()
    missing = chart(
        tmp_path / "lonely",
        "lonely",
        files={"templates/cm.yaml": configmap_template()},
        dependencies="\n  - name: common\n    version: 0.1.0\n    repository: '@stable'",
    )
    with pytest.raises(RenderError, match=r"missing in charts/ directory: common \(a repository name"):
        render_chart(missing, ChartOptions(release_name="x"), where="lonely")


def test_renders_are_cached_by_what_they_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = chart(
        tmp_path / "c",
        "c",
        files={"templates/cm.yaml": configmap_template(data="  a: {{ .Values.a | quote }}\n")},
    )
    values = tmp_path / "v.yaml"
    values.write_text("a: one\n")
    runs: list[object] = []
    real = helm_template.run_tool
    monkeypatch.setattr(helm_template, "run_tool", lambda *a, **k: runs.append(a) or real(*a, **k))
    options = ChartOptions(release_name="r", value_files=(values,))
    disk = tmp_path / "renders"
    assert render_chart(root, options, where="c", cache_dir=disk).objects[0]["data"] == {"a": "one"}
    assert render_chart(root, options, where="c", cache_dir=disk).objects[0]["data"] == {"a": "one"}
    assert len(runs) == 1
    clear_cache()  # a new process: the disk entry serves it
    assert render_chart(root, options, where="c", cache_dir=disk).objects[0]["data"] == {"a": "one"}
    assert len(runs) == 1
    values.write_text("a: two\n")  # a value file changed: rendered again
    assert render_chart(root, options, where="c", cache_dir=disk).objects[0]["data"] == {"a": "two"}
    (root / "templates/cm.yaml").write_text(configmap_template(data="  b: {{ .Values.a | quote }}\n"))
    assert render_chart(root, options, where="c", cache_dir=disk).objects[0]["data"] == {"b": "two"}
    assert len(runs) == 3


@pytest.mark.skipif(shutil.which("helm") is None, reason="needs the helm binary")
def test_the_binary_and_the_embedded_engine_give_the_same_objects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = shop(tmp_path)
    values = tmp_path / "v.yaml"
    values.write_text("sub:\n  enabled: true\nreplicas: 2\n")
    cases = [
        ChartOptions(release_name="web", namespace="shop"),
        ChartOptions(release_name="web", value_files=(values,), set=("image=x:1",), skip_tests=True),
        ChartOptions(release_name="web", include_crds=False, kube_version="1.28.0", api_versions=("a.b/v1",)),
    ]
    binary = [render_chart(root, o, where="shop").objects for o in cases]
    clear_cache()
    monkeypatch.setattr(helm_template.shutil, "which", lambda name: None)
    embedded = [render_chart(root, o, where="shop").objects for o in cases]
    assert binary == embedded
