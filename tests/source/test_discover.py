from __future__ import annotations

from pathlib import Path

import yaml

from gitops_tui.model import AppOrigin, IgnoreRule, RetryPolicy, SourceType, TrackingMethod
from gitops_tui.source.discover import discover_apps

from .repos import application, configmap, deployment, kustomize_tree, write


def by_name(root: Path) -> dict:
    return {a.name: a for a in discover_apps(root).apps}


def test_argo_application_fields(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    app = application(
        "api-production",
        "./api/overlays/production/",
        "production",
        syncPolicy={
            "automated": {"prune": True, "selfHeal": True},
            "syncOptions": ["CreateNamespace=true", "ServerSideApply=true"],
            "retry": {"limit": 3, "backoff": {"duration": "10s", "factor": 3, "maxDuration": "1m30s"}},
        },
        ignoreDifferences=[
            {"group": "apps", "kind": "Deployment", "name": "api", "jsonPointers": ["/spec/replicas"]},
            {
                "kind": "ConfigMap",
                "jqPathExpressions": [".data.x"],
                "managedFieldsManagers": ["kube-controller"],
            },
        ],
    )
    app["spec"]["source"]["kustomize"] = {
        "images": ["api=registry.example.com/api:2.0.0"],
        "namePrefix": "p-",
    }
    write(tmp_path, "apps/api-production.yaml", app)
    found = discover_apps(tmp_path)
    assert found.errors == () and found.notes == ()
    [spec] = found.apps
    assert spec.name == "api-production"
    assert spec.path == "api/overlays/production"
    assert (spec.origin, spec.source_type, spec.defined_in) == (
        AppOrigin.ARGO,
        SourceType.KUSTOMIZE,
        "apps/api-production.yaml",
    )
    assert (spec.context, spec.server, spec.cluster_name, spec.namespace) == (
        None,
        "https://kubernetes.default.svc",
        "",
        "production",
    )
    assert (spec.automated, spec.prune, spec.self_heal) == (True, True, True)
    assert spec.sync_options == ("CreateNamespace=true", "ServerSideApply=true")
    assert spec.retry == RetryPolicy(limit=3, backoff_seconds=10.0, factor=3.0, max_backoff_seconds=90.0)
    assert spec.ignore_differences == (
        IgnoreRule(group="apps", kind="Deployment", name="api", json_pointers=("/spec/replicas",)),
        IgnoreRule(
            kind="ConfigMap", jq_path_expressions=(".data.x",), managed_fields_managers=("kube-controller",)
        ),
    )
    assert spec.kustomize_images == ("api=registry.example.com/api:2.0.0",)
    assert spec.kustomize_name_prefix == "p-"
    assert spec.tracking is TrackingMethod.ANNOTATION
    assert spec.error == ""


def test_argo_destination_and_sync_variants(tmp_path: Path) -> None:
    write(tmp_path, "web/cm.yaml", configmap("web"))
    remote = application("remote", "web", "web")
    remote["spec"]["destination"] = {"server": "https://10.1.2.3:6443", "namespace": "web"}
    named = application("named", "web")
    named["spec"]["destination"] = {"name": "prod-eu"}
    local = application("local", "web", syncPolicy={"automated": {}})
    local["spec"]["destination"] = {"name": "in-cluster", "namespace": "x"}
    paused = application("paused", "web", syncPolicy={"automated": {"enabled": False, "prune": True}})
    write(tmp_path, "apps/all.yaml", [remote, named, local, paused])
    apps = by_name(tmp_path)
    assert (apps["remote"].server, apps["remote"].cluster_name, apps["remote"].context) == (
        "https://10.1.2.3:6443",
        "",
        None,
    )
    assert (apps["named"].server, apps["named"].cluster_name) == ("", "prod-eu")
    assert (apps["local"].server, apps["local"].cluster_name) == ("https://kubernetes.default.svc", "")
    assert (apps["local"].automated, apps["local"].prune, apps["local"].self_heal) == (True, False, False)
    assert (apps["paused"].automated, apps["paused"].prune) == (False, True)
    assert apps["remote"].automated is False and apps["remote"].retry is None
    # Argo CD reads only the top level of a directory app unless `directory.recurse` is set.
    assert apps["remote"].source_type is SourceType.DIRECTORY and apps["remote"].recurse is False


def test_argo_source_types_helm_and_directory_options(tmp_path: Path) -> None:
    write(tmp_path, "charts/redis/Chart.yaml", "apiVersion: v2\nname: redis\nversion: 1.0.0\n")
    write(tmp_path, "plain/cm.yaml", configmap("plain"))
    helm = application("redis", "charts/redis", "cache")
    helm["spec"]["source"]["helm"] = {
        "releaseName": "cache",
        "valueFiles": ["values-prod.yaml"],
        "values": "a: 1",
    }
    plain = application("plain", "plain")
    plain["spec"]["source"]["directory"] = {
        "recurse": True,
        "include": "*.yaml",
        "exclude": "{a,b}/*",
        "disableExtensionFilter": True,
    }
    write(tmp_path, "apps/apps.yaml", [helm, plain])
    found = discover_apps(tmp_path)
    apps = {a.name: a for a in found.apps}
    assert apps["redis"].source_type is SourceType.HELM
    assert (apps["redis"].helm_release_name, apps["redis"].helm_values_files) == (
        "cache",
        ("values-prod.yaml",),
    )
    assert apps["plain"].source_type is SourceType.DIRECTORY
    assert (apps["plain"].recurse, apps["plain"].include, apps["plain"].exclude) == (
        True,
        "*.yaml",
        "{a,b}/*",
    )
    assert apps["redis"].sources[0].helm.values == "a: 1"
    # An option that would change the output but is not applied: said rather than differ silently.
    assert found.notes == (
        "apps/apps.yaml:21: Application plain: not applied when rendering: "
        "source.directory.disableExtensionFilter",
    )


def test_argo_multiple_sources_and_helm_repository_charts(tmp_path: Path) -> None:
    write(tmp_path, "web/cm.yaml", configmap("web"))
    multi = application("multi", "ignored")
    del multi["spec"]["source"]
    multi["spec"]["sources"] = [
        {"repoURL": "https://charts.example.com", "chart": "web", "targetRevision": "1.0.0"},
        {"repoURL": "https://git.example.com/platform.git", "path": "web"},
        {"repoURL": "https://git.example.com/platform.git", "ref": "values", "targetRevision": "main"},
    ]
    chart = application("cert-manager", "x")
    chart["spec"]["source"] = {"repoURL": "https://charts.jetstack.io", "chart": "cert-manager"}
    missing = application("missing", "apps/does-not-exist")
    write(tmp_path, "apps/a.yaml", [multi, chart, missing])
    found = discover_apps(tmp_path)
    apps = {a.name: a for a in found.apps}
    assert found.notes == ()
    # The primary source is the first that renders: a chart from a Helm repository has no path here.
    assert (apps["multi"].path, apps["multi"].source_type, apps["multi"].error) == ("", SourceType.HELM, "")
    assert [(s.chart, s.path, s.ref, s.ref_only) for s in apps["multi"].sources] == [
        ("web", "", "", False),
        ("", "web", "", False),
        ("", "", "values", True),
    ]
    assert apps["cert-manager"].error == "" and apps["cert-manager"].sources[0].chart == "cert-manager"
    # A missing path is still an app; rendering reports it.
    assert apps["missing"].error == "" and apps["missing"].path == "apps/does-not-exist"


def test_invalid_application_fields_become_the_apps_error(tmp_path: Path) -> None:
    bad = application("bad-retry", "web", syncPolicy={"retry": {"backoff": {"duration": "5 parsecs"}}})
    write(tmp_path, "apps/bad.yaml", "# an app\n" + "---\n" + _dump(bad))
    write(tmp_path, "apps/noname.yaml", _dump({**bad, "metadata": {"namespace": "argocd"}}))
    found = discover_apps(tmp_path)
    [app] = found.apps
    assert app.error == (
        "apps/bad.yaml:3: Application bad-retry: syncPolicy.retry.backoff.duration: "
        "invalid duration '5 parsecs' (expected e.g. 5s, 3m, 1h30m)"
    )
    assert found.errors == ("apps/noname.yaml:1: Application without metadata.name, skipped",)


def test_malformed_manifest_is_an_error_with_file_and_line_and_others_still_found(tmp_path: Path) -> None:
    write(tmp_path, "apps/good.yaml", application("good", "web"))
    write(
        tmp_path,
        "apps/broken.yaml",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: name: x\n",
    )
    write(tmp_path, "charts/x/Chart.yaml", "apiVersion: v2\nname: x\n")
    write(
        tmp_path, "charts/x/templates/app.yaml", "apiVersion: argoproj.io/v1alpha1\nname: {{ .Values.x }}\n"
    )
    write(tmp_path, "tmpl/app.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: {{ .Kind }}\n  x: y: z\n")
    found = discover_apps(tmp_path)
    assert [a.name for a in found.apps] == ["good"]
    assert found.errors == ("apps/broken.yaml:3: mapping values are not allowed in this context",)
    # Chart templates are never read, and other templated files are noted, not errors.
    assert found.notes == ("tmpl/app.yaml: looks like a template, not searched for apps",)


def test_hidden_and_vendored_directories_are_not_searched(tmp_path: Path) -> None:
    for where in (".github/app.yaml", "node_modules/x/app.yaml", "vendor/app.yaml", "a/.hidden.yaml"):
        write(tmp_path, where, application(where.replace("/", "-").strip(".-").replace(".", "-"), "."))
    write(tmp_path, "apps/real.yaml", application("real", "."))
    write(tmp_path, "apps/binary.yaml", b"\0argoproj.io\xff".decode("latin-1"))
    assert [a.name for a in discover_apps(tmp_path).apps] == ["real"]


def test_an_application_set_that_cannot_be_expanded_is_said(tmp_path: Path) -> None:
    """A scanned ApplicationSet is expanded with the tree (tests/source/appset for what it generates); one
    that generates nothing usable says why, with its file and line, among discovery's errors."""
    from gitops_tui.source.tree import discover_tree

    spec = {
        "goTemplate": True,
        "goTemplateOptions": ["missingkey=error"],
        "generators": [{"list": {"elements": [{"cluster": "a"}]}}],
        "template": {
            "metadata": {"name": "{{.cluster}}-{{.missing}}"},
            "spec": {"source": {"path": "x"}, "destination": {"namespace": "x"}},
        },
    }
    set_doc = {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": {"name": "s"}}
    write(tmp_path, "apps/set.yaml", {**set_doc, "spec": spec})
    found = discover_apps(tmp_path)
    assert len(found.appsets) == 1 and found.apps == ()
    tree = discover_tree(tmp_path, lambda apps: [], found=found)
    assert tree.apps == ()
    assert any(e.startswith("apps/set.yaml:1: ApplicationSet s: ") and "missing" in e for e in tree.errors)


def test_flux_kustomization(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    write(tmp_path, "monitoring/deploy.yaml", deployment("prometheus"))
    flux = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "monitoring", "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "path": "./monitoring",
            "prune": True,
            "targetNamespace": "monitoring",
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            "postBuild": {"substitute": {"x": "y"}},
        },
    }
    old = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1beta2",
        "kind": "Kustomization",
        "metadata": {"name": "api", "namespace": "apps"},
        "spec": {
            "path": "./api/overlays/staging",
            "suspend": True,
            "images": [
                {"name": "registry.example.com/api", "newTag": "1.2.3"},
                {"name": "a", "newName": "b"},
            ],
        },
    }
    write(tmp_path, "clusters/prod/monitoring.yaml", [flux, old])
    found = discover_apps(tmp_path)
    apps = {a.name: a for a in found.apps}
    # kustomize's own kustomization.yaml files are build files, not apps.
    assert set(apps) == {"monitoring", "api"}
    mon = apps["monitoring"]
    assert (mon.origin, mon.path, mon.namespace, mon.prune, mon.suspended) == (
        AppOrigin.FLUX,
        "monitoring",
        "monitoring",
        True,
        False,
    )
    assert (mon.tracking, mon.flux_namespace, mon.source_type, mon.recurse) == (
        TrackingMethod.FLUX,
        "flux-system",
        SourceType.DIRECTORY,
        True,
    )
    assert (mon.automated, mon.self_heal) == (True, True)
    api = apps["api"]
    assert (api.source_type, api.suspended, api.automated, api.flux_namespace) == (
        SourceType.KUSTOMIZE,
        True,
        False,
        "apps",
    )
    assert api.kustomize_images == ("registry.example.com/api:1.2.3", "a=b")
    assert found.notes == ()  # postBuild is applied now
    assert (mon.error, mon.flux.post_build, mon.flux.substitute) == ("", True, (("x", "y"),))
    # Flux requires a sourceRef: without one the app says so, keeping what it could read.
    assert api.error == "clusters/prod/monitoring.yaml:18: Kustomization api: spec.sourceRef is missing"


def test_repo_config_apps_and_tracking(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    write(tmp_path, "web/cm.yaml", configmap("web"))
    write(
        tmp_path,
        ".gitops-tui.yaml",
        """\
tracking: label
settings:
  read_only: true
apps:
  - name: api
    path: ./api/overlays/production
    namespace: production
    context: prod-eu
    prune: true
    selfHeal: true
    automated: true
    retry: {limit: 2}
    ignoreDifferences:
      - {kind: Deployment, jsonPointers: [/spec/replicas]}
  - name: web
    path: web
    type: directory
    tracking: annotation+label
    directory: {include: "*.yaml"}
""",
    )
    found = discover_apps(tmp_path)
    assert found.errors == () and found.notes == ()
    api, web = found.apps
    assert (api.name, api.path, api.origin, api.source_type, api.defined_in) == (
        "api",
        "api/overlays/production",
        AppOrigin.CONFIG,
        SourceType.KUSTOMIZE,
        ".gitops-tui.yaml",
    )
    assert (api.namespace, api.context, api.automated, api.prune, api.self_heal) == (
        "production",
        "prod-eu",
        True,
        True,
        True,
    )
    assert api.retry == RetryPolicy(limit=2)
    assert api.ignore_differences == (IgnoreRule(kind="Deployment", json_pointers=("/spec/replicas",)),)
    assert api.tracking is TrackingMethod.LABEL
    assert (web.tracking, web.recurse, web.include) == (TrackingMethod.ANNOTATION_AND_LABEL, True, "*.yaml")


def test_repo_config_tracking_applies_to_argo_apps(tmp_path: Path) -> None:
    write(tmp_path, ".gitops-tui.yaml", "tracking: annotation+label\n")
    write(tmp_path, "apps/web.yaml", application("web", "web"))
    [app] = discover_apps(tmp_path, default_tracking=TrackingMethod.LABEL).apps
    assert app.tracking is TrackingMethod.ANNOTATION_AND_LABEL
    write(tmp_path, ".gitops-tui.yaml", "settings: {}\n")
    [app] = discover_apps(tmp_path, default_tracking=TrackingMethod.LABEL).apps
    assert app.tracking is TrackingMethod.LABEL


def test_repo_config_validation_errors_carry_lines(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".gitops-tui.yaml",
        """\
tracking: sideways
colour: blue
apps:
  - name: ok
    path: web
  - path: nameless
  - name: Bad_Name
    path: x
  - name: typo
    pth: web
  - name: wrong-type
    path: web
    type: jsonnet
  - name: no-path
  - just a string
""",
    )
    found = discover_apps(tmp_path)
    apps = {a.name: a for a in found.apps}
    assert list(apps) == ["ok", "typo", "wrong-type", "no-path"]
    assert apps["ok"].error == ""
    assert apps["typo"].error.startswith(
        ".gitops-tui.yaml:9: app typo: unknown key 'pth' (known: name, path,"
    )
    assert apps["wrong-type"].error == (
        ".gitops-tui.yaml:11: app wrong-type: type must be one of directory, kustomize, helm, not 'jsonnet'"
    )
    assert apps["no-path"].error == ".gitops-tui.yaml:14: app no-path: path is missing"
    assert found.errors == (
        ".gitops-tui.yaml: tracking must be one of annotation, label, annotation+label, not 'sideways'",
        ".gitops-tui.yaml:6: apps[1] has no name, skipped",
        ".gitops-tui.yaml:7: apps[2] has an invalid name 'Bad_Name' (lowercase letters, digits, - and .)"
        ", skipped",
        ".gitops-tui.yaml:15: apps[6] must be a mapping with at least name and path",
    )
    assert found.notes == (
        ".gitops-tui.yaml: unknown top-level key 'colour' ignored (known: apps, tracking, settings, repositories, clusters)",
    )


def test_repo_config_syntax_error(tmp_path: Path) -> None:
    write(tmp_path, ".gitops-tui.yaml", "apps:\n  - name: a\n    path: [\n")
    write(tmp_path, "apps/web.yaml", application("web", "web"))
    found = discover_apps(tmp_path)
    assert [a.name for a in found.apps] == ["web"]
    assert len(found.errors) == 1 and found.errors[0].startswith(".gitops-tui.yaml:4: ")


def test_sources_are_merged_config_first_and_duplicates_keep_both(tmp_path: Path) -> None:
    write(tmp_path, ".gitops-tui.yaml", "apps:\n  - name: web\n    path: web\n")
    write(tmp_path, "apps/web.yaml", application("web", "web"))
    write(tmp_path, "apps/z-other.yaml", application("other", "other"))
    write(tmp_path, "apps/zz-other.yaml", application("other", "other2"))
    apps = discover_apps(tmp_path).apps
    assert [(a.name, a.origin) for a in apps] == [
        ("web", AppOrigin.CONFIG),
        ("web", AppOrigin.ARGO),
        ("other", AppOrigin.ARGO),
        ("other", AppOrigin.ARGO),
    ]
    assert [a.error for a in apps] == [
        "",
        "apps/web.yaml: duplicate app name web: already defined in .gitops-tui.yaml",
        "",
        "apps/zz-other.yaml: duplicate app name other: already defined in apps/z-other.yaml",
    ]


def test_without_declarations_each_leaf_kustomization_is_an_app(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    write(tmp_path, "components/debug/kustomization.yaml", "kind: Component\n")
    write(
        tmp_path, "db/kustomization.yaml", "resources:\n  - sts.yaml\n  - https://github.com/x/y//z?ref=v1\n"
    )
    write(tmp_path, "charts/cache/Chart.yaml", "apiVersion: v2\nname: cache\n")
    write(tmp_path, "charts/cache/charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\n")
    write(tmp_path, "charts/cache/templates/x.yaml", "{{ broken\n")
    apps = discover_apps(tmp_path).apps
    assert [(a.name, a.path, a.source_type, a.origin) for a in apps] == [
        ("api-production", "api/overlays/production", SourceType.KUSTOMIZE, AppOrigin.AUTO),
        ("api-staging", "api/overlays/staging", SourceType.KUSTOMIZE, AppOrigin.AUTO),
        ("charts-cache", "charts/cache", SourceType.HELM, AppOrigin.AUTO),
        ("db", "db", SourceType.KUSTOMIZE, AppOrigin.AUTO),
    ]


def test_without_anything_the_whole_repo_is_one_app(tmp_path: Path) -> None:
    root = tmp_path / "My_Platform"
    write(root, "a/cm.yaml", configmap("a"))
    [app] = discover_apps(root).apps
    assert (app.name, app.path, app.source_type, app.origin, app.recurse) == (
        "my-platform",
        ".",
        SourceType.DIRECTORY,
        AppOrigin.AUTO,
        True,
    )


def _dump(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False)
