"""Hooks as Argo CD tells them apart (gitops-engine pkg/sync/hook, pkg/sync/ignore; Argo CD's delete hooks),
and an app's hooks listed apart from its resources: never drift, never extra, never counted in sync."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gitops_tui.engine.compare import AppInputs, compare_app
from gitops_tui.engine.hooks import Role, classify, delete_policies, hook_statuses
from gitops_tui.engine.syncoptions import csv, wave_of
from gitops_tui.model import AppSpec, HealthStatus, ResourceKey, SyncStatus

APP = AppSpec(name="waves", path="waves", namespace="shop")
ARGO, HELM = "argocd.argoproj.io/hook", "helm.sh/hook"


def obj(
    kind: str = "Job", name: str = "migrate", annotations: dict[str, str] | None = None, **meta: Any
) -> dict:
    api = {"Job": "batch/v1", "ReplicaSet": "apps/v1", "Deployment": "apps/v1"}.get(kind, "v1")
    metadata: dict[str, Any] = {"namespace": "shop", **meta}
    if name:
        metadata["name"] = name
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": api, "kind": kind, "metadata": metadata}


@pytest.mark.parametrize(
    ("annotations", "role", "phases"),
    [
        ({ARGO: "PreSync"}, Role.SYNC, ("PreSync",)),
        ({ARGO: "Sync"}, Role.SYNC, ("Sync",)),
        ({ARGO: "PostSync"}, Role.SYNC, ("PostSync",)),
        ({ARGO: "SyncFail"}, Role.SYNC, ("SyncFail",)),
        ({ARGO: " PostSync , PreSync ,"}, Role.SYNC, ("PreSync", "PostSync")),  # trimmed, in run order
        ({ARGO: "Skip"}, Role.SKIP, ("Skip",)),
        ({ARGO: "Skip,PreSync"}, Role.SYNC, ("PreSync",)),  # Skip counts only alone
        ({ARGO: "PreDelete"}, Role.DELETE, ("PreDelete",)),
        ({ARGO: "PostDelete"}, Role.DELETE, ("PostDelete",)),
        ({ARGO: "PreSync,PostDelete"}, Role.SYNC, ("PreSync", "PostDelete")),
        ({ARGO: "Presync"}, Role.IGNORED, ()),  # no such type: Argo CD drops the object
        ({ARGO: ""}, Role.IGNORED, ()),
        ({HELM: "pre-install"}, Role.SYNC, ("PreSync",)),
        ({HELM: "pre-upgrade"}, Role.SYNC, ("PreSync",)),
        ({HELM: "post-install"}, Role.SYNC, ("PostSync",)),
        ({HELM: "post-upgrade"}, Role.SYNC, ("PostSync",)),
        ({HELM: "pre-install,pre-upgrade"}, Role.SYNC, ("PreSync",)),
        ({HELM: "post-install,pre-install"}, Role.SYNC, ("PreSync", "PostSync")),
        ({HELM: "pre-delete"}, Role.DELETE, ("PreDelete",)),
        ({HELM: "post-delete"}, Role.DELETE, ("PostDelete",)),
        ({HELM: "pre-install,pre-delete"}, Role.SYNC, ("PreSync", "PreDelete")),
        ({HELM: "test"}, Role.IGNORED, ()),
        ({HELM: "test-success"}, Role.IGNORED, ()),
        ({HELM: "pre-rollback"}, Role.IGNORED, ()),
        ({HELM: "post-rollback"}, Role.IGNORED, ()),
        ({ARGO: "PostSync", HELM: "pre-install"}, Role.SYNC, ("PostSync",)),  # Argo's own annotation wins
        ({ARGO: "Bogus", HELM: "pre-install"}, Role.SYNC, ("PreSync",)),  # ... unless it names nothing
        ({ARGO: "Skip", HELM: "pre-install"}, Role.SKIP, ("Skip",)),
    ],
)
def test_hook_classification(annotations: dict[str, str], role: Role, phases: tuple[str, ...]) -> None:
    hook = classify(obj(annotations=annotations))
    assert hook is not None
    assert (hook.role, hook.phases) == (role, phases)


@pytest.mark.parametrize(
    "annotations",
    [
        None,
        {HELM: "crd-install"},  # Helm calls it a hook; Argo CD applies it as a resource
        {"helm.sh/hook-weight": "5"},
        {"argocd.argoproj.io/sync-wave": "-1"},
        {"argocd.argoproj.io/hook-delete-policy": "HookSucceeded"},
    ],
)
def test_plain_resources_are_not_hooks(annotations: dict[str, str] | None) -> None:
    assert classify(obj("ConfigMap", annotations=annotations)) is None


@pytest.mark.parametrize(
    "odd",
    [
        {"kind": "ConfigMap"},
        {"kind": "ConfigMap", "metadata": None},
        {"kind": "ConfigMap", "metadata": "x"},
        {"kind": "ConfigMap", "metadata": {"annotations": None}},
        {"kind": "ConfigMap", "metadata": {"annotations": [ARGO, HELM]}},  # a list names no annotation
    ],
)
def test_odd_metadata_is_a_plain_resource(odd: dict[str, Any]) -> None:
    assert classify(odd) is None


def test_ignored_hooks_say_why() -> None:
    helm_test = classify(obj(annotations={HELM: "test"}))
    assert helm_test is not None and "Helm test hook" in helm_test.note and "ignored" in helm_test.note
    typo = classify(obj(annotations={ARGO: "Presync"}))
    assert typo is not None and "'Presync'" in typo.note


@pytest.mark.parametrize(
    ("annotations", "policies"),
    [
        ({}, ("BeforeHookCreation",)),  # Argo CD's default
        (
            {"argocd.argoproj.io/hook-delete-policy": "HookSucceeded,HookFailed"},
            ("HookSucceeded", "HookFailed"),
        ),
        ({"helm.sh/hook-delete-policy": "hook-succeeded"}, ("HookSucceeded",)),
        (
            {"helm.sh/hook-delete-policy": "before-hook-creation,hook-failed"},
            ("BeforeHookCreation", "HookFailed"),
        ),
        (
            {
                "argocd.argoproj.io/hook-delete-policy": "HookFailed",
                "helm.sh/hook-delete-policy": "hook-succeeded",
            },
            ("HookFailed", "HookSucceeded"),
        ),
        ({"argocd.argoproj.io/hook-delete-policy": "Always"}, ("BeforeHookCreation",)),  # unknown: left out
    ],
)
def test_delete_policies(annotations: dict[str, str], policies: tuple[str, ...]) -> None:
    assert delete_policies(obj(annotations={ARGO: "PreSync", **annotations})) == policies


@pytest.mark.parametrize(
    ("annotations", "wave"),
    [
        ({}, 0),
        ({"argocd.argoproj.io/sync-wave": "-1"}, -1),
        ({"argocd.argoproj.io/sync-wave": "+3"}, 3),
        ({"argocd.argoproj.io/sync-wave": " 5"}, 0),  # strconv.Atoi refuses spaces
        ({"argocd.argoproj.io/sync-wave": "1_0"}, 0),  # ... and underscores, which int() takes
        ({"helm.sh/hook-weight": "-2"}, -2),  # a Helm weight is a wave, hook or not (syncwaves.Wave)
        ({"argocd.argoproj.io/sync-wave": "x", "helm.sh/hook-weight": "4"}, 4),
        ({"argocd.argoproj.io/sync-wave": "1", "helm.sh/hook-weight": "4"}, 1),
    ],
)
def test_wave(annotations: dict[str, str], wave: int) -> None:
    assert wave_of(obj("ConfigMap", annotations=annotations)) == wave


def test_csv_trims_and_dedupes_in_order() -> None:
    assert csv(" Prune=false, ,Replace=true,Prune=false ") == ("Prune=false", "Replace=true")


def job(name: str, created: str, succeeded: bool = True, **annotations: str) -> dict:
    live = obj(name=name, annotations={ARGO: "PreSync", **annotations}, creationTimestamp=created)
    live["spec"] = {"completions": 1}
    condition = {"type": "Complete" if succeeded else "Failed", "status": "True"}
    live["status"] = (
        {"succeeded": 1, "conditions": [condition]} if succeeded else {"failed": 1, "conditions": [condition]}
    )
    return live


def test_hooks_are_matched_to_their_live_runs() -> None:
    named = obj(name="maint-page-up", annotations={ARGO: "Sync", "argocd.argoproj.io/sync-wave": "1"})
    generated = obj(name="", generateName="upgrade-sql-schema-", annotations={ARGO: "PreSync"})
    live = [
        job("maint-page-up", "2024-05-01T10:00:00Z"),
        job("upgrade-sql-schema-abc1234-presync-1", "2024-05-01T09:00:00Z"),
        job("upgrade-sql-schema-def5678-presync-2", "2024-05-02T09:00:00Z", succeeded=False),
        job("smoke-test", "2024-04-01T09:00:00Z"),  # a hook no longer in Git
    ]
    hooks = {h.name: h for h in hook_statuses([named, generated], live)}
    assert hooks["maint-page-up"].live_name == "maint-page-up"
    assert hooks["maint-page-up"].health is HealthStatus.HEALTHY and hooks["maint-page-up"].wave == 1
    newest = hooks["upgrade-sql-schema-…"]
    assert (
        newest.live_name == "upgrade-sql-schema-def5678-presync-2" and newest.health is HealthStatus.DEGRADED
    )
    assert newest.key.name == "" and newest.generate_name == "upgrade-sql-schema-"
    assert hooks["smoke-test"].in_git is False and "never pruned" in hooks["smoke-test"].note
    # The older run of the generateName hook is not listed as a hook of its own.
    assert len(hooks) == 3 and newest.note == "1 older run(s) still live"
    # Argo CD's order: phase (PreSync before Sync), wave, kind, name.
    assert [h.name for h in hook_statuses([named, generated], live)] == [
        "smoke-test",
        "upgrade-sql-schema-…",
        "maint-page-up",
    ]


def test_hooks_are_not_drift_and_never_extra() -> None:
    rs = obj("ReplicaSet", "backend")
    cm = obj("ConfigMap", "settings")
    pre = obj(name="", generateName="upgrade-sql-schema-", annotations={ARGO: "PreSync"})
    skip = obj("ConfigMap", "generated", annotations={ARGO: "Skip"})
    helm_test = obj("Pod", "test-connection", annotations={HELM: "test"})
    leftover = job("upgrade-sql-schema-abc-presync-1", "2024-05-01T09:00:00Z")
    inputs = AppInputs(
        app=APP,
        desired=[rs, cm, pre, skip, helm_test],  # not split by the caller: the engine splits them
        live={
            ResourceKey.of(rs): rs,
            ResourceKey.of(cm): cm,
            ResourceKey.of(skip): {**skip, "data": {"a": "drift"}},
        },
        extras=[leftover],
        server_side=False,
    )
    status = compare_app(inputs)
    assert status.sync is SyncStatus.SYNCED
    assert {r.key.name for r in status.resources} == {"backend", "settings"}
    assert [(h.phases, h.name) for h in status.hooks] == [
        (("PreSync",), "upgrade-sql-schema-…"),
        (("Skip",), "generated"),
        ((), "test-connection"),
    ]
    assert status.hooks[0].live_name == "upgrade-sql-schema-abc-presync-1"
    # A hook never counts in health: the failed run does not make the app Degraded.
    assert status.health is not HealthStatus.DEGRADED


def test_ignore_extraneous_only_spares_extraneous_objects() -> None:
    cm = obj("ConfigMap", "settings", annotations={"argocd.argoproj.io/compare-options": "IgnoreExtraneous"})
    generated = obj(
        "ConfigMap", "generated-abc", annotations={"argocd.argoproj.io/compare-options": "IgnoreExtraneous"}
    )
    inputs = AppInputs(
        app=APP, desired=[cm], live={ResourceKey.of(cm): cm}, extras=[generated], server_side=False
    )
    status = compare_app(inputs)
    extra = next(r for r in status.resources if r.key.name == "generated-abc")
    assert extra.sync is SyncStatus.REQUIRES_PRUNING and extra.compare_options == ("IgnoreExtraneous",)
    assert status.sync is SyncStatus.SYNCED  # still listed, but the app stays Synced
    # A drifted object carrying the option still makes the app OutOfSync (Argo CD: extraneous ones only).
    drifted = {**cm, "data": {"MODE": "live"}}
    inputs = AppInputs(
        app=APP,
        desired=[{**cm, "data": {"MODE": "git"}}],
        live={ResourceKey.of(cm): drifted},
        server_side=False,
    )
    assert compare_app(inputs).sync is SyncStatus.OUT_OF_SYNC


def test_the_apps_compare_options_are_said() -> None:
    app = replace(APP, compare_options=("ServerSideDiff=false", "IncludeMutationWebhook=true"))
    assert compare_app(AppInputs(app=app, desired=[], live={}, server_side=False)).notes == (
        "compare-options ServerSideDiff=false: compared client-side",
        "compare-options IncludeMutationWebhook=true: as always here: the server-side dry run runs the mutating webhooks",
    )


def test_a_live_only_skip_object_is_listed_apart_not_pruned() -> None:
    """Argo CD would call it OutOfSync (needs pruning) for ever and never prune it; here it is listed
    with the hooks, and the app is not OutOfSync because of it."""
    skip = obj("ConfigMap", "generated", annotations={ARGO: "Skip"})
    status = compare_app(AppInputs(app=APP, desired=[], live={}, extras=[skip], server_side=False))
    assert status.resources == () and status.sync is SyncStatus.SYNCED
    assert [(h.phases, h.name, h.in_git) for h in status.hooks] == [(("Skip",), "generated", False)]


def test_resource_status_carries_its_options() -> None:
    cm = obj(
        "ConfigMap", "settings", annotations={"argocd.argoproj.io/sync-options": "Prune=false,Replace=true"}
    )
    status = compare_app(AppInputs(app=APP, desired=[cm], live={}, server_side=False))
    assert status.resources[0].sync_options == ("Prune=false", "Replace=true")
