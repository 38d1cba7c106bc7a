"""A Flux Kustomization rendered as kustomize-controller builds it: the kustomization it writes (found or
generated, with the Kustomization's options), post-build substitution, commonMetadata, SOPS files."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from gitops_tui.model import AppSpec, GitopsError, RenderedApp
from gitops_tui.source.flux import parse_kustomization
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.fluxvalues import FluxValuesLookup
from gitops_tui.source.render import render_app

from .repos import configmap, deployment, write

SOURCE = {"kind": "GitRepository", "name": "flux-system"}


def flux_app(repo: Path, sources: FluxSources | None = None, **spec: Any) -> AppSpec:
    doc = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "web", "namespace": "flux-system"},
        "spec": {"interval": "5m", "sourceRef": SOURCE, **spec},
    }
    parsed = parse_kustomization(doc, "clusters/web.yaml:1", repo, sources)
    assert parsed.app is not None
    return parsed.app


def render(repo: Path, app: AppSpec, lookup: FluxValuesLookup | None = None) -> RenderedApp:
    return render_app(repo, app, lookup=lookup)


def by_name(result: RenderedApp) -> dict[str, dict[str, Any]]:
    assert result.error == "", result.error
    return {f"{o['kind']}/{o['metadata']['name']}": o for o in result.objects}


# -- the generated kustomization --------------------------------------------------------------------


def test_without_kustomization_every_manifest_below_and_kustomization_dirs_whole(tmp_path: Path) -> None:
    write(tmp_path, "web/a.yaml", configmap("a"))
    write(tmp_path, "web/deep/er/b.yml", configmap("b"))
    write(tmp_path, "web/notes.txt", "not yaml\n")
    write(tmp_path, "web/sub/kustomization.yaml", "resources:\n  - c.yaml\n")
    write(tmp_path, "web/sub/c.yaml", configmap("c"))
    write(tmp_path, "web/sub/unlisted.yaml", configmap("unlisted"))  # its kustomization does not list it
    result = render(tmp_path, flux_app(tmp_path, path="./web"))
    assert set(by_name(result)) == {"ConfigMap/a", "ConfigMap/b", "ConfigMap/c"}
    assert dict(result.origins) == {"web/a.yaml": 0, "web/deep/er/b.yml": 0, "web/sub/c.yaml": 0}


def test_a_file_that_is_not_kubernetes_yaml_fails_the_generated_build(tmp_path: Path) -> None:
    write(tmp_path, "web/a.yaml", configmap("a"))
    write(tmp_path, "web/broken.yaml", "key: [unclosed\n")
    result = render(tmp_path, flux_app(tmp_path, path="./web"))
    assert result.error.startswith("failed to decode Kubernetes YAML from web/broken.yaml: web/broken.yaml:")


def test_a_missing_path_says_so_and_where(tmp_path: Path) -> None:
    write(tmp_path, "web/a.yaml", configmap("a"))
    assert render(tmp_path, flux_app(tmp_path, path="./nope")).error == "kustomization path not found: nope"


# -- the Kustomization's options, written into the kustomization ------------------------------------


def test_options_are_written_into_the_kustomization_as_flux_writes_them(tmp_path: Path) -> None:
    write(tmp_path, "web/deploy.yaml", deployment("web", "nginx:1.0"))
    write(tmp_path, "web/cm.yaml", configmap("settings", level="info"))
    write(
        tmp_path,
        "web/comp/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - extra.yaml\n",
    )
    write(tmp_path, "web/comp/extra.yaml", configmap("extra"))
    write(
        tmp_path,
        "web/kustomization.yaml",
        "namePrefix: own-\nresources:\n  - deploy.yaml\n  - cm.yaml\nimages:\n  - name: nginx\n    newTag: '1.1'\n",
    )
    app = flux_app(
        tmp_path,
        path="./web",
        targetNamespace="team",
        namePrefix="flux-",  # replaces the file's own, as the generator sets it
        images=[{"name": "nginx", "newName": "mirror/nginx"}],  # merged into the file's entry
        components=["comp", "missing"],
        ignoreMissingComponents=True,
        patches=[
            {
                "patch": "- op: add\n  path: /data/patched\n  value: 'yes'\n",
                "target": {"kind": "ConfigMap", "name": "settings"},
            },
            {
                "patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n"
            },
        ],
        commonMetadata={"labels": {"team": "web"}, "annotations": {"owner": "sre"}},
    )
    objs = by_name(render(tmp_path, app))
    assert set(objs) == {"Deployment/flux-web", "ConfigMap/flux-settings", "ConfigMap/flux-extra"}
    deploy = objs["Deployment/flux-web"]
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "mirror/nginx:1.1"
    assert deploy["spec"]["replicas"] == 4
    assert objs["ConfigMap/flux-settings"]["data"] == {"level": "info", "patched": "yes"}
    assert {o["metadata"]["namespace"] for o in objs.values()} == {"team"}
    assert all(o["metadata"]["labels"]["team"] == "web" for o in objs.values())
    assert all(o["metadata"]["annotations"] == {"owner": "sre"} for o in objs.values())  # origin taken off


def test_a_component_that_is_not_local_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "web/cm.yaml", configmap("a"))
    app = flux_app(tmp_path, path="./web", components=["https://example.com/comp"])
    assert (
        render(tmp_path, app).error == "component path 'https://example.com/comp' must be local and relative"
    )


def test_irrelevant_and_unknown_fields(tmp_path: Path) -> None:
    write(tmp_path, "web/cm.yaml", configmap("a"))
    app = flux_app(
        tmp_path,
        path="./web",
        timeout="5m",
        wait=True,
        force=True,
        kubeConfig={"secretRef": {"name": "x"}},
        surprise=1,
        dependsOn=[{"name": "infra"}, {"name": "db", "namespace": "data"}],
        suspend=True,
    )
    assert app.depends_on == ("infra", "data/db")
    assert (app.suspended, app.automated, app.flux.wait, app.flux.force) == (True, False, True, True)
    assert app.notes == (
        "Kustomization web: kubeConfig: Flux applies it to another cluster; compared here against this app's context",
        "Kustomization web: not applied when rendering: surprise",
    )


# -- post-build substitution ------------------------------------------------------------------------


def vars_tree(repo: Path) -> None:
    write(
        repo,
        "web/cm.yaml",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web"},
            "data": {
                "env": "${cluster_env}",
                "region": "${region:=eu-west-1}",
                "literal": "$${cluster_env}",
                "password": "${db_password}",
            },
        },
    )
    write(
        repo,
        "web/skip.yaml",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "skip",
                "annotations": {"kustomize.toolkit.fluxcd.io/substitute": "disabled"},
            },
            "data": {"raw": "${not_substituted}"},
        },
    )


def value_sources() -> FluxSources:
    index = FluxSources()
    index.add(configmap("cluster-vars", cluster_env="staging\n", region="us-east-1"), "clusters/vars.yaml:1")
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "db"},
        "data": {"db_password": base64.b64encode(b"hunter2").decode()},
    }
    index.add(secret, "clusters/db.yaml:1")
    return index


def test_substitution_from_git_objects_in_order_inline_last(tmp_path: Path) -> None:
    vars_tree(tmp_path)
    post = {
        "substitute": {"region": "ap-south-1"},
        "substituteFrom": [{"kind": "ConfigMap", "name": "cluster-vars"}, {"kind": "Secret", "name": "db"}],
    }
    result = render(tmp_path, flux_app(tmp_path, value_sources(), path="./web", postBuild=post))
    objs = by_name(result)
    assert objs["ConfigMap/web"]["data"] == {
        "env": "staging",  # newline removed, as Flux removes it
        "region": "ap-south-1",  # inline substitute wins
        "literal": "${cluster_env}",
        "password": "hunter2",
    }
    assert objs["ConfigMap/skip"]["data"] == {"raw": "${not_substituted}"}
    assert result.secret_values == ("hunter2",)  # masked wherever the object shows
    assert "hunter2" not in repr(result.app)


def test_a_variable_with_no_value_and_no_default_fails_with_the_file_that_uses_it(tmp_path: Path) -> None:
    vars_tree(tmp_path)
    post = {"substituteFrom": [{"kind": "ConfigMap", "name": "cluster-vars"}]}
    result = render(tmp_path, flux_app(tmp_path, value_sources(), path="./web", postBuild=post))
    assert result.error == (
        'web/cm.yaml:9: post build failed for ConfigMap/web: variable not set (strict mode): "db_password" '
        "(no value in postBuild and no default, and Flux substitutes strictly)"
    )
    assert result.objects == ()


def test_without_any_variable_nothing_is_substituted_unless_always(tmp_path: Path) -> None:
    write(
        tmp_path,
        "web/cm.yaml",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web"},
            "data": {"a": "${x:=dflt}", "b": "${y}"},
        },
    )
    optional = {"substituteFrom": [{"kind": "ConfigMap", "name": "absent", "optional": True}]}
    objs = by_name(render(tmp_path, flux_app(tmp_path, path="./web", postBuild=optional)))
    assert objs["ConfigMap/web"]["data"] == {"a": "${x:=dflt}", "b": "${y}"}
    always = {**optional, "substituteStrategy": "Always"}
    assert "variable not set" in render(tmp_path, flux_app(tmp_path, path="./web", postBuild=always)).error


def test_a_missing_substitute_from_is_an_error_unless_optional_and_the_cluster_is_asked(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        "web/cm.yaml",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"a": "${x}"}},
    )
    post = {"substituteFrom": [{"kind": "ConfigMap", "name": "live-vars"}]}
    app = flux_app(tmp_path, path="./web", postBuild=post)
    assert render(tmp_path, app).error == (
        "substituteFrom ConfigMap flux-system/live-vars is not in Git, and the cluster is not read for it here"
    )
    asked: list[tuple[str, ...]] = []

    def live(cluster: str, kind: str, namespace: str, name: str) -> dict[str, str] | None:
        asked.append((cluster, kind, namespace, name))
        return {"x": "from-cluster"} if name == "live-vars" else None

    assert by_name(render(tmp_path, app, live))["ConfigMap/web"]["data"] == {"a": "from-cluster"}
    assert asked == [("", "ConfigMap", "flux-system", "live-vars")]
    gone = flux_app(
        tmp_path, path="./web", postBuild={"substituteFrom": [{"kind": "Secret", "name": "gone"}]}
    )
    assert render(tmp_path, gone, live).error == (
        "substitute from 'Secret/gone' error: not found in Git nor in namespace flux-system of the cluster"
    )

    def unreachable(*_: str) -> dict[str, str] | None:
        raise GitopsError("cluster staging: connection refused")

    assert render(tmp_path, app, unreachable).error == (
        "substitute from 'ConfigMap/live-vars' error: cluster staging: connection refused"
    )


def test_an_invalid_variable_name_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "web/cm.yaml", configmap("web"))
    app = flux_app(tmp_path, path="./web", postBuild={"substitute": {"bad-name": "x"}})
    assert (
        render(tmp_path, app).error
        == "'bad-name' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'"
    )


def test_substituted_values_keep_yaml_types_as_in_flux(tmp_path: Path) -> None:
    write(
        tmp_path,
        "web/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        "spec:\n  replicas: ${replicas}\n  template:\n    metadata:\n      annotations:\n"
        "        note: |\n          first ${cluster}\n          second\n",
    )
    app = flux_app(tmp_path, path="./web", postBuild={"substitute": {"replicas": "3", "cluster": "c: x"}})
    deploy = by_name(render(tmp_path, app))["Deployment/web"]
    assert deploy["spec"]["replicas"] == 3  # an int once substituted, as Flux's YAML round trip makes it
    assert deploy["spec"]["template"]["metadata"]["annotations"]["note"] == "first c: x\nsecond\n"


# -- SOPS -------------------------------------------------------------------------------------------

SOPS = {
    "kms": [],
    "age": [{"recipient": "age1xyz", "enc": "-----BEGIN AGE ENCRYPTED FILE-----"}],
    "lastmodified": "2024-05-01T10:00:00Z",
    "mac": "ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]",
    "version": "3.8.1",
}


def sops_secret(**block: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds"},
        "stringData": {"password": "ENC[AES256_GCM,data:xyz,iv:a,tag:b,type:str]"},
        "sops": {**SOPS, **block},
    }


def test_a_sops_file_renders_as_it_is_for_key_name_comparison(tmp_path: Path) -> None:
    write(tmp_path, "web/secret.yaml", sops_secret())
    objs = by_name(render(tmp_path, flux_app(tmp_path, path="./web", decryption={"provider": "sops"})))
    assert objs["Secret/creds"]["sops"]["mac"].startswith("ENC[")


@pytest.mark.parametrize(
    ("block", "reason"),
    [
        ({"mac": None}, "the sops: metadata block has no mac (the file was edited by hand, or cut)"),
        (
            {"lastmodified": ""},
            "the sops: metadata block has no lastmodified (the file was edited by hand, or cut)",
        ),
        (
            {"mac": "plain"},
            "the sops: metadata block's mac is not encrypted (ENC[...]): the file is not SOPS output",
        ),
    ],
)
def test_a_broken_sops_block_is_the_apps_error_with_its_file(
    tmp_path: Path, block: dict[str, Any], reason: str
) -> None:
    write(tmp_path, "web/cm.yaml", configmap("fine"))
    write(tmp_path, "web/secret.yaml", sops_secret(**block))
    result = render(tmp_path, flux_app(tmp_path, path="./web", decryption={"provider": "sops"}))
    assert result.error == f"web/secret.yaml:7: Secret creds: {reason}"
    assert result.objects == ()
