from __future__ import annotations

import json
import os
import shutil
import stat
import time
from dataclasses import replace
from pathlib import Path

import pytest

from gitops_tui.model import AppOrigin, AppSpec, ResourceKey, SourceType
from gitops_tui.source.discover import discover_apps
from gitops_tui.source.render import clear_render_cache, render_app, render_apps
from gitops_tui.source.render_kustomize import parse_image
from gitops_tui.source.repo import GitRepo
from gitops_tui.source.walk import glob_matches

from .repos import application, commit, configmap, deployment, init, kustomize_tree, service, write

needs_kustomize = pytest.mark.skipif(
    not (shutil.which("kustomize") or shutil.which("kubectl")), reason="needs kustomize or kubectl"
)


def directory_app(path: str = "web", **kw: object) -> AppSpec:
    return AppSpec(name="web", path=path, source_type=SourceType.DIRECTORY, **kw)  # type: ignore[arg-type]


def keys(objects: tuple) -> list[str]:
    return [ResourceKey.of(o).display() for o in objects]


# -- directory ---------------------------------------------------------------------------------------
def test_directory_reads_yaml_yml_json_recursively_with_origins(tmp_path: Path) -> None:
    write(tmp_path, "web/a.yaml", [deployment("web"), service("web")])
    write(tmp_path, "web/sub/b.yml", configmap("b"))
    write(
        tmp_path,
        "web/sub/deeper/c.json",
        '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}',
    )
    write(tmp_path, "web/README.md", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: readme}\n")
    write(tmp_path, "web/.hidden.yaml", configmap("hidden"))
    r = render_app(tmp_path, directory_app())
    assert r.error == "" and r.notes == ()
    assert keys(r.objects) == ["Deployment.apps/web", "Service/web", "ConfigMap/b", "ConfigMap/c"]
    assert r.origins == (
        ("web/a.yaml", 0),
        ("web/a.yaml", 1),
        ("web/sub/b.yml", 0),
        ("web/sub/deeper/c.json", 0),
    )
    assert [o["metadata"]["name"] for o in render_app(tmp_path, directory_app(recurse=False)).objects] == [
        "web",
        "web",
    ]


def test_directory_skips_build_files_and_notes_non_kubernetes_documents(tmp_path: Path) -> None:
    write(tmp_path, "web/cm.yaml", ["# just a comment", None, configmap("a"), {"foo": "bar"}, {"kind": "X"}])
    write(tmp_path, "web/kustomization.yaml", "resources: [cm.yaml]\n")
    write(tmp_path, "web/Chart.yaml", "apiVersion: v2\nname: web\n")
    write(tmp_path, "web/values.yaml", "replicas: 2\n")
    write(tmp_path, "web/settings.yaml", "log_level: debug\n")
    r = render_app(tmp_path, directory_app())
    assert r.error == ""
    assert keys(r.objects) == ["ConfigMap/a"]
    assert r.notes == (
        "web/cm.yaml: skipped document at line 1, 10, 12 (not Kubernetes objects: no apiVersion/kind/name)",
        "web/settings.yaml: skipped document at line 1 (not a Kubernetes object: no apiVersion/kind/name)",
    )


def test_directory_keeps_generate_name_hooks_and_never_calls_them_duplicates(tmp_path: Path) -> None:
    def hook(phase: str) -> dict:
        meta = {"generateName": "upgrade-sql-schema-", "annotations": {"argocd.argoproj.io/hook": phase}}
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta}

    write(tmp_path, "web/hooks.yaml", [hook("PreSync"), hook("PostSync"), configmap("a")])
    r = render_app(tmp_path, directory_app())
    assert r.error == "" and r.notes == ()
    assert [o["metadata"].get("generateName", o["metadata"].get("name")) for o in r.objects] == [
        "upgrade-sql-schema-",
        "upgrade-sql-schema-",
        "a",
    ]


def test_directory_include_and_exclude_globs(tmp_path: Path) -> None:
    for rel in ("web/a.yaml", "web/b.yaml", "web/test/c.yaml", "web/prod/d.yaml"):
        write(tmp_path, rel, configmap(Path(rel).stem))
    write(tmp_path, "web/e.json", json.dumps(configmap("e")))
    names = lambda app: [o["metadata"]["name"] for o in render_app(tmp_path, app).objects]  # noqa: E731
    assert names(directory_app(include="*.yaml")) == ["a", "b", "d", "c"]
    assert names(directory_app(exclude="test/*")) == ["a", "b", "e", "d"]
    assert names(directory_app(include="{a.yaml,prod/*}")) == ["a", "d"]
    assert names(directory_app(include="*.yaml", exclude="{test/*,b.yaml}")) == ["a", "d"]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("*.yaml", "a.yaml", True),
        ("*.yaml", "sub/a.yaml", True),  # gobwas without separators: * crosses /
        ("*.yaml", "a.json", False),
        ("{a,b}.yaml", "b.yaml", True),
        ("{a,b}.yaml", "c.yaml", False),
        ("[ab].yaml", "a.yaml", True),
        ("[!ab].yaml", "a.yaml", False),
        ("?.yaml", "ab.yaml", False),
        ("a.yaml", "xa.yaml", False),
        ("v1.2/*", "v1x2/x", False),
    ],
)
def test_glob_matches_like_argo(pattern: str, path: str, expected: bool) -> None:
    assert glob_matches(pattern, path) is expected


def test_list_documents_are_expanded(tmp_path: Path) -> None:
    write(
        tmp_path,
        "web/list.yaml",
        {"apiVersion": "v1", "kind": "List", "items": [configmap("a"), configmap("b")]},
    )
    r = render_app(tmp_path, directory_app())
    assert keys(r.objects) == ["ConfigMap/a", "ConfigMap/b"]
    assert r.origins == (("web/list.yaml", 0), ("web/list.yaml", 0))


def test_destination_namespace_fills_gaps_on_known_namespaced_kinds_only(tmp_path: Path) -> None:
    crd_instance = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "tls"}}
    write(
        tmp_path,
        "web/all.yaml",
        [
            deployment("web"),
            {**configmap("pinned"), "metadata": {"name": "pinned", "namespace": "elsewhere"}},
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}},
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}},
            crd_instance,
        ],
    )
    original = (tmp_path / "web/all.yaml").read_text()
    r = render_app(tmp_path, directory_app(namespace="web"))
    assert keys(r.objects) == [
        "Deployment.apps/web/web",
        "ConfigMap/elsewhere/pinned",
        "Namespace/web",
        "ClusterRole.rbac.authorization.k8s.io/r",
        "Certificate.cert-manager.io/tls",
    ]
    assert r.notes == (
        "namespace web not set on kinds of unknown scope (Certificate.cert-manager.io): "
        "left to the cluster's API discovery",
    )
    assert (tmp_path / "web/all.yaml").read_text() == original


def test_flux_target_namespace_overrides(tmp_path: Path) -> None:
    crd_instance = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "tls"}}
    pinned = {**configmap("pinned"), "metadata": {"name": "pinned", "namespace": "elsewhere"}}
    write(
        tmp_path,
        "mon/all.yaml",
        [pinned, crd_instance, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "m"}}],
    )
    app = AppSpec(name="mon", path="mon", origin=AppOrigin.FLUX, namespace="monitoring")
    r = render_app(tmp_path, app)
    assert keys(r.objects) == [
        "ConfigMap/monitoring/pinned",
        "Certificate.cert-manager.io/monitoring/tls",
        "Namespace/m",
    ]
    assert r.notes == ()


def test_duplicate_objects_are_an_error_naming_both_files(tmp_path: Path) -> None:
    write(tmp_path, "web/a.yaml", configmap("same"))
    write(tmp_path, "web/b.yaml", [configmap("other"), configmap("same")])
    r = render_app(tmp_path, directory_app(namespace="web"))
    assert r.error == "duplicate ConfigMap/web/same in web/a.yaml and web/b.yaml"
    assert r.objects == ()
    write(tmp_path, "web/a.yaml", [configmap("twice"), configmap("twice")])
    assert (
        render_app(tmp_path, directory_app()).error
        == "duplicate ConfigMap/twice in web/a.yaml (documents 1 and 2)"
    )


def test_malformed_yaml_fails_only_its_app_with_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "web/ok.yaml", configmap("ok"))
    write(tmp_path, "web/bad.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: a: b\n")
    write(tmp_path, "web/worse.yaml", "a: [\n")
    write(tmp_path, "api/cm.yaml", configmap("api"))
    web, api = render_apps(tmp_path, [directory_app(), directory_app("api")])
    assert web.error == (
        "web/bad.yaml:5: mapping values are not allowed in this context; "
        "web/worse.yaml:2: did not find expected node content"
    )
    assert web.objects == ()
    assert api.error == "" and keys(api.objects) == ["ConfigMap/api"]


def test_path_problems(tmp_path: Path) -> None:
    write(tmp_path, "file.yaml", configmap("f"))
    assert render_app(tmp_path, directory_app("apps/foo")).error == "path apps/foo does not exist"
    assert (
        render_app(tmp_path, directory_app("../elsewhere")).error
        == "path ../elsewhere is outside the repository"
    )
    assert render_app(tmp_path, directory_app("/etc")).error == "path /etc is outside the repository"
    assert render_app(tmp_path, directory_app("file.yaml")).error == "path file.yaml is not a directory"
    (tmp_path / "escape").symlink_to(tmp_path.parent)
    assert render_app(tmp_path, directory_app("escape")).error == "path escape is outside the repository"
    assert render_app(tmp_path, directory_app(".")).error == ""


def test_symlinked_file_outside_the_repo_is_skipped(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(tmp_path, "secret.yaml", configmap("outside"))
    write(repo, "web/cm.yaml", configmap("inside"))
    (repo / "web/link.yaml").symlink_to(tmp_path / "secret.yaml")
    r = render_app(repo, directory_app())
    assert keys(r.objects) == ["ConfigMap/inside"]
    assert r.notes == ("web/link.yaml: symlink to outside the repository, skipped",)


def test_discovery_errors_are_render_errors(tmp_path: Path) -> None:
    write(tmp_path, "web/cm.yaml", configmap("a"))
    r = render_app(tmp_path, replace(directory_app(), error="apps/x.yaml: duplicate app name web"))
    assert (r.error, r.objects) == ("apps/x.yaml: duplicate app name web", ())


# -- kustomize ---------------------------------------------------------------------------------------
@needs_kustomize
def test_kustomize_base_and_two_overlays(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    staging, production = render_apps(
        tmp_path,
        [
            AppSpec(name="s", path="api/overlays/staging", source_type=SourceType.KUSTOMIZE),
            AppSpec(
                name="p", path="api/overlays/production", source_type=SourceType.KUSTOMIZE, namespace="x"
            ),
        ],
    )
    assert staging.error == "" and production.error == ""
    assert keys(staging.objects) == ["Service/staging/api", "Deployment.apps/staging/api"]
    assert keys(production.objects) == ["Service/production/api", "Deployment.apps/production/api"]
    assert [o["spec"].get("replicas") for o in staging.objects] == [None, 1]
    assert [o["spec"].get("replicas") for o in production.objects] == [None, 3]
    assert staging.origins == (("api/overlays/staging", 0), ("api/overlays/staging", 1))


@needs_kustomize
def test_kustomize_image_and_name_overrides_leave_the_repo_untouched(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    before = sorted(p.as_posix() for p in tmp_path.rglob("*"))
    app = AppSpec(
        name="s",
        path="api/overlays/staging",
        source_type=SourceType.KUSTOMIZE,
        kustomize_images=("registry.example.com/api=mirror.example.com/api:2.0.0",),
        kustomize_name_prefix="blue-",
        kustomize_name_suffix="-v2",
    )
    r = render_app(tmp_path, app)
    assert r.error == ""
    assert keys(r.objects) == ["Service/staging/blue-api-v2", "Deployment.apps/staging/blue-api-v2"]
    assert (
        r.objects[1]["spec"]["template"]["spec"]["containers"][0]["image"] == "mirror.example.com/api:2.0.0"
    )
    assert sorted(p.as_posix() for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize(
    ("spec", "entry"),
    [
        ("nginx:1.25", {"name": "nginx", "newTag": "1.25"}),
        ("registry:5000/team/nginx:1.25", {"name": "registry:5000/team/nginx", "newTag": "1.25"}),
        ("registry:5000/team/nginx", {"name": "registry:5000/team/nginx"}),
        ("nginx=mirror/nginx:1.25", {"name": "nginx", "newName": "mirror/nginx", "newTag": "1.25"}),
        ("nginx=nginx:1.26", {"name": "nginx", "newTag": "1.26"}),
        ("nginx@sha256:abc", {"name": "nginx", "digest": "sha256:abc"}),
        (
            "nginx=mirror/nginx@sha256:abc",
            {"name": "nginx", "newName": "mirror/nginx", "digest": "sha256:abc"},
        ),
    ],
)
def test_image_overrides_in_kustomize_edit_syntax(spec: str, entry: dict) -> None:
    assert parse_image(spec) == entry


@needs_kustomize
def test_failed_kustomize_build_is_a_one_line_error(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    write(
        tmp_path, "api/overlays/staging/kustomization.yaml", "resources:\n  - ../../base\n  - missing.yaml\n"
    )
    write(tmp_path, "web/cm.yaml", configmap("web"))
    broken, web = render_apps(
        tmp_path,
        [AppSpec(name="s", path="api/overlays/staging", source_type=SourceType.KUSTOMIZE), directory_app()],
    )
    assert broken.error.startswith("kustomize build api/overlays/staging: ")
    assert "missing.yaml" in broken.error and "\n" not in broken.error
    assert str(tmp_path) not in broken.error  # paths are shown relative to the repo
    assert broken.objects == ()
    assert web.error == ""


def test_kustomize_timeout_and_missing_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kustomize_tree(tmp_path)
    bin_dir = tmp_path / "bin"
    _script(bin_dir / "kustomize", f"#!/bin/sh\nexec {shutil.which('sleep')} 5\n")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr("gitops_tui.source.tools.TIMEOUT_SECONDS", 0.2)
    app = AppSpec(name="s", path="api/overlays/staging", source_type=SourceType.KUSTOMIZE)
    started = time.monotonic()
    assert render_app(tmp_path, app).error == "kustomize build api/overlays/staging: timed out after 0.2 s"
    assert time.monotonic() - started < 4
    (bin_dir / "kustomize").unlink()
    assert render_app(tmp_path, app).error == (
        "neither kustomize nor kubectl found on PATH (needed to render api/overlays/staging)"
    )


# -- helm --------------------------------------------------------------------------------------------
FAKE_HELM = """#!/bin/sh
# Prints what a chart would render, echoing its arguments and working directory into a ConfigMap.
if [ "$1" != template ]; then echo "unexpected $1" >&2; exit 2; fi
cat <<EOF
---
# Source: redis/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: $2-args
data:
  args: "$*"
  cwd: "$(pwd)"
---
# Source: redis/templates/svc.yaml
apiVersion: v1
kind: Service
metadata:
  name: $2
  namespace: explicit
EOF
"""


def _script(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _helm_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    write(repo, "charts/redis/Chart.yaml", "apiVersion: v2\nname: redis\nversion: 1.0.0\n")
    write(repo, "charts/redis/values.yaml", "replicas: 1\n")
    write(repo, "charts/redis/values-prod.yaml", "replicas: 3\n")
    write(
        repo,
        "charts/redis/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
        "data:\n  replicas: {{ .Values.replicas | quote }}\n",
    )
    return repo


def test_helm_template_with_fake_helm_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _helm_repo(tmp_path)
    _script(tmp_path / "bin/helm", FAKE_HELM)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    app = AppSpec(
        name="cache",
        path="charts/redis",
        source_type=SourceType.HELM,
        namespace="cache",
        helm_values_files=("values-prod.yaml",),
    )
    r = render_app(repo, app)
    assert r.error == ""
    assert keys(r.objects) == ["ConfigMap/cache/cache-args", "Service/explicit/cache"]
    args = r.objects[0]["data"]["args"]
    chart = repo.absolute() / "charts/redis"
    # The Kubernetes version is always given, so that the binary and the embedded engine agree.
    assert args == (
        f"template cache {chart} --namespace cache --kube-version v1.33.0 "
        f"--values {chart / 'values-prod.yaml'} --include-crds"
    )
    assert Path(r.objects[0]["data"]["cwd"]).resolve() == chart.resolve()
    assert r.origins == (("charts/redis", 0), ("charts/redis", 1))
    released = render_app(repo, replace(app, helm_release_name="redis-main", helm_values_files=()))
    assert released.objects[0]["data"]["args"] == (
        f"template redis-main {chart} --namespace cache --kube-version v1.33.0 --include-crds"
    )


def test_helm_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = _helm_repo(tmp_path)
    app = AppSpec(name="cache", path="charts/redis", source_type=SourceType.HELM)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    # No helm on PATH: the embedded engine renders it.
    embedded = render_app(repo, app)
    assert embedded.error == "" and embedded.objects[0]["data"] == {"replicas": "1"}
    _script(
        tmp_path / "bin/helm",
        "#!/bin/sh\necho 'Error: found in Chart.yaml, but missing in charts/ directory: common' >&2\n"
        "exit 1\n",
    )
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    assert render_app(repo, app).error == (
        "helm template charts/redis: found in Chart.yaml, but missing in charts/ directory: common"
    )
    missing = render_app(repo, replace(app, helm_values_files=("values-nope.yaml",)))
    assert missing.error == "charts/redis: value file values-nope.yaml does not exist"
    outside = render_app(repo, replace(app, helm_values_files=("../../../etc/passwd",)))
    assert outside.error == "charts/redis: value file ../../../etc/passwd is outside the repository"


# -- whole repositories ------------------------------------------------------------------------------
@needs_kustomize
def test_discovered_apps_render_from_a_past_revision(tmp_path: Path) -> None:
    repo = init(tmp_path / "platform")
    kustomize_tree(repo)
    write(repo, "apps/api-staging.yaml", application("api-staging", "api/overlays/staging", "staging"))
    write(repo, "apps/web.yaml", application("web", "web", "web"))
    write(repo, "web/deploy.yaml", deployment("web", "registry.example.com/web:1.0.0"))
    commit(repo, "initial")
    write(repo, "web/deploy.yaml", deployment("web", "registry.example.com/web:2.0.0"))
    write(repo, "api/base/deployment.yaml", deployment("api", "registry.example.com/api:2.0.0", 2))
    commit(repo, "bump web and api to 2.0.0")
    write(repo, "web/deploy.yaml", "not: [valid\n")  # uncommitted breakage: only the working tree sees it
    git_repo = GitRepo(repo)

    def images(tree: Path) -> dict[str, str]:
        found = discover_apps(tree)
        out = {}
        for r in render_apps(tree, found.apps):
            deploy = next((o for o in r.objects if o["kind"] == "Deployment"), None)
            out[r.app.name] = r.error or deploy["spec"]["template"]["spec"]["containers"][0]["image"]
        return out

    with git_repo.worktree_or_revision("HEAD~1") as tree:
        assert images(tree) == {
            "api-staging": "registry.example.com/api:1.0.0",
            "web": "registry.example.com/web:1.0.0",
        }
    with git_repo.worktree_or_revision("HEAD") as tree:
        assert images(tree) == {
            "api-staging": "registry.example.com/api:2.0.0",
            "web": "registry.example.com/web:2.0.0",
        }
    with git_repo.worktree_or_revision(None) as tree:
        assert images(tree) == {
            "api-staging": "registry.example.com/api:2.0.0",
            "web": "web/deploy.yaml:2: did not find expected ',' or ']'",
        }


def test_render_apps_keeps_order_with_many_workers(tmp_path: Path) -> None:
    apps = []
    for i in range(20):
        write(tmp_path, f"app{i}/cm.yaml", configmap(f"cm{i}"))
        apps.append(AppSpec(name=f"app{i}", path=f"app{i}"))
    apps.append(AppSpec(name="missing", path="nowhere"))
    rendered = render_apps(tmp_path, apps, max_workers=8)
    assert [r.app.name for r in rendered] == [a.name for a in apps]
    assert [r.objects[0]["metadata"]["name"] for r in rendered[:-1]] == [f"cm{i}" for i in range(20)]
    assert rendered[-1].error == "path nowhere does not exist"
    assert render_apps(tmp_path, []) == []


def test_kustomize_output_is_reused_until_an_input_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    kustomize_tree(repo)
    calls = tmp_path / "calls"
    # A fake kustomize that counts its runs and prints one ConfigMap.
    _script(
        tmp_path / "bin/kustomize",
        f"#!/bin/sh\necho run >> {calls}\n"
        "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: built\\n'\n",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    app = AppSpec(name="cached", path="api/overlays/staging", source_type=SourceType.KUSTOMIZE, namespace="n")
    runs = lambda: len(calls.read_text().splitlines()) if calls.exists() else 0  # noqa: E731

    first = render_app(repo, app)
    assert keys(first.objects) == ["ConfigMap/n/built"] and runs() == 1
    first.objects[0]["metadata"]["name"] = "mutated by a caller"
    second = render_app(repo, app)
    assert keys(second.objects) == ["ConfigMap/n/built"] and runs() == 1
    write(repo, "api/base/service.yaml", service("api-v2"))  # the base changed: build again
    render_app(repo, app)
    assert runs() == 2
    render_app(repo, replace(app, kustomize_name_prefix="x-"))  # another spec: build again
    assert runs() == 3
    write(
        repo,
        "api/overlays/staging/kustomization.yaml",
        "resources:\n  - ../../base\n  - github.com/x/y?ref=v1\n",
    )
    render_app(repo, app)
    render_app(repo, app)  # a remote base cannot be fingerprinted: never cached
    assert runs() == 5


def test_kustomize_output_on_disk_serves_the_next_process_until_an_input_or_the_tool_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`gitops-tui status` twice: the second process reads the build from the cache directory. A changed
    input, a tool upgraded in place, or an entry that cannot be read all mean building again; a Secret is
    never written; a tool that is a script (a version manager's shim) is cached in memory only."""
    repo = tmp_path / "repo"
    kustomize_tree(repo)
    calls = tmp_path / "calls"
    # The "binary": a copy of sh, so that it is not a script; run as `kustomize build DIR` it runs the
    # repo's ./build with DIR, which counts its runs and prints what `output` holds.
    tool = tmp_path / "bin/kustomize"
    tool.parent.mkdir(parents=True)
    shutil.copy("/bin/sh", tool)
    output = tmp_path / "output.yaml"
    output.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: built\ndata: {a: "1"}\n')
    (repo / "build").write_text(f"echo run >> {calls}\ncat {output}\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    app = AppSpec(name="cached", path="api/overlays/staging", source_type=SourceType.KUSTOMIZE, namespace="n")
    runs = lambda: len(calls.read_text().splitlines()) if calls.exists() else 0  # noqa: E731
    cache = tmp_path / "cache"

    first = render_app(repo, app, cache)
    assert runs() == 1 and len(list(cache.glob("*.json"))) == 1
    clear_render_cache()  # a new process
    second = render_app(repo, app, cache)
    assert runs() == 1
    assert (second.objects, second.origins) == (first.objects, first.origins)

    clear_render_cache()
    write(repo, "api/base/service.yaml", service("api-v2"))
    render_app(repo, app, cache)
    assert runs() == 2

    clear_render_cache()
    with tool.open("ab") as fh:  # upgraded in place: same path, another binary
        fh.write(b"\0")
    render_app(repo, app, cache)
    assert runs() == 3

    clear_render_cache()
    for entry in cache.glob("*.json"):
        entry.write_text("{not json")
    assert keys(render_app(repo, app, cache).objects) == ["ConfigMap/n/built"] and runs() == 4

    output.write_text("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData: {password: canary}\n")
    for entry in cache.glob("*.json"):
        entry.unlink()
    clear_render_cache()
    write(repo, "api/base/service.yaml", service("api-v3"))
    assert keys(render_app(repo, app, cache).objects) == ["Secret/n/s"]
    assert not list(cache.glob("*.json"))  # a Secret's values are never written to the cache

    output.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: built\ndata: {a: "1"}\n')
    tool.unlink()
    _script(tool, f"#!/bin/sh\nexec sh {repo / 'build'}\n")  # a shim: the version it runs is unknown
    clear_render_cache()
    render_app(repo, app, cache)
    assert not list(cache.glob("*.json"))


@needs_kustomize
def test_flux_builds_without_load_restrictions_and_sets_the_target_namespace(tmp_path: Path) -> None:
    kustomize_tree(tmp_path)
    write(
        tmp_path,
        "shared/replicas.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 7\n",
    )
    write(
        tmp_path,
        "api/overlays/staging/kustomization.yaml",
        "namespace: staging\nresources:\n  - ../../base\npatches:\n  - path: ../../../shared/replicas.yaml\n",
    )
    argo = AppSpec(
        name="s", path="api/overlays/staging", source_type=SourceType.KUSTOMIZE, origin=AppOrigin.ARGO
    )
    flux = replace(argo, origin=AppOrigin.FLUX, namespace="apps")
    # Plain kustomize refuses a patch outside the kustomization root; Flux's kustomize-controller does not.
    refused = render_app(tmp_path, argo).error
    assert refused.startswith(
        "kustomize build api/overlays/staging: trouble configuring builtin PatchTransformer"
    )
    assert refused.endswith("security; file 'shared/replicas.yaml' is not in or below 'api/overlays/staging'")
    r = render_app(tmp_path, flux)
    assert r.error == ""
    assert keys(r.objects) == ["Service/apps/api", "Deployment.apps/apps/api"]
    assert r.objects[1]["spec"]["replicas"] == 7


def test_a_chart_with_a_symlinked_subchart_is_never_cached(tmp_path: Path) -> None:
    """Helm follows a subchart linked into charts/; a walk does not, so its files would go unhashed and
    a changed subchart would be served stale from the cache (found in review). Such a chart is rendered
    every time."""
    from gitops_tui.source.rendercache import fingerprint

    (tmp_path / "common").mkdir()
    (tmp_path / "common/values.yaml").write_text("level: 1\n")
    chart = tmp_path / "charts/app"
    (chart / "charts").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("name: app\nversion: 1.0.0\n")
    app = AppSpec(name="app", path="charts/app", source_type=SourceType.HELM)
    assert fingerprint(tmp_path, app) is not None
    (chart / "charts/common").symlink_to(tmp_path / "common")
    assert fingerprint(tmp_path, app) is None
