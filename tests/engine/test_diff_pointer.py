"""RFC 6901 pointers: the names of drifted fields."""

from __future__ import annotations

import pytest

from gitops_tui.engine import pointer

OBJ = {
    "metadata": {"labels": {"app.kubernetes.io/name": "web", "a~b": "tilde"}},
    "spec": {"containers": [{"name": "web"}, {"name": "side"}]},
    "": {"empty key": 1},
}


def test_escape_and_join() -> None:
    assert pointer.escape("app.kubernetes.io/name") == "app.kubernetes.io~1name"
    assert pointer.escape("a~b") == "a~0b"
    assert pointer.escape("~1") == "~01"
    assert (
        pointer.join(["metadata", "labels", "app.kubernetes.io/name"])
        == "/metadata/labels/app.kubernetes.io~1name"
    )
    assert pointer.join(["spec", "containers", 1]) == "/spec/containers/1"
    assert pointer.join([]) == ""


@pytest.mark.parametrize("parts", [["a"], ["a/b", "c~d"], ["~01", "/", ""], ["spec", "0"]])
def test_split_inverts_join(parts: list[str]) -> None:
    assert pointer.split(pointer.join(parts)) == parts


def test_split_rejects_a_relative_pointer() -> None:
    with pytest.raises(ValueError):
        pointer.split("spec/replicas")


def test_resolve() -> None:
    assert pointer.resolve(OBJ, "") is OBJ
    assert pointer.resolve(OBJ, "/metadata/labels/app.kubernetes.io~1name") == "web"
    assert pointer.resolve(OBJ, "/metadata/labels/a~0b") == "tilde"
    assert pointer.resolve(OBJ, "/spec/containers/1/name") == "side"
    assert pointer.resolve(OBJ, "//empty key") == 1


@pytest.mark.parametrize(
    "absent",
    [
        "/spec/replicas",
        "/spec/containers/2",
        "/spec/containers/01",
        "/spec/containers/-",
        "/spec/containers/x",
        "/metadata/labels/app.kubernetes.io~1name/x",
    ],
)
def test_resolve_raises_key_error_when_absent(absent: str) -> None:
    with pytest.raises(KeyError):
        pointer.resolve(OBJ, absent)
