"""tests/data/shared is a copy of the project's shared corpora (Argo CD peer tests, real-cluster fixtures), kept
in the repo so a clean clone tests on its own. Where the original is beside the checkout, they must agree."""

import filecmp
from pathlib import Path

import pytest

COPY = Path(__file__).resolve().parent / "data" / "shared"
ORIGINAL = Path(__file__).resolve().parents[2] / "shared"
TREES = ("fixtures/real-cluster", "peer-tests/argocd-health", "peer-tests/argocd-diff")


@pytest.mark.parametrize("tree", TREES)
def test_copy_matches_the_shared_original(tree: str) -> None:
    if not (ORIGINAL / tree).is_dir():
        pytest.skip("the shared corpora are not beside this checkout")
    mismatches: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        mismatches.extend(f"{prefix}{n}" for n in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(ORIGINAL / tree, COPY / tree), "")
    assert mismatches == []
