"""What a GitRepository's artifact leaves out: source-controller's defaults and the root .sourceignore."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_tui.source.sourceignore import SourceIgnore

from .repos import write


@pytest.mark.parametrize(
    ("path", "is_dir", "ignored"),
    [
        ("apps/base/x.yaml", False, False),
        ("clusters/staging", True, False),
        ("README.md", False, True),  # `/*`, not re-included
        ("scripts", True, True),
        (".github/workflows/ci.yaml", False, True),  # a default exclusion
        ("apps/logo.png", False, True),  # a default exclusion (images)
        ("apps/.sops.yaml", False, True),
        ("apps/docs/notes.md", False, True),  # `*.md` at any depth
    ],
)
def test_root_sourceignore_over_the_defaults(tmp_path: Path, path: str, is_dir: bool, ignored: bool) -> None:
    write(tmp_path, ".sourceignore", "# Flux ignore\n/*\n!/apps/\n!/clusters/\n*.md\n")
    assert SourceIgnore(tmp_path).ignored(path, is_dir) is ignored


def test_without_a_file_only_the_defaults(tmp_path: Path) -> None:
    ignore = SourceIgnore(tmp_path)
    assert not ignore.ignored("README.md", False) and ignore.ignored(".git", True)
