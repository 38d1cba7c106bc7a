"""Flux repositories end to end through the CLI against the sandbox: two clusters whose Kustomizations read
ExternalArtifacts an ArtifactGenerator builds; post-build substitution from Git with a Secret's value never
printed; a SOPS-encrypted Secret compared by key names and never written by a sync."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from repotools import commit_all, git, write

from gitops_tui.cli import main
from gitops_tui.sandbox.kubectl import Kubectl

URL = "https://github.com/acme/fleet"
KS = "kustomize.toolkit.fluxcd.io/v1"
FLUX_LABELS = {
    "kustomize.toolkit.fluxcd.io/name": "web",
    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
}


def ks(name: str, path: str, source: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": KS,
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "flux-system"},
        "spec": {"interval": "1h", "sourceRef": source, "path": path, "prune": True, **spec},
    }


def cm(name: str, namespace: str = "", **data: str) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def bootstrap(repo: Path, cluster: str) -> None:
    write(repo, f"clusters/{cluster}/flux-system/gotk-components.yaml", "# controllers\n")
    write(
        repo,
        f"clusters/{cluster}/flux-system/gotk-sync.yaml",
        [
            {
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "GitRepository",
                "metadata": {"name": "flux-system", "namespace": "flux-system"},
                "spec": {"interval": "1m", "url": URL, "ref": {"branch": "main"}},
            },
            ks("flux-system", f"./clusters/{cluster}", {"kind": "GitRepository", "name": "flux-system"}),
        ],
    )
    write(
        repo,
        f"clusters/{cluster}/flux-system/kustomization.yaml",
        "resources:\n  - gotk-components.yaml\n  - gotk-sync.yaml\n",
    )


def fleet(root: Path) -> Path:
    repo = root / "fleet"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "remote", "add", "origin", "git@github.com:acme/fleet.git")
    infra = {"kind": "ExternalArtifact", "name": "infrastructure"}
    for cluster in ("staging", "production"):
        bootstrap(repo, cluster)
        write(
            repo,
            f"clusters/{cluster}/infrastructure.yaml",
            [
                ks("infra-controllers", "./controllers", infra),
                ks("infra-configs", "./configs", infra, dependsOn=[{"name": "infra-controllers"}]),
            ],
        )
        write(
            repo,
            f"clusters/{cluster}/apps.yaml",
            [
                ks(
                    "apps",
                    f"./{cluster}",
                    {"kind": "ExternalArtifact", "name": "apps"},
                    dependsOn=[{"name": "infra-configs"}],
                ),
            ],
        )
        write(
            repo,
            f"clusters/{cluster}/artifacts.yaml",
            [
                {
                    "apiVersion": "source.extensions.fluxcd.io/v1beta1",
                    "kind": "ArtifactGenerator",
                    "metadata": {"name": "flux-system", "namespace": "flux-system"},
                    "spec": {
                        "sources": [{"alias": "monorepo", "kind": "GitRepository", "name": "flux-system"}],
                        "artifacts": [
                            {
                                "name": "infrastructure",
                                "copy": [{"from": "@monorepo/infrastructure/**", "to": "@artifact/"}],
                            },
                            {
                                "name": "apps",
                                "copy": [
                                    {"from": "@monorepo/apps/base/**", "to": "@artifact/base/"},
                                    {"from": f"@monorepo/apps/{cluster}/**", "to": f"@artifact/{cluster}/"},
                                ],
                            },
                        ],
                    },
                }
            ],
        )
        write(
            repo,
            f"apps/{cluster}/kustomization.yaml",
            f"resources:\n  - ../base/podinfo\nnamePrefix: {cluster}-\n",
        )
    write(
        repo,
        "infrastructure/controllers/ns.yaml",
        [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "infra"}}],
    )
    write(repo, "infrastructure/configs/issuer.yaml", [cm("issuer", "infra", server="https://acme.example")])
    write(repo, "apps/base/podinfo/kustomization.yaml", "namespace: infra\nresources:\n  - values.yaml\n")
    write(repo, "apps/base/podinfo/values.yaml", [cm("podinfo", replicas="1")])
    commit_all(repo, "fleet")
    return repo


def status_by_id(
    capsys: pytest.CaptureFixture[str], repo: Path, kubeconfig: Path
) -> dict[str, dict[str, Any]]:
    capsys.readouterr()
    code = main(["status", "--json", "--repo", str(repo), "--kubeconfig", str(kubeconfig)])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return {a["id"]: a for a in json.loads(out)["apps"]}


def test_two_clusters_each_render_their_artifacts(tmp_path: Path, sandbox, capsys) -> None:
    _, kubeconfig = sandbox
    apps = status_by_id(capsys, fleet(tmp_path), kubeconfig)
    for cluster in ("staging", "production"):
        ids = {
            f"{cluster}/flux-system/{n}"
            for n in ("flux-system", "infra-controllers", "infra-configs", "apps")
        }
        assert ids <= set(apps)
        assert {i: apps[i]["error"] for i in ids} == dict.fromkeys(ids, "")
        resources = {
            (r["kind"], r["namespace"], r["name"]) for r in apps[f"{cluster}/flux-system/apps"]["resources"]
        }
        assert resources == {("ConfigMap", "infra", f"{cluster}-podinfo")}
        configs = apps[f"{cluster}/flux-system/infra-configs"]["resources"]
        assert [(r["name"], r["sync"]) for r in configs] == [("issuer", "Missing")]


def web_repo(root: Path) -> Path:
    repo = root / "web"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    bootstrap(repo, "dev")
    write(
        repo,
        "clusters/dev/vars.yaml",
        [
            cm("cluster-vars", "flux-system", cluster_env="dev"),
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "db", "namespace": "flux-system"},
                "stringData": {"db_password": "hunter2"},
            },
        ],
    )
    write(
        repo,
        "clusters/dev/web.yaml",
        [
            ks(
                "web",
                "./web",
                {"kind": "GitRepository", "name": "flux-system"},
                targetNamespace="web",
                decryption={"provider": "sops", "secretRef": {"name": "sops-age"}},
                postBuild={
                    "substituteFrom": [
                        {"kind": "ConfigMap", "name": "cluster-vars"},
                        {"kind": "Secret", "name": "db"},
                    ]
                },
            )
        ],
    )
    write(
        repo,
        "web/config.yaml",
        [cm("web-config", env="${cluster_env}", dsn="postgres://app:${db_password}@db")],
    )
    write(
        repo,
        "web/token.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "api-token"},
                "stringData": {"token": "ENC[AES256_GCM,data:Zm9v,iv:aXY=,tag:dGFn,type:str]"},
                "sops": {
                    "mac": "ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]",
                    "lastmodified": "2024-05-01T10:00:00Z",
                    "age": [{"recipient": "age1example", "enc": "..."}],
                    "version": "3.8.1",
                },
            }
        ],
    )
    commit_all(repo, "web")
    return repo


def test_substitution_from_git_and_a_sops_secret_against_the_cluster(tmp_path: Path, sandbox, capsys) -> None:
    server, kubeconfig = sandbox
    repo = web_repo(tmp_path)
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    try:
        kubectl.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web"}})
        kubectl.create(
            {
                **cm("web-config", "web", env="dev", dsn="postgres://app:hunter2@db"),
                "metadata": {"name": "web-config", "namespace": "web", "labels": FLUX_LABELS},
            }
        )
        token = base64.b64encode(b"the-real-token").decode()
        kubectl.create(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {"name": "api-token", "namespace": "web", "labels": FLUX_LABELS},
                "data": {"token": token},
            }
        )
    finally:
        kubectl.close()
    capsys.readouterr()
    code = main(["status", "--json", "--repo", str(repo), "--kubeconfig", str(kubeconfig)])
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err
    web = {a["id"]: a for a in json.loads(out)["apps"]}["dev/flux-system/web"]
    assert web["error"] == ""
    by = {(r["kind"], r["name"]): r for r in web["resources"]}
    assert (
        by[("ConfigMap", "web-config")]["sync"] == "Synced"
    )  # substituted as Flux would, Secret value and all
    assert by[("Secret", "api-token")]["sync"] == "Synced"  # same key names: ciphertext is not compared
    assert by[("Secret", "api-token")]["note"].startswith("encrypted in Git (SOPS)")

    # A key the live Secret lacks is drift, and a sync still never writes the Secret.
    token_file = repo / "web/token.yaml"
    token_file.write_text(
        token_file.read_text().replace(
            "  token: ENC", "  extra: ENC[AES256_GCM,data:eA==,iv:aQ==,tag:dA==,type:str]\n  token: ENC"
        )
    )
    commit_all(repo, "web: another key")
    before = len(server.requests.records)
    capsys.readouterr()
    code = main(
        ["sync", "dev/flux-system/web", "--yes", "--repo", str(repo), "--kubeconfig", str(kubeconfig)]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "encrypted in Git (SOPS): not applied" in out
    assert "hunter2" not in out + err
    writes = [
        (r.method, r.path)
        for r in server.requests.records[before:]
        if r.method in ("POST", "PUT", "PATCH", "DELETE") and not r.dry_run
    ]
    assert not any("/secrets" in path for _, path in writes), writes


def test_several_apps_sync_in_depends_on_order_each_healthy_before_the_next(
    tmp_path: Path, sandbox, capsys
) -> None:
    server, kubeconfig = sandbox
    repo = fleet(tmp_path)
    apps = status_by_id(capsys, repo, kubeconfig)
    assert apps["staging/flux-system/apps"]["dependsOn"] == ["staging/flux-system/infra-configs"]
    assert apps["staging/flux-system/infra-configs"]["dependsOn"] == ["staging/flux-system/infra-controllers"]
    assert apps["staging/flux-system/apps"]["suspended"] is False
    given = [
        "staging/flux-system/apps",
        "staging/flux-system/infra-configs",
        "staging/flux-system/infra-controllers",
    ]
    before = len(server.requests.records)
    code = main(["sync", *given, "--yes", "--repo", str(repo), "--kubeconfig", str(kubeconfig)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "order: " + " -> ".join(reversed(given)) in out
    created = [
        r.path.split("?")[0].rsplit("/", 1)[-1]  # server-side apply: PATCH .../<name>
        for r in server.requests.records[before:]
        if r.method in ("POST", "PATCH", "PUT") and not r.dry_run
    ]
    # the Namespace (infra-controllers), then the issuer (infra-configs), then the app's ConfigMap
    assert [n for n in created if n in ("infra", "issuer", "staging-podinfo")] == [
        "infra",
        "issuer",
        "staging-podinfo",
    ]


def test_only_the_dependency_given_is_waited_for_and_the_rest_is_said(
    tmp_path: Path, sandbox, capsys
) -> None:
    _, kubeconfig = sandbox
    repo = fleet(tmp_path)
    code = main(
        ["sync", "staging/flux-system/apps", "staging/flux-system/infra-configs", "--dry-run"]
        + ["--repo", str(repo), "--kubeconfig", str(kubeconfig)]
    )
    out, err = capsys.readouterr()
    assert code == 2  # the dry run of infra-configs fails: its Namespace comes with infra-controllers
    assert "order: staging/flux-system/infra-configs -> staging/flux-system/apps" in out
    assert (
        "staging/flux-system/infra-configs depends on staging/flux-system/infra-controllers, not in this sync"
        in out
    )
    assert 'namespaces "infra" not found' in err
    assert "sync staging/flux-system/apps:" not in out  # the first failure stops the ones after it


def test_substitution_from_objects_only_the_cluster_holds(tmp_path: Path, sandbox, capsys) -> None:
    _, kubeconfig = sandbox
    repo = web_repo(tmp_path)
    (repo / "clusters/dev/vars.yaml").unlink()  # made by hand on the cluster, as is common for Secrets
    commit_all(repo, "vars live on the cluster")
    capsys.readouterr()
    code = main(["status", "--json", "--repo", str(repo), "--kubeconfig", str(kubeconfig)])
    out, err = capsys.readouterr()
    assert code == 2  # not on the cluster yet either: that app's error
    apps = {a["id"]: a for a in json.loads(out)["apps"]}
    assert "not found in Git nor in namespace flux-system" in apps["dev/flux-system/web"]["error"]
    assert apps["dev/flux-system/flux-system"]["error"] == ""  # every other app still shows
    kubectl = Kubectl(str(kubeconfig), "sandbox")
    try:
        for ns in ("web", "flux-system"):
            kubectl.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        kubectl.create(cm("cluster-vars", "flux-system", cluster_env="dev"))
        kubectl.create(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "db", "namespace": "flux-system"},
                "data": {"db_password": base64.b64encode(b"from-the-cluster-NEVER-SHOW").decode()},
            }
        )
    finally:
        kubectl.close()
    capsys.readouterr()
    code = main(["diff", "web", "--repo", str(repo), "--kubeconfig", str(kubeconfig)])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "NEVER-SHOW" not in out + err  # substituted from a Secret: masked
    apps = status_by_id(capsys, repo, kubeconfig)
    web = apps["dev/flux-system/web"]
    assert web["error"] == ""
    assert ("ConfigMap", "web", "web-config") in {
        (r["kind"], r["namespace"], r["name"]) for r in web["resources"]
    }
