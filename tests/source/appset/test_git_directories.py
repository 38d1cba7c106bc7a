"""The git directory generator against checkouts shaped like Argo CD's own examples
(applicationset/examples/git-generator-directory) and Generators-Git.md."""

from __future__ import annotations

from pathlib import Path

from tests.source.appset.helpers import ARGO_REPO, appset, expand, names, ok, tree

EXAMPLES = "applicationset/examples/git-generator-directory"


def _addons(root: Path) -> Path:
    return tree(
        root,
        {
            f"{EXAMPLES}/cluster-addons/argo-workflows/kustomization.yaml": "resources: []\n",
            f"{EXAMPLES}/cluster-addons/prometheus-operator/Chart.yaml": "name: p\n",
            f"{EXAMPLES}/excludes/cluster-addons/argo-workflows/kustomization.yaml": "resources: []\n",
            f"{EXAMPLES}/excludes/cluster-addons/exclude-helm-guestbook/Chart.yaml": "name: g\n",
            f"{EXAMPLES}/excludes/cluster-addons/exclude-helm-guestbook/templates/service.yaml": "kind: Service\n",
            f"{EXAMPLES}/excludes/cluster-addons/prometheus-operator/Chart.yaml": "name: p\n",
        },
    )


def _doc(directories: list[dict], *, go: bool = True, template: dict | None = None, **git: object) -> dict:
    return appset(
        {
            "goTemplate": go,
            "goTemplateOptions": ["missingkey=error"] if go else [],
            "generators": [
                {"git": {"repoURL": ARGO_REPO, "revision": "HEAD", "directories": directories, **git}}
            ],
            "template": template
            or {
                "metadata": {"name": "{{.path.basename}}" if go else "{{path.basename}}"},
                "spec": {
                    "project": "my-project",
                    "source": {
                        "repoURL": ARGO_REPO,
                        "targetRevision": "HEAD",
                        "path": "{{.path.path}}" if go else "{{path}}",
                    },
                    "destination": {
                        "server": "https://kubernetes.default.svc",
                        "namespace": "{{.path.basename}}" if go else "{{path.basename}}",
                    },
                },
            },
        },
        name="cluster-addons",
    )


def test_docs_directories_example(tmp_path: Path) -> None:
    """Generators-Git.md "Git Generator: Directories": one Application per matched directory."""
    result = ok(expand(_doc([{"path": f"{EXAMPLES}/cluster-addons/*"}]), _addons(tmp_path)))
    assert names(result) == ["argo-workflows", "prometheus-operator"]
    app = result.applications[1]
    assert app["spec"]["source"]["path"] == f"{EXAMPLES}/cluster-addons/prometheus-operator"
    assert app["spec"]["destination"]["namespace"] == "prometheus-operator"


def test_docs_exclude_example(tmp_path: Path) -> None:
    """Generators-Git.md "Exclude directories"."""
    result = expand(
        _doc(
            [
                {"path": f"{EXAMPLES}/excludes/cluster-addons/*"},
                {"path": f"{EXAMPLES}/excludes/cluster-addons/exclude-helm-guestbook", "exclude": True},
            ]
        ),
        _addons(tmp_path),
    )
    assert names(result) == ["argo-workflows", "prometheus-operator"]


def test_exclude_wins_whatever_the_order_and_classes_work(tmp_path: Path) -> None:
    """Generators-Git.md: exclude rules take precedence; `/d/[fg]` style classes are path.Match's."""
    tree(tmp_path, {"d/e/a.yaml": "", "d/f/a.yaml": "", "d/g/a.yaml": ""})
    assert names(expand(_doc([{"path": "d/*"}, {"path": "d/[fg]", "exclude": True}]), tmp_path)) == ["e"]
    assert names(expand(_doc([{"path": "d/e"}, {"path": "d/*", "exclude": True}]), tmp_path)) == []


def test_a_leading_slash_matches_nothing_and_is_said(tmp_path: Path) -> None:
    """The docs write `/d/*`, but the repo server lists relative paths, so path.Match never matches it: Argo
    generates nothing, without an error. We say so in a note."""
    tree(tmp_path, {"d/e/a.yaml": ""})
    result = expand(_doc([{"path": "/d/*"}]), tmp_path)
    assert result.error == "" and result.applications == ()
    assert result.notes == (
        "appset.yaml:1: ApplicationSet cluster-addons: spec.generators[0].git.directories: no directory matches /d/* (Argo CD generates no Applications from it)",
    )


def test_root_star_skips_hidden_and_empty_directories(tmp_path: Path) -> None:
    """Generators-Git.md "Root Of Git Repo": `*` at the root, `donotdeploy` excluded. Directories starting
    with `.` are never listed; an empty directory cannot exist in a Git checkout, so it is left out."""
    tree(
        tmp_path,
        {
            "a/x.yaml": "",
            "b/c/x.yaml": "",
            "donotdeploy/x.yaml": "",
            ".github/workflows/ci.yaml": "",
            ".hidden/x.yaml": "",
        },
    )
    (tmp_path / "empty").mkdir()
    (tmp_path / "only-hidden-file").mkdir()
    (tmp_path / "only-hidden-file" / ".gitkeep").write_text("")
    result = expand(_doc([{"path": "*"}, {"path": "donotdeploy", "exclude": True}]), tmp_path)
    assert names(result) == ["a", "b", "only-hidden-file"]


def test_walk_order_is_go_walkdir_order(tmp_path: Path) -> None:
    """filepath.WalkDir visits a directory's subtree before its next sibling: `a`, `a/x`, `a-b`, not the
    sorted-strings order `a`, `a-b`, `a/x`."""
    tree(tmp_path, {"a/f": "", "a/x/f": "", "a-b/f": ""})
    template = {"metadata": {"name": '{{ .path.path | replace "/" "." }}'}}
    assert names(expand(_doc([{"path": "*"}, {"path": "*/*"}], template=template), tmp_path)) == [
        "a",
        "a.x",
        "a-b",
    ]


def test_symlinked_directories_are_not_walked(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/real/f.yaml": ""})
    (tmp_path / "apps" / "link").symlink_to(tmp_path / "apps" / "real")
    assert names(expand(_doc([{"path": "apps/*"}]), tmp_path)) == ["real"]


def test_fasttemplate_parameters_and_segments(tmp_path: Path) -> None:
    """Without goTemplate: `{{path}}`, `{{path.basename}}`, `{{path.basenameNormalized}}`, `{{path[n]}}`."""
    tree(tmp_path, {"clusters/prod/My_Apps/f.yaml": ""})
    template = {
        "metadata": {
            "name": "{{path[1]}}-{{path.basenameNormalized}}",
            "labels": {"p": "{{path}}", "b": "{{path.basename}}"},
        }
    }
    app = ok(expand(_doc([{"path": "clusters/*/*"}], go=False, template=template), tmp_path)).applications[0]
    assert app["metadata"]["name"] == "prod-my-apps"
    assert app["metadata"]["labels"] == {"p": "clusters/prod/My_Apps", "b": "My_Apps"}


def test_go_segments_and_normalized_basename(tmp_path: Path) -> None:
    tree(tmp_path, {"clusters/Prod_EU/f.yaml": ""})
    template = {"metadata": {"name": "{{.path.basenameNormalized}}-{{index .path.segments 0}}"}}
    assert names(expand(_doc([{"path": "clusters/*"}], template=template), tmp_path)) == ["prod-eu-clusters"]


def test_path_param_prefix(tmp_path: Path) -> None:
    """Generators-Git.md: with `pathParamPrefix: myRepo` the parameters are `.myRepo.path...` (goTemplate)
    and `myRepo.path...` (fasttemplate)."""
    tree(tmp_path, {"apps/web/f.yaml": ""})
    go = {"metadata": {"name": "{{.myRepo.path.basename}}-{{index .myRepo.path.segments 0}}"}}
    assert names(expand(_doc([{"path": "apps/*"}], template=go, pathParamPrefix="myRepo"), tmp_path)) == [
        "web-apps"
    ]
    fast = {"metadata": {"name": "{{myRepo.path.basename}}-{{myRepo.path[0]}}"}}
    assert names(
        expand(_doc([{"path": "apps/*"}], go=False, template=fast, pathParamPrefix="myRepo"), tmp_path)
    ) == ["web-apps"]


def test_values_are_templated_with_the_directory(tmp_path: Path) -> None:
    """Generators-Git.md "Pass additional key-value pairs via values field"."""
    tree(tmp_path, {"in-cluster/f.yaml": "", "remote/f.yaml": ""})
    template = {
        "metadata": {"name": "{{.path.basename}}"},
        "spec": {"destination": {"namespace": "{{.values.cluster}}-ns"}},
    }
    result = ok(
        expand(_doc([{"path": "*"}], template=template, values={"cluster": "{{.path.basename}}"}), tmp_path)
    )
    assert [a["spec"]["destination"]["namespace"] for a in result.applications] == [
        "in-cluster-ns",
        "remote-ns",
    ]


def test_no_match_is_no_application_and_a_note_not_an_error(tmp_path: Path) -> None:
    """git.go: filterApps over the listed directories; a pattern that matches nothing yields no parameters
    and no error. The issue wants it said: a note on the ApplicationSet."""
    tree(tmp_path, {"apps/web/f.yaml": ""})
    result = expand(_doc([{"path": "apps/*/envs/prod"}]), tmp_path)
    assert result.error == "" and result.applications == ()
    assert "no directory matches apps/*/envs/prod" in result.notes[0]


def test_a_malformed_pattern_is_ignored_as_argo_does_and_said(tmp_path: Path) -> None:
    """path.Match returns ErrBadPattern for `[`; filterApps logs it and goes on with the other patterns."""
    tree(tmp_path, {"apps/web/f.yaml": ""})
    result = expand(_doc([{"path": "apps/["}, {"path": "apps/*"}]), tmp_path)
    assert names(result) == ["web"]
    assert "'apps/[' is not a valid path.Match pattern" in result.notes[0]


def test_another_repository_is_an_error_unless_mapped(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/web/f.yaml": ""})
    doc = _doc([{"path": "apps/*"}])
    result = expand(doc, tmp_path, remotes=("git@github.com:someone/else.git",))
    assert result.error == (
        "appset.yaml:1: ApplicationSet cluster-addons: git generator reads https://github.com/argoproj/argo-cd.git, "
        "not this checkout (map it to a local checkout in .gitops-tui.yaml under repositories:)"
    )
    other = tree(tmp_path / "other", {"apps/api/f.yaml": ""})
    mapped = expand(doc, tmp_path, remotes=(), local_repos={"git@github.com:argoproj/argo-cd": other})
    assert names(mapped) == ["api"]


def test_the_checkout_is_matched_by_any_spelling_of_its_remote(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/web/f.yaml": ""})
    assert names(
        expand(_doc([{"path": "apps/*"}]), tmp_path, remotes=("git@github.com:argoproj/argo-cd",))
    ) == ["web"]


def test_a_revision_other_than_the_branch_is_noted_not_enforced(tmp_path: Path) -> None:
    tree(tmp_path, {"apps/web/f.yaml": ""})
    result = expand(_doc([{"path": "apps/*"}], revision="release-1.0"), tmp_path, branch="main")
    assert names(result) == ["web"]
    assert result.notes == (
        "appset.yaml:1: ApplicationSet cluster-addons: spec.generators[0].git: the git generator reads revision release-1.0; the checkout (on main) is read instead",
    )
    assert expand(_doc([{"path": "apps/*"}], revision="main"), tmp_path, branch="main").notes == ()


def test_no_directories_and_no_files_is_an_error(tmp_path: Path) -> None:
    result = expand(_doc([]), tmp_path)
    assert "ApplicationSet is empty" in result.error


def test_five_hundred_directories(tmp_path: Path) -> None:
    """The issue's benchmark shape (the timing is measured in bench/, not asserted here)."""
    for i in range(500):
        tree(tmp_path, {f"apps/app-{i:03d}/envs/prod/kustomization.yaml": "resources: []\n"})
    tree(tmp_path, {"apps/app-000/envs/dev/kustomization.yaml": ""})
    template = {
        "metadata": {"name": "{{index .path.segments 1}}-{{index .path.segments 3}}"},
        "spec": {"source": {"path": "{{.path.path}}"}},
    }
    result = ok(expand(_doc([{"path": "apps/*/envs/prod"}], template=template), tmp_path))
    assert len(result.applications) == 500
    assert result.applications[499]["metadata"]["name"] == "app-499-prod"
    assert result.applications[499]["spec"]["source"]["path"] == "apps/app-499/envs/prod"
