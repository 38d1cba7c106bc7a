"""The order in which several apps are synced: Flux's `dependsOn`. kustomize-controller applies a
Kustomization only once every Kustomization it depends on is Ready, so a sync of several goes dependencies
first, one level at a time, each app waiting for the health of those before it. Apps that do not depend on
each other keep the order they were given in."""

from __future__ import annotations

from collections.abc import Sequence

from gitops_tui.model import AppSpec, GitopsError


def sync_order(apps: Sequence[AppSpec]) -> list[AppSpec]:
    """`apps` ordered so that each comes after the ones among them it depends on. A dependency that is not
    among them is not waited for here (the caller says so). Raises GitopsError on a cycle, naming it."""
    chosen = {a.id: a for a in apps}
    done: list[AppSpec] = []
    placed: set[str] = set()
    visiting: list[str] = []

    def place(app: AppSpec) -> None:
        if app.id in placed:
            return
        if app.id in visiting:
            cycle = [*visiting[visiting.index(app.id) :], app.id]
            raise GitopsError(f"dependsOn has a cycle: {' -> '.join(cycle)}; Flux would apply none of them")
        visiting.append(app.id)
        for dep in app.depends_on:
            if dep in chosen:
                place(chosen[dep])
        visiting.pop()
        placed.add(app.id)
        done.append(app)

    for app in apps:
        place(app)
    return done


def outside(apps: Sequence[AppSpec]) -> list[tuple[str, str]]:
    """(app, dependency) pairs whose dependency is not among `apps`: not synced nor waited for."""
    ids = {a.id for a in apps}
    return [(a.id, dep) for a in apps for dep in a.depends_on if dep not in ids]
