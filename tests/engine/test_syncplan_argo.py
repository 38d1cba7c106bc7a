"""The sync plan against Argo CD's rules: task order (phase, wave, kind, name; Namespaces and CRDs moved up),
prune waves, per-resource sync options and the app's syncOptions, hooks where Argo CD would run them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import Any

from gitops_tui.actions.describe import plan_lines
from gitops_tui.engine.compare import AppInputs, compare_app
from gitops_tui.engine.hooks import is_hook_like
from gitops_tui.engine.syncplan import SyncPlan, plan_sync
from gitops_tui.model import AppSpec, ResourceKey

APP = AppSpec(name="waves", path="waves", namespace="shop")
WAVE, OPTIONS = "argocd.argoproj.io/sync-wave", "argocd.argoproj.io/sync-options"
API = {"ReplicaSet": "apps/v1", "Deployment": "apps/v1", "Job": "batch/v1", "Widget": "example.com/v1"}


def obj(kind: str, name: str, wave: int | None = None, ns: str | None = "shop", **annotations: str) -> dict:
    meta: dict[str, Any] = {"name": name}
    if ns:
        meta["namespace"] = ns
    notes = dict(annotations)
    if wave is not None:
        notes[WAVE] = str(wave)
    if notes:
        meta["annotations"] = notes
    api = "apiextensions.k8s.io/v1" if kind == "CustomResourceDefinition" else API.get(kind, "v1")
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def plan(
    desired: Sequence[dict],
    live: Sequence[dict] = (),
    extras: Sequence[dict] = (),
    *,
    app: AppSpec = APP,
    prune: bool = False,
    selected: Collection[ResourceKey] | None = None,
    missing_namespace: bool = False,
) -> SyncPlan:
    by_key = {ResourceKey.of(o): o for o in live}
    status = compare_app(AppInputs(app, desired, by_key, extras=extras, server_side=False))
    wanted = {ResourceKey.of(o): o for o in desired if not is_hook_like(o)}
    everything = {**by_key, **{ResourceKey.of(o): o for o in extras}}
    return plan_sync(
        status, wanted, everything, prune=prune, selected=selected, missing_namespace=missing_namespace
    )


def steps(p: SyncPlan) -> list[tuple[str, int, list[str]]]:
    return [(s[0].phase, s[0].wave, [f"{c.action} {c.key.kind}/{c.key.name}" for c in s]) for s in p.waves]


def test_order_is_phase_wave_kind_then_name() -> None:
    desired = [
        obj("ReplicaSet", "frontend", 2),
        obj("Service", "frontend", 2),
        obj("ReplicaSet", "backend"),
        obj("Service", "backend"),
        obj("ConfigMap", "early", -1),
        obj("Widget", "gadget"),  # a custom resource: after every known kind
        obj("Deployment", "b", ns="aaa"),
        obj("Deployment", "a", ns="zzz"),  # by name, not by namespace
    ]
    assert steps(plan(desired)) == [
        ("Sync", -1, ["create ConfigMap/early"]),
        ("Sync", 0, ["create Service/backend"]),
        ("Sync", 0, ["create ReplicaSet/backend"]),
        ("Sync", 0, ["create Deployment/a", "create Deployment/b"]),
        ("Sync", 0, ["create Widget/gadget"]),
        ("Sync", 2, ["create Service/frontend"]),
        ("Sync", 2, ["create ReplicaSet/frontend"]),
    ]


def test_a_namespace_moves_up_to_the_first_object_in_it() -> None:
    desired = [
        obj("Namespace", "shop", 5, ns=None),
        obj("Namespace", "other", 5, ns=None),  # nothing in it comes earlier: it keeps its wave
        obj("ConfigMap", "settings", -1),
        obj("Secret", "token", 3),
    ]
    assert steps(plan(desired)) == [
        ("Sync", -1, ["create Namespace/shop"]),
        ("Sync", -1, ["create ConfigMap/settings"]),
        ("Sync", 3, ["create Secret/token"]),
        ("Sync", 5, ["create Namespace/other"]),
    ]


def test_a_crd_moves_up_to_its_first_custom_resource() -> None:
    crd = obj("CustomResourceDefinition", "widgets.example.com", 3, ns=None)
    crd["spec"] = {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}}
    assert steps(plan([crd, obj("Widget", "gadget", -2)])) == [
        ("Sync", -2, ["create CustomResourceDefinition/widgets.example.com"]),
        ("Sync", -2, ["create Widget/gadget"]),
    ]


def test_prunes_run_first_in_mirrored_waves() -> None:
    desired = [obj("ConfigMap", "a"), obj("Deployment", "web", 1)]
    extras = [obj("ConfigMap", "old-low", 0), obj("Secret", "old-high", 2)]
    # The highest wave is pruned in the first prune wave; in a wave, prunes come before applies.
    assert steps(plan(desired, extras=extras, prune=True)) == [
        ("Sync", 0, ["prune Secret/old-high"]),
        ("Sync", 0, ["create ConfigMap/a"]),
        ("Sync", 1, ["create Deployment/web"]),
        ("Sync", 2, ["prune ConfigMap/old-low"]),
    ]


def test_prune_last() -> None:
    desired = [obj("ConfigMap", "a"), obj("Deployment", "web", 1)]
    extras = [obj("ConfigMap", "old-low", 0), obj("Secret", "old-high", 2)]
    app = replace(APP, sync_options=("PruneLast=true",))
    # After the last Sync wave, prunes included (their mirrored waves are 0 and 2): wave 3.
    assert steps(plan(desired, extras=extras, app=app, prune=True))[-1] == (
        "Sync",
        3,
        ["prune Secret/old-high", "prune ConfigMap/old-low"],  # kind order: Secret before ConfigMap
    )
    one = [obj("ConfigMap", "old-low", 0, **{OPTIONS: "PruneLast=true"}), obj("Secret", "old-high", 2)]
    got = steps(plan(desired, extras=one, prune=True))
    # Only the marked one moves, to after the last wave (the other's mirrored wave 2 counts): wave 3.
    assert got[0] == ("Sync", 0, ["prune Secret/old-high"])
    assert got[-1] == ("Sync", 3, ["prune ConfigMap/old-low"])
    assert plan(desired, extras=one, prune=True).prunes[-1].options == ("PruneLast=true",)


def test_prune_false_delete_false_and_the_app_default() -> None:
    extras = [
        obj("ConfigMap", "keep", **{OPTIONS: "Prune=false"}),
        obj("PersistentVolumeClaim", "data", **{OPTIONS: "Delete=false"}),
        obj("ConfigMap", "stray"),
        obj("ConfigMap", "confirm", **{OPTIONS: "Prune=confirm"}),
    ]
    p = plan([], extras=extras, prune=True)
    assert [c.key.name for c in p.prunes] == ["confirm", "stray"]
    assert dict(zip([k.name for k in p.skipped_prunes], p.skip_reasons, strict=True)) == {
        "keep": "Prune=false",
        "data": "Delete=false: gitops-tui never deletes it",
    }
    assert p.prunes[0].options == ("Prune=confirm",)
    # The app's Prune=false is a default a resource overrides.
    app = replace(APP, sync_options=("Prune=false",))
    extras = [obj("ConfigMap", "stray"), obj("ConfigMap", "go", **{OPTIONS: "Prune=true"})]
    p = plan([], extras=extras, app=app, prune=True)
    assert [c.key.name for c in p.prunes] == ["go"] and [k.name for k in p.skipped_prunes] == ["stray"]
    assert not plan([], extras=extras, app=app).prunes  # and without prune, nothing is
    assert plan([], extras=extras, app=app).skip_reasons == ("prune not asked for", "Prune=false")


def deployment(name: str, selector: str, **annotations: str) -> dict:
    d = obj("Deployment", name, **annotations)
    d["spec"] = {"selector": {"matchLabels": {"app": selector}}, "replicas": 1}
    return d


def test_replace_and_force() -> None:
    git = [
        deployment("replaced", "v2", **{OPTIONS: "Replace=true"}),
        deployment("recreated", "v2", **{OPTIONS: "Force=true"}),  # an immutable field changes
        deployment("kept", "v2", **{OPTIONS: "Force=true,Delete=false"}),
        deployment("plain", "v2"),
        obj("ConfigMap", "new", **{OPTIONS: "Replace=true"}),
    ]
    live = [deployment(n, "v1") for n in ("replaced", "recreated", "kept", "plain")]
    p = {c.key.name: c for c in plan(git, live).changes}
    assert (p["replaced"].replace, p["replaced"].recreate, p["replaced"].will_fail) == (True, False, True)
    assert p["replaced"].immutable == ("/spec/selector/matchLabels/app",)
    assert (p["recreated"].recreate, p["recreated"].will_fail) == (True, False)
    assert (p["kept"].recreate, p["kept"].will_fail) == (False, True)  # never deleted: Delete=false
    assert p["kept"].options == ("Force=true", "Delete=false")
    assert (p["plain"].replace, p["plain"].recreate, p["plain"].will_fail) == (False, False, True)
    assert (p["new"].action, p["new"].replace) == ("create", True)  # Replace=true on a missing object: POST
    lines = "\n".join(plan_lines(plan(git, live)))
    assert "replace  Deployment.apps/shop/replaced" in lines
    assert (
        "recreate Deployment.apps/shop/recreated" in lines
        and "Force=true: deleted, then created again" in lines
    )
    assert "Force=true: not honoured: the object is marked Delete=false" in lines
    assert "Replace=true: created (POST), not applied" in lines
    # The app's Replace=true replaces everything; a needs-replace list-key change then goes through.
    app = replace(APP, sync_options=("Replace=true",))
    changes = plan(
        [{**obj("ConfigMap", "c"), "data": {"x": "2"}}],
        [{**obj("ConfigMap", "c"), "data": {"x": "1"}}],
        app=app,
    ).changes
    assert changes[0].replace and changes[0].options == ("Replace=true",)
    assert not replace(changes[0], needs_replace=True).will_fail


def test_apply_options_are_shown() -> None:
    git = [
        obj(
            "ConfigMap",
            "c",
            **{OPTIONS: "ServerSideApply=true,Validate=false,SkipDryRunOnMissingResource=true"},
        )
    ]
    lines = plan_lines(plan(git))
    assert "      ServerSideApply=true: applied server-side, as every gitops-tui apply" in lines
    assert "      Validate=false: gitops-tui never asks the server for strict field validation" in lines
    assert (
        "      SkipDryRunOnMissingResource=true: gitops-tui applies without a separate dry run first" in lines
    )


def test_create_namespace() -> None:
    app = replace(APP, sync_options=("CreateNamespace=true", "ApplyOutOfSyncOnly=true"))
    git = [obj("ConfigMap", "c", -3)]
    p = plan(git, app=app, missing_namespace=True)
    assert steps(p)[0] == ("PreSync", 0, ["create Namespace/shop"])
    namespace = p.changes[0].obj
    assert namespace == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}  # untracked
    assert p.notes == (
        "ApplyOutOfSyncOnly=true: only out-of-sync resources are applied (gitops-tui always does so)",
    )
    assert "      CreateNamespace=true: the destination namespace is missing: created first" in "\n".join(
        plan_lines(p)
    )
    # It exists, or Git declares it: nothing to create.
    assert plan(git, app=app).count("create") == 1
    declared = plan([*git, obj("Namespace", "shop", ns=None)], app=app, missing_namespace=True)
    assert [c.key.kind for c in declared.changes] == ["Namespace", "ConfigMap"]
    assert declared.changes[0].phase == "Sync"


def hook(name: str, phase: str, wave: int | None = None, **meta: str) -> dict:
    h = obj("Job", name, wave, **{"argocd.argoproj.io/hook": phase})
    if not name:
        del h["metadata"]["name"]
        h["metadata"].update(meta)
    return h


def test_hooks_are_listed_where_argo_would_run_them() -> None:
    git = [
        hook("", "PreSync", generateName="upgrade-sql-schema-"),
        obj("ReplicaSet", "backend"),
        obj("Service", "backend"),
        hook("maint-page-up", "Sync", 1),
        obj("ReplicaSet", "frontend", 2),
        hook("maint-page-down", "Sync", 3),
        hook("smoke", "PostSync"),
        hook("cleanup", "SyncFail"),
        hook("bye", "PostDelete"),
        obj("ConfigMap", "generated", **{"argocd.argoproj.io/hook": "Skip"}),
    ]
    p = plan(git)
    assert [h.name for h in p.hooks] == [
        "upgrade-sql-schema-…",
        "maint-page-up",
        "maint-page-down",
        "smoke",
        "cleanup",
    ]
    assert [c.key.name for c in p.changes] == ["backend", "backend", "frontend"]  # no hook, no Skip
    assert plan_lines(p) == [
        "sync waves: 3 to create, 0 to update, 0 to prune; 5 hook(s) not run by gitops-tui",
        "  [PreSync wave 0]",
        "  hook     PreSync Job.batch/shop/upgrade-sql-schema-…: not run by gitops-tui",
        "  [Sync wave 0]",
        "  create   Service/shop/backend",
        "  create   ReplicaSet.apps/shop/backend",
        "  [Sync wave 1]",
        "  hook     Sync Job.batch/shop/maint-page-up: not run by gitops-tui",
        "  [Sync wave 2]",
        "  create   ReplicaSet.apps/shop/frontend",
        "  [Sync wave 3]",
        "  hook     Sync Job.batch/shop/maint-page-down: not run by gitops-tui",
        "  [PostSync wave 0]",
        "  hook     PostSync Job.batch/shop/smoke: not run by gitops-tui",
        "  [SyncFail wave 0]",
        "  hook     SyncFail Job.batch/shop/cleanup: not run by gitops-tui (Argo CD runs it only when a sync fails)",
    ]
    # A selective sync runs no hooks in Argo CD: none listed, and said.
    some = plan(git, selected={ResourceKey.of(git[1])})
    assert some.hooks == () and some.notes == (
        "hooks do not run in a sync of selected resources (as in Argo CD)",
    )


def test_a_plan_of_one_wave_reads_as_before() -> None:
    lines = plan_lines(plan([obj("ConfigMap", "a"), obj("Service", "b")]))
    assert lines == [
        "sync waves: 2 to create, 0 to update, 0 to prune",
        "  create   ConfigMap/shop/a",
        "  create   Service/shop/b",
    ]
