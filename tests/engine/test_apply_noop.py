"""`apply_is_noop`: deciding from managedFields alone that an SSA dry run would answer the live object
unchanged, so a cold reconcile need not send it. Checked against every state of the real-cluster corpus:
whenever it says "no-op", the server's own dry run found nothing to change."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from test_real_cluster_fixtures import CASES, has, load

from gitops_tui.engine import diff
from gitops_tui.engine.managedfields import apply_is_noop
from gitops_tui.model import SyncStatus

STATES = [
    (case, git, live, predicted)
    for case in CASES
    for git, live, predicted in (
        ("git.yaml", "live-synced.json", "predicted-synced.json"),
        ("git.yaml", "live-drifted.json", "predicted-drifted.json"),
        ("git-v2.yaml", "live-synced.json", "predicted-v2.json"),
    )
    if has(case, git) and has(case, live) and has(case, predicted)
]


def _strip(obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    meta = out.get("metadata", {})
    for noise in ("managedFields", "resourceVersion", "generation"):
        meta.pop(noise, None)
    out.pop("status", None)
    return out


@pytest.mark.parametrize(("case", "git", "live", "predicted"), STATES)
def test_a_noop_verdict_is_never_wrong(case: str, git: str, live: str, predicted: str) -> None:
    desired, current, answer = load(case, git), load(case, live), load(case, predicted)
    if apply_is_noop(current, desired, "gitops-tui"):
        # The server's dry run changed nothing that a diff could see...
        assert diff.server_side_diff(desired, current, answer).sync is SyncStatus.SYNCED
        # ...and literally nothing in the object.
        assert _strip(answer) == _strip(current)


def test_it_saves_the_dry_run_for_plain_synced_objects() -> None:
    saved = [
        c
        for c, g, lv, _ in STATES
        if lv == "live-synced.json"
        and g == "git.yaml"
        and apply_is_noop(load(c, lv), load(c, g), "gitops-tui")
    ]
    # Deployments, Services, ConfigMaps, a CRD instance, a Namespace: the common kinds of a repo.
    assert {"01-deploy-replicas-scaled", "02-deploy-image-set", "08-service-clusterip"} <= set(saved), saved
    assert len(saved) >= 10, saved


def test_another_manager_or_a_changed_field_means_a_dry_run() -> None:
    desired, live = (
        load("01-deploy-replicas-scaled", "git.yaml"),
        load("01-deploy-replicas-scaled", "live-synced.json"),
    )
    assert apply_is_noop(live, desired, "gitops-tui")
    assert not apply_is_noop(live, desired, "argocd-controller")  # never applied by that manager
    changed = copy.deepcopy(desired)
    changed["spec"]["replicas"] = 4
    assert not apply_is_noop(live, changed, "gitops-tui")
    quoted = copy.deepcopy(desired)
    quoted["spec"]["replicas"] = "3"  # the server would convert or refuse it: ask the server
    assert not apply_is_noop(live, quoted, "gitops-tui")


def test_a_field_removed_from_git_is_not_a_noop() -> None:
    desired, live = (
        load("01-deploy-replicas-scaled", "git.yaml"),
        load("01-deploy-replicas-scaled", "live-synced.json"),
    )
    fewer = copy.deepcopy(desired)
    del fewer["metadata"]["labels"]["app.kubernetes.io/instance"]
    assert not apply_is_noop(live, fewer, "gitops-tui")  # still owned: the apply would remove it
    no_replicas = copy.deepcopy(desired)
    del no_replicas["spec"]["replicas"]
    assert not apply_is_noop(live, no_replicas, "gitops-tui")


def test_a_new_list_item_in_git_is_not_a_noop() -> None:
    desired, live = (
        load("01-deploy-replicas-scaled", "git.yaml"),
        load("01-deploy-replicas-scaled", "live-synced.json"),
    )
    more = copy.deepcopy(desired)
    more["spec"]["template"]["spec"]["containers"].append({"name": "sidecar", "image": "envoy:1"})
    assert not apply_is_noop(live, more, "gitops-tui")
    port = copy.deepcopy(desired)
    port["spec"]["template"]["spec"]["containers"][0]["ports"].append(
        {"name": "metrics", "containerPort": 9090}
    )
    assert not apply_is_noop(live, port, "gitops-tui")


def test_deleting_or_client_side_applied_objects_always_ask_the_server() -> None:
    desired, live = (
        load("01-deploy-replicas-scaled", "git.yaml"),
        load("01-deploy-replicas-scaled", "live-synced.json"),
    )
    going = copy.deepcopy(live)
    going["metadata"]["deletionTimestamp"] = "2026-11-21T21:10:00Z"
    assert not apply_is_noop(going, desired, "gitops-tui")
    csa = copy.deepcopy(live)
    csa["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
    assert not apply_is_noop(csa, desired, "gitops-tui")
