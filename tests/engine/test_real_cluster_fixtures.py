"""Every case of the real-cluster corpus (`shared/fixtures/real-cluster`), in both diff modes.

Server-side: live against the captured dry-run prediction. Client-side: live against Git, offline. Each
must report exactly the case's `expected_drift_paths` for the drifted (or v2) state and nothing for the
synced state, with the deliberate differences written out below with their reasons.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tui.engine import diff
from gitops_tui.engine.managedfields import (
    csa_migration_patch,
    entries,
    is_client_side_applied,
    parse_conflict,
    takeovers,
)
from gitops_tui.engine.secrets import mask_drift
from gitops_tui.model import DiffMode, ResourceDiff, ResourceKey, SyncStatus

ROOT = Path(__file__).resolve().parents[1] / "data" / "shared" / "fixtures" / "real-cluster"
CASES = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


def load(case: str, name: str) -> Any:
    path = ROOT / case / name
    text = path.read_text()
    return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)


def meta(case: str) -> dict[str, Any]:
    data: dict[str, Any] = load(case, "case.json")
    return data


def has(case: str, name: str) -> bool:
    return (ROOT / case / name).exists()


def paths(result: ResourceDiff) -> list[str]:
    return [d.path for d in result.drift]


def test_corpus_is_complete() -> None:
    info = json.loads((ROOT / "capture-info.json").read_text())
    assert info["cases"] == CASES
    assert len(CASES) == 23
    assert all(meta(c)["verified"] for c in CASES)


# --- the synced state: nothing drifts -------------------------------------------------------------------

SYNCED = [c for c in CASES if has(c, "live-synced.json")]


@pytest.mark.parametrize("case", SYNCED)
def test_synced_state_is_in_sync_server_side(case: str) -> None:
    assert meta(case)["expect_synced_in_sync"] is True
    result = diff.server_side_diff(
        load(case, "git.yaml"), load(case, "live-synced.json"), load(case, "predicted-synced.json")
    )
    assert result.sync is SyncStatus.SYNCED, result.drift
    assert result.mode is DiffMode.SERVER_SIDE
    assert diff.quick_in_sync(
        load(case, "git.yaml"), load(case, "live-synced.json"), load(case, "predicted-synced.json")
    )


@pytest.mark.parametrize("case", SYNCED)
def test_synced_state_is_in_sync_client_side(case: str) -> None:
    result = diff.client_side_diff(load(case, "git.yaml"), load(case, "live-synced.json"))
    assert result.sync is SyncStatus.SYNCED, result.drift
    assert result.mode is DiffMode.CLIENT_SIDE


def test_crd_of_case_17_is_in_sync_both_ways() -> None:
    case = "17-crd-widget-defaulted"
    crd, live, predicted = (
        load(case, "crd.yaml"),
        load(case, "crd-live.json"),
        load(case, "crd-predicted.json"),
    )
    assert diff.server_side_diff(crd, live, predicted).sync is SyncStatus.SYNCED
    assert diff.client_side_diff(crd, live).sync is SyncStatus.SYNCED


# --- the drifted state ----------------------------------------------------------------------------------

DRIFTED = [c for c in CASES if has(c, "predicted-drifted.json")]

# Client-side mode reports the same as the server for every drifted case: where the drift action touched a
# field Git does not mention (03 env DEBUG, 07 replicas, 09 EXTRA_FLAG, 20 label, 21 suspend: the
# `tolerated_paths`), Git is silent about it, so a comparison of Git's fields does not flag it either.


@pytest.mark.parametrize("case", DRIFTED)
def test_drifted_state_server_side(case: str) -> None:
    m = meta(case)
    git, live = load(case, "git.yaml"), load(case, "live-drifted.json")
    result = diff.server_side_diff(git, live, load(case, "predicted-drifted.json"))
    assert paths(result) == m["expected_drift_paths"]
    assert (result.sync is SyncStatus.SYNCED) is m["expect_drifted_in_sync"]
    observed = {d["path"]: d for d in m["observed_drifted"]["drift"]}
    for field in result.drift:
        assert field.keyed_path == observed[field.path]["keyed_path"]
        if observed[field.path]["live"] != "<redacted>":
            assert field.live == observed[field.path]["live"]
            assert field.git == observed[field.path]["predicted"]
    for tolerated in m["tolerated_paths"]:
        assert tolerated not in paths(result)


@pytest.mark.parametrize("case", DRIFTED)
def test_drifted_state_client_side(case: str) -> None:
    m = meta(case)
    result = diff.client_side_diff(load(case, "git.yaml"), load(case, "live-drifted.json"))
    assert paths(result) == m["expected_drift_paths"]
    assert (result.sync is SyncStatus.SYNCED) is m["expect_drifted_in_sync"]


@pytest.mark.parametrize("case", DRIFTED)
def test_fast_path_agrees_with_the_full_diff(case: str) -> None:
    git, live, predicted = (
        load(case, "git.yaml"),
        load(case, "live-drifted.json"),
        load(case, "predicted-drifted.json"),
    )
    quick = diff.quick_in_sync(git, live, predicted)
    assert quick is (diff.server_side_diff(git, live, predicted).sync is SyncStatus.SYNCED)


# Who last set each drifted live value, from the live object's managedFields.
MANAGERS = {
    "01-deploy-replicas-scaled": {"/spec/replicas": "kubectl"},  # scale subresource, entry without time
    "02-deploy-image-set": {"/spec/template/spec/containers/0/image": "kubectl-set"},
    "08-service-clusterip": {"/spec/ports/0/targetPort": "kubectl-patch"},
    "09-configmap-multiline": {"/data/nginx.conf": "kubectl-patch"},
    "10-secret-stringdata": {"/data/password": "kubectl-patch"},
    "12-cronjob-suspended": {"/spec/suspend": "kubectl-patch"},
}


@pytest.mark.parametrize("case", sorted(MANAGERS))
@pytest.mark.parametrize("mode", ["server", "client"])
def test_drifted_fields_name_the_manager_and_time(case: str, mode: str) -> None:
    git, live = load(case, "git.yaml"), load(case, "live-drifted.json")
    if mode == "server":
        result = diff.server_side_diff(git, live, load(case, "predicted-drifted.json"))
    else:
        result = diff.client_side_diff(git, live)
    by_manager = {e.manager: e for e in entries(live)}
    assert {d.path: d.manager for d in result.drift} == MANAGERS[case]
    for field in result.drift:
        assert field.manager is not None
        assert field.time == by_manager[field.manager].time
    if case.startswith("01"):
        assert result.drift[0].time is None  # the scale-subresource entry has no time


CONFLICTS = [c for c in DRIFTED if has(c, "predicted-drifted.conflict.txt")]


@pytest.mark.parametrize("case", CONFLICTS)
def test_takeovers_are_what_the_server_conflict_listed(case: str) -> None:
    m = meta(case)
    assert m["expect_drifted_dry_run_conflict"] is True
    conflict = parse_conflict((ROOT / case / "predicted-drifted.conflict.txt").read_text())
    assert conflict, "the conflict message names at least one field"
    assert conflict == parse_conflict(m["dry_run_conflicts"]["predicted-drifted.json"])
    live, git = load(case, "live-drifted.json"), load(case, "git.yaml")
    assert takeovers(live, git, "gitops-tui") == conflict
    result = diff.server_side_diff(git, live, load(case, "predicted-drifted.json"))
    assert result.taken_over == conflict


@pytest.mark.parametrize("case", [c for c in DRIFTED if c not in CONFLICTS])
def test_no_takeover_where_the_server_saw_no_conflict(case: str) -> None:
    assert meta(case)["expect_drifted_dry_run_conflict"] is False
    assert takeovers(load(case, "live-drifted.json"), load(case, "git.yaml"), "gitops-tui") == ()


def test_case_01_conflict_names_the_scale_subresource_manager() -> None:
    case = "01-deploy-replicas-scaled"
    conflict = parse_conflict(meta(case)["dry_run_conflicts"]["predicted-drifted.json"])
    assert [(t.path, t.manager) for t in conflict] == [("/spec/replicas", "kubectl")]


def test_secret_drift_is_masked_case_10() -> None:
    case = "10-secret-stringdata"
    live = load(case, "live-drifted.json")
    result = diff.server_side_diff(load(case, "git.yaml"), live, load(case, "predicted-drifted.json"))
    masked = mask_drift(result.key, result.drift)
    text = repr(masked)
    assert live["data"]["password"] not in text
    assert "not-a-real-password" not in text
    assert masked[0].git != masked[0].live
    assert str(masked[0].git).startswith("***masked:")


# --- Git changed: v2 ------------------------------------------------------------------------------------


def test_env_removed_in_git_case_06_both_modes() -> None:
    case = "06-deploy-env-removed-in-git"
    m = meta(case)
    git, live = load(case, "git-v2.yaml"), load(case, "live-synced.json")
    server = diff.server_side_diff(git, live, load(case, "predicted-v2.json"))
    assert m["expect_v2_in_sync"] is False
    assert paths(server) == m["expected_drift_paths"] == ["/spec/template/spec/containers/0/env/0"]
    assert server.drift[0].keyed_path == m["observed_v2"]["drift"][0]["keyed_path"]
    assert server.drift[0].live == {"name": "FOO", "value": "bar"}
    assert server.drift[0].git is None
    # Offline there is no prediction: gitops-tui's own managedFields entry says it applied FOO, Git no longer
    # has it and nobody else holds it, so a sync would remove it.
    client = diff.client_side_diff(git, live)
    assert paths(client) == m["expected_drift_paths"]
    assert client.drift[0].manager == "gitops-tui"


FOO = "/spec/template/spec/containers/0/env/0"


def test_client_side_applied_then_raw_ssa_case_23() -> None:
    """A deliberate difference from the case's `expected_drift_paths: []`.

    The raw dry run keeps FOO because `kubectl-client-side-apply` still co-owns it, so a plain comparison of
    live with the prediction says "in sync" (that is what the case records). But a sync by gitops-tui
    migrates that ownership first, as kubectl does (`live-after-kubectl-ssa-v2.json`: FOO is gone), so FOO
    *is* drift: last-applied lists it, Git dropped it, live has it. Both modes must say so.
    """
    case = "23-client-side-applied-then-raw-ssa"
    m = meta(case)
    git, live, predicted = (
        load(case, "git-v2.yaml"),
        load(case, "live-synced.json"),
        load(case, "predicted-v2.json"),
    )
    assert m["expect_v2_in_sync"] is True and m["expected_drift_paths"] == []
    assert m["foo_in_live_after_kubectl_ssa_v2"] is False
    for result in (diff.server_side_diff(git, live, predicted), diff.client_side_diff(git, live)):
        assert result.sync is SyncStatus.OUT_OF_SYNC
        assert paths(result) == [FOO]
        assert result.drift[0].keyed_path == "/spec/template/spec/containers/[name=web]/env/[name=FOO]"
        assert result.drift[0].live == {"name": "FOO", "value": "bar"}
        assert result.drift[0].git is None
        assert result.drift[0].manager == "kubectl-client-side-apply"
    assert not diff.quick_in_sync(git, live, predicted)
    # After kubectl's real migrating apply, Git and live agree again.
    after = load(case, "live-after-kubectl-ssa-v2.json")
    assert not is_client_side_applied(after)
    assert diff.client_side_diff(git, after).sync is SyncStatus.SYNCED


def _apply_patch(obj: dict[str, Any], patch: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    for op in patch:
        assert op["op"] == "replace"
        *parents, leaf = op["path"].strip("/").split("/")
        target = out
        for p in parents:
            target = target[p]
        target[leaf] = op["value"]
    return out


def _managers(obj: dict[str, Any]) -> list[str]:
    out = []
    for e in entries(obj):
        text = f"{e.manager} {e.operation}"
        out.append(text + (f" subresource={e.subresource}" if e.subresource else ""))
    return sorted(out)


@pytest.mark.parametrize(
    ("case", "after_key"),
    [
        ("18-client-side-applied-deployment", "managers_live_after_ssa_apply"),
        ("23-client-side-applied-then-raw-ssa", "managers_live_after_kubectl_ssa_v2"),
    ],
)
def test_csa_migration_leaves_the_managers_kubectl_leaves(case: str, after_key: str) -> None:
    live = load(case, "live-synced.json")
    assert is_client_side_applied(live)
    patch = csa_migration_patch(live, "gitops-tui")
    assert patch is not None
    assert patch[1] == {
        "op": "replace",
        "path": "/metadata/resourceVersion",
        "value": live["metadata"]["resourceVersion"],
    }
    migrated = _apply_patch(live, patch)
    assert _managers(migrated) == sorted(meta(case)[after_key])
    assert csa_migration_patch(migrated, "gitops-tui") is None


def test_after_migration_our_ownership_alone_reveals_the_removal_case_23() -> None:
    case = "23-client-side-applied-then-raw-ssa"
    live = load(case, "live-synced.json")
    migrated = _apply_patch(live, csa_migration_patch(live, "gitops-tui") or [])
    del migrated["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    result = diff.client_side_diff(load(case, "git-v2.yaml"), migrated)
    assert paths(result) == [FOO]
    assert result.drift[0].manager == "gitops-tui"


def test_case_18_after_a_real_migrating_apply_is_still_in_sync() -> None:
    case = "18-client-side-applied-deployment"
    after = load(case, "live-after-ssa-apply.json")
    assert not is_client_side_applied(after)
    assert diff.client_side_diff(load(case, "git.yaml"), after).sync is SyncStatus.SYNCED


# --- not in Git, not live, not predictable --------------------------------------------------------------


def test_stray_object_requires_pruning_case_15() -> None:
    live = load("15-stray-configmap", "live.json")
    result = diff.extra(live)
    assert result.sync is SyncStatus.REQUIRES_PRUNING
    assert result.key == ResourceKey("", "ConfigMap", "fixtures", live["metadata"]["name"])


def test_object_only_in_git_is_missing_case_16() -> None:
    git = load("16-missing-deployment", "git.yaml")
    result = diff.missing(git)
    assert result.sync is SyncStatus.MISSING
    assert result.key == ResourceKey("apps", "Deployment", "fixtures", git["metadata"]["name"])
    assert result.drift == ()


def test_rejected_dry_run_falls_back_to_client_side_case_22() -> None:
    """The server refuses the dry run (422: the port number is the list key). `expected_drift_paths` is
    null there; offline, the renumbered port still has its unique name `http`, so it is paired with Git's
    entry and the drift reads port 80 -> 8080, which an apply cannot repair: a replace is needed."""
    case = "22-service-port-number-changed"
    error = (ROOT / case / "predicted-drifted.error.txt").read_text().strip()
    assert meta(case)["expected_drift_paths"] is None
    result = diff.fallback_after_rejected_dry_run(
        load(case, "git.yaml"), load(case, "live-drifted.json"), error
    )
    assert result.sync is SyncStatus.OUT_OF_SYNC
    assert result.needs_replace is True
    assert result.mode is DiffMode.CLIENT_SIDE
    assert error in result.note
    assert [(d.path, d.git, d.live, d.manager) for d in result.drift] == [
        ("/spec/ports/0/port", 80, 8080, "kubectl-patch")
    ]
    assert result.drift[0].keyed_path == "/spec/ports/[name=http]/port"
    assert meta(case)["drift_action_changed_paths"] == ["/spec/ports/0/port"]
    # The server would not list this as a conflict (it rejects instead): a new key is no takeover.
    assert result.taken_over == ()
