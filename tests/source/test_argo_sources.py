"""Argo CD Application sources as Argo CD reads them: which repository a source is read from, multi-source
apps with `$ref` value files, Helm options, Jsonnet directories, Kustomize options and plugins."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gitops_tui.model import AppSpec, SourceType
from gitops_tui.source.argo import parse_application
from gitops_tui.source.argo_sources import SourceContext
from gitops_tui.source.dependencies import app_paths, touched
from gitops_tui.source.discover import discover_apps
from gitops_tui.source.render import render_app

from .charts import ChartRepo, chart, chart_repo, configmap_template
from .repos import commit, configmap, deployment, git, init, write

__all__ = ["chart_repo"]
URL = "https://github.com/example/platform"
needs_kustomize = pytest.mark.skipif(
    not (shutil.which("kustomize") or shutil.which("kubectl")), reason="needs kustomize or kubectl"
)


def app(
    name: str,
    source: dict[str, Any] | None = None,
    sources: list[dict[str, Any]] | None = None,
    namespace: str = "",
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "project": "default",
        "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace or name},
    }
    if sources is not None:
        spec["sources"] = sources
    else:
        spec["source"] = {"repoURL": URL, "targetRevision": "HEAD", **(source or {})}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": spec,
    }


def parse(doc: dict[str, Any], tree: Path, ctx: SourceContext | None = None) -> AppSpec:
    parsed = parse_application(doc, "apps/app.yaml:1", tree, context=ctx)
    assert parsed.app is not None
    return parsed.app


def names(objects: tuple[dict[str, Any], ...]) -> list[str]:
    return [f"{o['kind']}/{o['metadata'].get('namespace', '')}/{o['metadata']['name']}" for o in objects]


def guestbook_chart(repo: Path) -> Path:
    """helm-guestbook's shape: a chart with per-environment value files beside values.yaml."""
    return chart(
        repo / "helm-guestbook",
        "helm-guestbook",
        files={
            "values.yaml": "replicaCount: 1\nimage: gb-frontend:v5\nextra: ''\n",
            "values-production.yaml": "replicaCount: 3\n",
            "templates/_helpers.tpl": '{{- define "gb.name" -}}{{ .Release.Name }}-gb{{- end }}\n',
            "templates/deployment.yaml": (
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                '  name: {{ include "gb.name" . }}\n'
                "spec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n"
                "        - name: gb\n          image: {{ .Values.image }}\n"
                "          args: [{{ .Values.extra | quote }}]\n"
            ),
        },
    )


# -- which repository ------------------------------------------------------------------------------------
def test_a_source_is_read_from_this_checkout_when_its_repo_url_names_a_remote(tmp_path: Path) -> None:
    repo = init(tmp_path / "platform")
    git(repo, "remote", "add", "origin", "git@github.com:Example/platform.git")
    write(repo, "web/cm.yaml", configmap("web"))
    ctx = SourceContext.for_checkout(repo)
    assert ctx.remotes == ("git@github.com:Example/platform.git",) and ctx.branch == "main"
    ours = parse(app("web", {"path": "web"}), repo, ctx)
    assert ours.error == "" and ours.path == "web"
    other = parse(app("other", {"repoURL": "https://github.com/example/elsewhere", "path": "web"}), repo, ctx)
    assert other.error == (
        "apps/app.yaml:1: Application other: source in another repository: https://github.com/example/elsewhere "
        "(map it to a local checkout in .gitops-tui.yaml under repositories:)"
    )
    # Listed with what is known of it, only its objects cannot be had.
    assert other.namespace == "other"
    # A checkout with no remote cannot tell: every repoURL is taken as this one (as before remotes were read).
    assert (
        parse(app("other", {"repoURL": "https://github.com/example/elsewhere", "path": "web"}), repo).error
        == ""
    )


def test_a_mapped_repository_is_read_from_its_local_checkout(tmp_path: Path) -> None:
    repo = init(tmp_path / "platform")
    git(repo, "remote", "add", "origin", URL)
    values = init(tmp_path / "values")
    write(values, "envs/prod/cm.yaml", configmap("from-values-repo"))
    write(repo, ".gitops-tui.yaml", "repositories:\n  https://github.com/example/values.git: ../values\n")
    write(
        repo, "apps/app.yaml", app("prod", {"repoURL": "git@github.com:example/values", "path": "envs/prod"})
    )
    [found] = discover_apps(repo).apps
    assert found.error == "" and found.path == ""  # not a path in this repository: History does not follow it
    assert found.sources[0].checkout == str(values.resolve())
    r = render_app(repo, found)
    assert r.error == "" and names(r.objects) == ["ConfigMap/prod/from-values-repo"]
    assert (
        f"source git@github.com:example/values is read from the working tree of {values.resolve()}" in r.notes
    )


def test_a_target_revision_other_than_the_checked_out_one_is_said(tmp_path: Path) -> None:
    repo = init(tmp_path / "platform")
    git(repo, "remote", "add", "origin", URL)
    write(repo, "web/cm.yaml", configmap("web"))
    commit(repo, "web")
    ctx = SourceContext.for_checkout(repo)
    for same in ("HEAD", "", "main", "refs/heads/main"):
        found = parse(app("web", {"path": "web", "targetRevision": same}), repo, ctx)
        assert found.notes == () and found.target_revision == same
    master = parse(app("web", {"path": "web", "targetRevision": "master"}), repo, ctx)
    assert master.target_revision == "master"
    assert master.notes == ("Argo CD renders master; this shows the working tree of main",)
    assert render_app(repo, master).notes == master.notes
    at = SourceContext(remotes=ctx.remotes, branch="main", revision="v1.2")
    assert parse(app("web", {"path": "web", "targetRevision": "v1.2"}), repo, at).notes == ()
    assert parse(app("web", {"path": "web"}), repo, at).notes == ()
    assert parse(app("web", {"path": "web", "targetRevision": "v1.3"}), repo, at).notes == (
        "Argo CD renders v1.3; this shows revision v1.2",
    )


def test_config_management_plugins_say_which(tmp_path: Path) -> None:
    write(tmp_path, "plugins/kasane/kasane.jsonnet", "{}")
    named = parse(app("kasane", {"path": "plugins/kasane", "plugin": {"name": "kasane"}}), tmp_path)
    assert named.error.endswith(
        "Application kasane: needs config management plugin kasane: plugins cannot run here"
    )
    assert named.path == "plugins/kasane"
    found = parse(app("cmp", {"path": "plugins/kasane", "plugin": {"env": []}}), tmp_path)
    assert found.error.endswith("needs a config management plugin (discovered): plugins cannot run here")
    assert render_app(tmp_path, found).error == found.error


# -- Helm ------------------------------------------------------------------------------------------------
def test_helm_options_as_argo_cd_applies_them(tmp_path: Path) -> None:
    guestbook_chart(tmp_path)
    write(tmp_path, "shared/override.yaml", "image: from-root:v1\n")
    helm = {
        "releaseName": "gb",
        "valueFiles": ["values-production.yaml", "/shared/override.yaml", "values-missing.yaml"],
        "ignoreMissingValueFiles": True,
        "values": "replicaCount: 5\n",
        "parameters": [
            {"name": "replicaCount", "value": "7"},
            {"name": "extra", "value": "a,b for $ARGOCD_APP_NAME", "forceString": True},
        ],
    }
    found = parse(app("guestbook", {"path": "helm-guestbook", "helm": helm}), tmp_path)
    r = render_app(tmp_path, found)
    assert r.error == "" and names(r.objects) == ["Deployment.apps/guestbook/gb-gb".replace(".apps", "")]
    deploy = r.objects[0]
    assert deploy["spec"]["replicas"] == 7  # parameters over values over value files
    container = deploy["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "from-root:v1"  # an absolute value file is relative to the repository
    assert container["args"] == ["a,b for guestbook"]  # one value, commas and all; the build environment
    values_object = {**helm, "valuesObject": {"replicaCount": 9}, "parameters": []}
    r = render_app(
        tmp_path, parse(app("guestbook", {"path": "helm-guestbook", "helm": values_object}), tmp_path)
    )
    assert r.objects[0]["spec"]["replicas"] == 9  # valuesObject wins over values
    strict = parse(
        app("guestbook", {"path": "helm-guestbook", "helm": {"valueFiles": ["values-missing.yaml"]}}),
        tmp_path,
    )
    assert (
        render_app(tmp_path, strict).error == "helm-guestbook: value file values-missing.yaml does not exist"
    )


def test_a_chart_from_a_helm_repository_with_values_from_a_ref_source(
    tmp_path: Path, chart_repo: ChartRepo
) -> None:
    """The multi-source shape Argo CD documents: the chart from its repository, the values from Git."""
    chart_repo.publish(
        chart(
            tmp_path / "src/podinfo",
            "podinfo",
            "6.5.0",
            files={
                "values.yaml": "replicas: 1\ncolor: blue\n",
                "templates/cm.yaml": configmap_template(
                    "{{ .Release.Name }}",
                    "  replicas: {{ .Values.replicas | quote }}\n  color: {{ .Values.color }}\n",
                ),
            },
        )
    )
    repo = tmp_path / "platform"
    write(repo, "envs/prod/values.yaml", "replicas: 4\n")
    write(repo, "extra/cm.yaml", configmap("extra"))
    sources = [
        {
            "repoURL": chart_repo.url,
            "chart": "podinfo",
            "targetRevision": "6.5.0",
            "helm": {
                "valueFiles": ["$values/envs/prod/values.yaml"],
                "parameters": [{"name": "color", "value": "red"}],
            },
        },
        {"repoURL": URL, "targetRevision": "main", "ref": "values"},
        {"repoURL": URL, "targetRevision": "main", "path": "extra"},
    ]
    found = parse(app("podinfo", sources=sources), repo)
    assert (found.path, found.source_type) == ("", SourceType.HELM)
    r = render_app(repo, found)
    assert r.error == ""
    assert names(r.objects) == ["ConfigMap/podinfo/podinfo", "ConfigMap/podinfo/extra"]
    assert r.objects[0]["data"] == {"replicas": "4", "color": "red"}
    assert r.origins[0] == (f"podinfo 6.5.0 from {chart_repo.url}", 0)
    # History follows what the app reads from this repository: the other source and the value file.
    assert app_paths(repo, found) == ("envs/prod/values.yaml", "extra")
    assert touched(repo, found, ["envs/prod/values.yaml"]) and not touched(repo, found, ["web/x.yaml"])
    chart_repo.stop()
    assert render_app(repo, found).error == ""  # pulled once: offline from the cache
    unknown = [{**sources[0], "targetRevision": "6.6.0"}, *sources[1:]]
    error = render_app(repo, parse(app("podinfo", sources=unknown), repo)).error
    assert error.startswith(f"chart podinfo 6.6.0 from {chart_repo.url} not reachable (offline?): ")


def test_several_sources_are_concatenated_and_duplicates_reported(tmp_path: Path) -> None:
    write(tmp_path, "a/cm.yaml", [configmap("one"), configmap("shared")])
    write(tmp_path, "b/cm.yaml", configmap("two"))
    write(tmp_path, "c/cm.yaml", configmap("shared"))
    two = parse(
        app("multi", sources=[{"repoURL": URL, "path": "a"}, {"repoURL": URL, "path": "b"}]), tmp_path
    )
    r = render_app(tmp_path, two)
    assert names(r.objects) == ["ConfigMap/multi/one", "ConfigMap/multi/shared", "ConfigMap/multi/two"]
    assert r.origins == (("a/cm.yaml", 0), ("a/cm.yaml", 1), ("b/cm.yaml", 0))
    clash = parse(
        app("multi", sources=[{"repoURL": URL, "path": "a"}, {"repoURL": URL, "path": "c"}]), tmp_path
    )
    assert render_app(tmp_path, clash).error == "duplicate ConfigMap/multi/shared in a/cm.yaml and c/cm.yaml"


# -- Jsonnet ---------------------------------------------------------------------------------------------
GUESTBOOK_JSONNET = """local params = import 'params.libsonnet';
[
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: params.name },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: params.name },
    spec: { replicas: params.replicas },
  },
]
"""
TLA_JSONNET = """function(name='guestbook-ui', replicas=1)
  { apiVersion: 'v1', kind: 'List', items: [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: name, labels: { env: std.extVar('env') } },
      spec: { replicas: replicas } },
  ] }
"""


def test_jsonnet_directories_as_argo_cd_evaluates_them(tmp_path: Path) -> None:
    write(tmp_path, "jsonnet-guestbook/guestbook-ui.jsonnet", GUESTBOOK_JSONNET)
    write(tmp_path, "jsonnet-guestbook/params.libsonnet", "{ name: 'guestbook-ui', replicas: 1 }\n")
    r = render_app(tmp_path, parse(app("jg", {"path": "jsonnet-guestbook"}), tmp_path))
    assert r.error == "" and names(r.objects) == [
        "Service/jg/guestbook-ui",
        "Deployment.apps/jg/guestbook-ui".replace(".apps", ""),
    ]
    assert r.origins == (
        ("jsonnet-guestbook/guestbook-ui.jsonnet", 0),
        ("jsonnet-guestbook/guestbook-ui.jsonnet", 1),
    )
    write(tmp_path, "jsonnet-guestbook-tla/guestbook-ui.jsonnet", TLA_JSONNET)
    directory = {
        "jsonnet": {
            "tlas": [
                {"name": "name", "value": "$ARGOCD_APP_NAME"},
                {"name": "replicas", "value": "3", "code": True},
            ],
            "extVars": [{"name": "env", "value": "prod"}],
        }
    }
    r = render_app(
        tmp_path, parse(app("tla", {"path": "jsonnet-guestbook-tla", "directory": directory}), tmp_path)
    )
    assert r.error == ""
    [deploy] = r.objects
    assert (deploy["metadata"]["name"], deploy["spec"]["replicas"], deploy["metadata"]["labels"]) == (
        "tla",
        3,
        {"env": "prod"},
    )


def test_jsonnet_libs_recurse_include_exclude_and_errors(tmp_path: Path) -> None:
    write(
        tmp_path,
        "lib/k.libsonnet",
        "{ cm(name):: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name } } }\n",
    )
    write(tmp_path, "app/main.jsonnet", "(import 'k.libsonnet').cm('main')\n")
    write(tmp_path, "app/sub/deep.jsonnet", "(import 'k.libsonnet').cm('deep')\n")
    write(tmp_path, "app/sub/skip.jsonnet", "(import 'k.libsonnet').cm('skip')\n")
    write(tmp_path, "app/plain.yaml", configmap("plain"))
    directory = {"recurse": True, "exclude": "sub/skip.jsonnet", "jsonnet": {"libs": ["lib"]}}
    r = render_app(tmp_path, parse(app("j", {"path": "app", "directory": directory}), tmp_path))
    assert r.error == "" and sorted(names(r.objects)) == [
        "ConfigMap/j/deep",
        "ConfigMap/j/main",
        "ConfigMap/j/plain",
    ]
    top = render_app(
        tmp_path, parse(app("j", {"path": "app", "directory": {"jsonnet": {"libs": ["lib"]}}}), tmp_path)
    )
    assert sorted(names(top.objects)) == ["ConfigMap/j/main", "ConfigMap/j/plain"]
    only = {"include": "*.jsonnet", "jsonnet": {"libs": ["lib"]}}
    assert names(
        render_app(tmp_path, parse(app("j", {"path": "app", "directory": only}), tmp_path)).objects
    ) == ["ConfigMap/j/main"]
    no_libs = render_app(tmp_path, parse(app("j", {"path": "app"}), tmp_path))
    assert no_libs.error.startswith('app/main.jsonnet:1: couldn\'t open import "k.libsonnet"')
    write(tmp_path, "bad/x.jsonnet", "{\n  a: error 'missing setting',\n}\n")
    assert (
        render_app(tmp_path, parse(app("b", {"path": "bad"}), tmp_path)).error
        == "bad/x.jsonnet:2: missing setting"
    )
    write(tmp_path, "syntax/x.jsonnet", "{\n  a: ,\n}\n")
    error = render_app(tmp_path, parse(app("s", {"path": "syntax"}), tmp_path)).error
    assert error.startswith("syntax/x.jsonnet:2: Unexpected")


# -- Kustomize -------------------------------------------------------------------------------------------
@needs_kustomize
def test_kustomize_options_argo_cd_applies(tmp_path: Path) -> None:
    write(tmp_path, "base/deploy.yaml", deployment("web"))
    write(tmp_path, "base/kustomization.yaml", "resources:\n  - deploy.yaml\n")
    write(
        tmp_path,
        "components/sidecar/kustomization.yaml",
        (
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
            "patches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n"
            "        name: web\n        labels:\n          sidecar: 'yes'\n"
        ),
    )
    write(
        tmp_path,
        "base/patch.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations:\n    patched: from-file\n",
    )
    kustomize = {
        "namespace": "shop",
        "commonLabels": {"team": "$ARGOCD_APP_NAME"},
        "commonAnnotations": {"owner": "$ARGOCD_APP_NAME"},
        "replicas": [{"name": "web", "count": 4}],
        "patches": [
            {
                "target": {"kind": "Deployment"},
                "patch": json.dumps([{"op": "add", "path": "/spec/paused", "value": True}]),
            },
            {"path": "patch.yaml"},
        ],
        "components": ["../components/sidecar", "../components/missing"],
        "ignoreMissingComponents": True,
    }
    r = render_app(tmp_path, parse(app("web", {"path": "base", "kustomize": kustomize}), tmp_path))
    assert r.error == ""
    [deploy] = r.objects
    meta = deploy["metadata"]
    assert meta["namespace"] == "shop"
    assert meta["labels"] == {"team": "web", "sidecar": "yes"}
    assert meta["annotations"] == {
        "owner": "$ARGOCD_APP_NAME",
        "patched": "from-file",
    }  # no envsubst unless asked
    assert deploy["spec"]["replicas"] == 4 and deploy["spec"]["paused"] is True
    assert deploy["spec"]["selector"]["matchLabels"] == {"app": "web", "team": "web"}
    no_selector = {"commonLabels": {"team": "x"}, "labelWithoutSelector": True}
    r = render_app(tmp_path, parse(app("web", {"path": "base", "kustomize": no_selector}), tmp_path))
    assert r.objects[0]["spec"]["selector"]["matchLabels"] == {"app": "web"}
    assert r.objects[0]["metadata"]["labels"] == {"team": "x"}


def test_a_repositories_map_that_is_not_one_is_reported(tmp_path: Path) -> None:
    write(tmp_path, ".gitops-tui.yaml", "repositories:\n  - https://github.com/example/values\n")
    found = discover_apps(tmp_path)
    assert found.errors == (".gitops-tui.yaml: 'repositories' must map repository URLs to local paths",)
    write(
        tmp_path, ".gitops-tui.yaml", "repositories:\n  https://github.com/example/values: /nowhere/values\n"
    )
    write(tmp_path, "apps/a.yaml", app("v", {"repoURL": "https://github.com/example/values", "path": "x"}))
    [mapped] = discover_apps(tmp_path).apps
    assert mapped.error.endswith(
        "source https://github.com/example/values is mapped to /nowhere/values, which is not a directory"
    )
