"""ArtifactGenerator copy operations, as source-watcher applies them (cp-like, Go globs, excludes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_tui.model import ArtifactCopy, GitTree
from gitops_tui.source.artifact import build_artifact, fs_glob, origin_of
from gitops_tui.source.errors import RenderError

from .repos import write


def files(directory: Path) -> set[str]:
    return {p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()}


def op(source: str, to: str, *exclude: str, strategy: str = "Overwrite") -> ArtifactCopy:
    return ArtifactCopy(GitTree(), source, to, tuple(exclude), strategy, alias="repo")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    write(root, "apps/base/podinfo/kustomization.yaml", "resources: []\n")
    write(root, "apps/base/podinfo/deploy.yaml", "kind: x\n")
    write(root, "apps/base/README.md", "# base\n")
    write(root, "apps/staging/values.yaml", "a: 1\nb: {c: 1}\n")
    write(root, "apps/staging/extra.yaml", "b: {d: 2}\nl: [2]\n")
    write(root, "infra/one.yaml", "x\n")
    return root


def test_dir_double_star_copies_what_is_inside(repo: Path) -> None:
    out = build_artifact(repo, "apps", (op("apps/base/**", "base/"), op("apps/staging/**", "staging/")))
    assert files(out) == {
        "base/podinfo/kustomization.yaml",
        "base/podinfo/deploy.yaml",
        "base/README.md",
        "staging/values.yaml",
        "staging/extra.yaml",
    }


def test_other_globs_keep_the_matched_path_and_star_is_one_segment(repo: Path) -> None:
    out = build_artifact(repo, "a", (op("apps/*/*.yaml", ""),))
    assert files(out) == {"apps/staging/values.yaml", "apps/staging/extra.yaml"}
    assert fs_glob(repo, "apps/**") == ["apps/base", "apps/staging"]  # fs.Glob: ** is just *


def test_a_directory_is_copied_as_a_subdirectory_and_a_file_into_a_slash(repo: Path) -> None:
    out = build_artifact(repo, "b", (op("infra", "deploy/"), op("apps/staging/values.yaml", "config/")))
    assert files(out) == {"deploy/infra/one.yaml", "config/values.yaml"}
    renamed = build_artifact(repo, "c", (op("apps/staging/values.yaml", "values.yaml"),))
    assert files(renamed) == {"values.yaml"}


def test_excludes_match_names_anywhere_and_paths_below_the_selection(repo: Path) -> None:
    out = build_artifact(repo, "d", (op("apps/base/**", "base/", "*.md", "podinfo/deploy.yaml"),))
    assert files(out) == {"base/podinfo/kustomization.yaml"}


def test_merge_deep_merges_yaml_into_what_is_there(repo: Path) -> None:
    out = build_artifact(
        repo,
        "e",
        (op("apps/staging/values.yaml", "v.yaml"), op("apps/staging/extra.yaml", "v.yaml", strategy="Merge")),
    )
    assert (out / "v.yaml").read_text() == "a: 1\nb:\n  c: 1\n  d: 2\nl:\n- 2\n"


@pytest.mark.parametrize(
    ("copy", "message"),
    [
        (op("nothing/**", ""), "no files match pattern 'nothing/**' in source 'repo'"),
        (
            op("apps/base/*.md", "", "*.md"),
            "all files matching pattern 'apps/base/*.md' in source 'repo' were excluded",
        ),
        (op("missing.yaml", "x/"), "source 'missing.yaml' does not exist"),
    ],
)
def test_copy_errors_are_source_watcher_s(repo: Path, copy: ArtifactCopy, message: str) -> None:
    with pytest.raises(RenderError) as err:
        build_artifact(repo, "f", (copy,))
    assert err.value.message == (
        f"ExternalArtifact f: failed to apply copy operation from '@repo/{copy.source}' to "
        f"'@artifact/{copy.to}': {message}"
    )


def test_built_once_per_content(repo: Path) -> None:
    copies = (op("infra/**", "infra/"),)
    first = build_artifact(repo, "g", copies)
    assert build_artifact(repo, "g", copies) == first
    write(repo, "infra/one.yaml", "changed\n")
    second = build_artifact(repo, "g", copies)
    assert second != first and (second / "infra/one.yaml").read_text() == "changed\n"


def test_origin_of_maps_an_artifact_path_back(repo: Path) -> None:
    copies = (op("apps/base/**", "base/"), op("apps/staging/**", "staging/"), op("infra", ""))
    assert origin_of(copies, "staging") == (GitTree(), "apps/staging")
    assert origin_of(copies, "base/podinfo") == (GitTree(), "apps/base/podinfo")
    assert origin_of(copies, "infra") == (GitTree(), "infra")
    assert origin_of(copies, "elsewhere") is None
