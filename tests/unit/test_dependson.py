"""Several apps (ids: a Kustomization in flux-system is known by its name) are synced in Flux's dependsOn order: dependencies first, independent apps as given, a
cycle refused with its path."""

from __future__ import annotations

import pytest

from gitops_tui.engine.dependson import outside, sync_order
from gitops_tui.model import AppOrigin, AppSpec, GitopsError


def ks(name: str, *deps: str) -> AppSpec:
    return AppSpec(
        name=name,
        path=name,
        origin=AppOrigin.FLUX,
        kind="Kustomization",
        home="flux-system",
        depends_on=deps,
    )


def ids(apps: list[AppSpec]) -> list[str]:
    return [a.name for a in apps]


def test_dependencies_come_first_and_the_rest_keeps_its_order() -> None:
    given = [ks("apps", "configs"), ks("monitoring"), ks("configs", "controllers"), ks("controllers")]
    assert ids(sync_order(given)) == ["controllers", "configs", "apps", "monitoring"]
    assert ids(sync_order([ks("b"), ks("a")])) == ["b", "a"]  # no dependsOn: as given


def test_a_dependency_not_in_the_sync_is_not_waited_for_but_said() -> None:
    given = [ks("apps", "configs", "crds")]
    assert ids(sync_order(given)) == ["apps"]
    assert outside(given) == [("apps", "configs"), ("apps", "crds")]


def test_a_cycle_is_refused_naming_it() -> None:
    with pytest.raises(GitopsError, match=r"cycle: a -> b -> a"):
        sync_order([ks("a", "b"), ks("b", "a")])
