"""The git files generator, on checkouts shaped like Argo CD's applicationset/examples/git-generator-files-discovery
and the parameters Generators-Git.md lists."""

from __future__ import annotations

import json
from pathlib import Path

from tests.source.appset.helpers import ARGO_REPO, appset, expand, names, ok, tree

EXAMPLES = "applicationset/examples/git-generator-files-discovery"
DEV = {
    "aws_account": "123456",
    "asset_id": "11223344",
    "cluster": {
        "owner": "cluster-admin@company.com",
        "name": "engineering-dev",
        "address": "https://1.2.3.4",
    },
}
PROD = {
    "aws_account": "123456",
    "asset_id": "11223344",
    "cluster": {
        "owner": "cluster-admin@company.com",
        "name": "engineering-prod",
        "address": "https://2.4.6.8",
    },
}


def _discovery(root: Path) -> Path:
    return tree(
        root,
        {
            f"{EXAMPLES}/cluster-config/engineering/dev/config.json": json.dumps(DEV, indent=2),
            f"{EXAMPLES}/cluster-config/engineering/prod/config.json": json.dumps(PROD, indent=2),
            f"{EXAMPLES}/apps/guestbook/kustomization.yaml": "resources: []\n",
        },
    )


def _doc(files: list[dict], *, go: bool = True, template: dict | None = None, **git: object) -> dict:
    return appset(
        {
            "goTemplate": go,
            "goTemplateOptions": ["missingkey=error"] if go else [],
            "generators": [{"git": {"repoURL": ARGO_REPO, "revision": "HEAD", "files": files, **git}}],
            "template": template
            or {
                "metadata": {"name": "{{.cluster.name}}-guestbook" if go else "{{cluster.name}}-guestbook"},
                "spec": {
                    "project": "default",
                    "source": {
                        "repoURL": ARGO_REPO,
                        "targetRevision": "HEAD",
                        "path": f"{EXAMPLES}/apps/guestbook",
                    },
                    "destination": {
                        "server": "{{.cluster.address}}" if go else "{{cluster.address}}",
                        "namespace": "guestbook",
                    },
                },
            },
        }
    )


def test_docs_files_example(tmp_path: Path) -> None:
    """Generators-Git.md "Git Generator: Files": one Application per config.json, fields flattened."""
    result = ok(expand(_doc([{"path": f"{EXAMPLES}/cluster-config/**/config.json"}]), _discovery(tmp_path)))
    assert names(result) == ["engineering-dev-guestbook", "engineering-prod-guestbook"]
    assert [a["spec"]["destination"]["server"] for a in result.applications] == [
        "https://1.2.3.4",
        "https://2.4.6.8",
    ]


def test_docs_files_exclude_example(tmp_path: Path) -> None:
    """Generators-Git.md "Exclude files"."""
    files = [
        {"path": f"{EXAMPLES}/cluster-config/**/config.json"},
        {"path": f"{EXAMPLES}/cluster-config/*/dev/config.json", "exclude": True},
    ]
    assert names(expand(_doc(files), _discovery(tmp_path))) == ["engineering-prod-guestbook"]


def test_path_parameters_of_a_file(tmp_path: Path) -> None:
    """Generators-Git.md: path, segments, basename (of the directory), filename and their normalized forms."""
    tree(tmp_path, {"clusters/Cluster_A/My_Config.yaml": "name: a\n"})
    template = {
        "metadata": {
            "name": "{{.name}}",
            "labels": {
                "path": "{{.path.path}}",
                "seg": "{{index .path.segments 1}}",
                "base": "{{.path.basename}}",
                "baseN": "{{.path.basenameNormalized}}",
                "file": "{{.path.filename}}",
                "fileN": "{{.path.filenameNormalized}}",
            },
        }
    }
    labels = ok(expand(_doc([{"path": "clusters/*/*.yaml"}], template=template), tmp_path)).applications[0][
        "metadata"
    ]["labels"]
    assert labels == {
        "path": "clusters/Cluster_A",
        "seg": "Cluster_A",
        "base": "Cluster_A",
        "baseN": "cluster-a",
        "file": "My_Config.yaml",
        "fileN": "my-config.yaml",
    }


def test_fasttemplate_flattening_prints_values_as_go_does(tmp_path: Path) -> None:
    """Without goTemplate the file is flattened (`cluster.name`, lists as `l.0`) and each value printed with
    `%v`: numbers as float64 (`1e+06`), booleans as true/false."""
    tree(
        tmp_path,
        {"c/config.yaml": "cluster:\n  name: dev\nreplicas: 3\nbig: 1000000\nflag: yes\nzones: [a, b]\n"},
    )
    template = {
        "metadata": {
            "name": "{{cluster.name}}",
            "annotations": {
                "r": "{{replicas}}",
                "b": "{{big}}",
                "f": "{{flag}}",
                "z": "{{zones.1}}",
                "p": "{{path}} {{path.filename}} {{path[0]}}",
            },
        }
    }
    app = ok(expand(_doc([{"path": "c/config.yaml"}], go=False, template=template), tmp_path)).applications[0]
    assert app["metadata"]["annotations"] == {
        "r": "3",
        "b": "1e+06",
        "f": "true",
        "z": "b",
        "p": "c config.yaml c",
    }


def test_a_yaml_list_gives_one_parameter_set_per_item(tmp_path: Path) -> None:
    """generateParamsFromGitFile: a file holding an array yields each of its objects."""
    tree(tmp_path, {"envs/list.yaml": "- name: one\n- name: two\n- name: three\n"})
    assert names(
        expand(_doc([{"path": "envs/*.yaml"}], template={"metadata": {"name": "{{.name}}"}}), tmp_path)
    ) == ["one", "two", "three"]


def test_an_empty_file_is_one_empty_object(tmp_path: Path) -> None:
    tree(tmp_path, {"envs/dev/config.yaml": ""})
    assert names(
        expand(
            _doc([{"path": "envs/*/config.yaml"}], template={"metadata": {"name": "{{.path.basename}}"}}),
            tmp_path,
        )
    ) == ["dev"]


def test_greedy_globbing_by_default(tmp_path: Path) -> None:
    """Generators-Git-File-Globbing.md: git ls-files pathspecs let `*` cross `/`, so `cluster-charts/*/*/values.yaml`
    also picks the subchart's values.yaml."""
    tree(
        tmp_path,
        {
            "cluster-charts/cluster1/mychart/values.yaml": "name: mychart\n",
            "cluster-charts/cluster1/mychart/charts/mysubchart/values.yaml": "name: mysubchart\n",
            "cluster-charts/cluster1/myotherchart/values.yaml": "name: myotherchart\n",
        },
    )
    result = expand(
        _doc([{"path": "cluster-charts/*/*/values.yaml"}], template={"metadata": {"name": "{{.name}}"}}),
        tmp_path,
    )
    assert names(result) == ["mysubchart", "mychart", "myotherchart"]  # sorted by file path


def test_a_directory_pathspec_lists_the_files_below_it(tmp_path: Path) -> None:
    tree(tmp_path, {"cfg/a.json": '{"name": "a"}', "cfg/sub/b.json": '{"name": "b"}'})
    assert names(expand(_doc([{"path": "cfg"}], template={"metadata": {"name": "{{.name}}"}}), tmp_path)) == [
        "a",
        "b",
    ]


def test_hidden_files_are_listed(tmp_path: Path) -> None:
    tree(tmp_path, {".config/app.yaml": "name: hidden\n"})
    assert names(
        expand(_doc([{"path": "**/app.yaml"}], template={"metadata": {"name": "{{.name}}"}}), tmp_path)
    ) == ["hidden"]


def test_bad_yaml_is_the_error_with_file_and_reason(tmp_path: Path) -> None:
    tree(tmp_path, {"envs/dev/config.yaml": "name: [dev\n", "envs/prod/config.yaml": "name: prod\n"})
    result = expand(
        _doc([{"path": "envs/*/config.yaml"}], template={"metadata": {"name": "{{.name}}"}}), tmp_path
    )
    assert result.applications == ()
    assert result.error.startswith(
        "appset.yaml:1: ApplicationSet guestbook: unable to process file 'envs/dev/config.yaml' from repository "
        "'https://github.com/argoproj/argo-cd.git': unable to parse file (line 2):"
    )


def test_a_scalar_file_is_an_error(tmp_path: Path) -> None:
    tree(tmp_path, {"envs/config.yaml": "just text\n"})
    result = expand(_doc([{"path": "envs/config.yaml"}], template={"metadata": {"name": "x"}}), tmp_path)
    assert "unable to parse file: it holds neither a mapping nor a list of mappings" in result.error


def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    tree(tmp_path, {"envs/config.yaml": ""})
    (tmp_path / "envs" / "config.yaml").write_bytes(b"name: \xff\xfe\n")
    result = expand(_doc([{"path": "envs/config.yaml"}], template={"metadata": {"name": "x"}}), tmp_path)
    assert "unable to process file 'envs/config.yaml'" in result.error and "unable to read it" in result.error


def test_a_pattern_outside_the_repository_is_an_error(tmp_path: Path) -> None:
    """git ls-files fails for a pathspec outside the repository, which fails the generator."""
    result = expand(_doc([{"path": "/etc/*.conf"}], template={"metadata": {"name": "x"}}), tmp_path)
    assert "unable to list files: git ls-files: '/etc/*.conf' is outside repository" in result.error


def test_file_keys_and_values(tmp_path: Path) -> None:
    """values templated with the file's parameters; in goTemplate they are `.values`, replacing a `values`
    key the file itself had."""
    tree(tmp_path, {"envs/dev/config.yaml": "name: dev\nvalues: {ignored: true}\n"})
    doc = _doc(
        [{"path": "envs/*/config.yaml"}],
        template={"metadata": {"name": "{{.values.ns}}"}},
        values={"ns": "{{.name}}-{{.path.basename}}"},
    )
    assert names(expand(doc, tmp_path)) == ["dev-dev"]
