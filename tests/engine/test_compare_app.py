"""compare_app over the real-cluster fixtures: one app, every state a resource can be in."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from gitops_tui.engine.compare import AppInputs, DryRunFailure, compare_app, failed_app
from gitops_tui.engine.syncplan import plan_sync
from gitops_tui.model import AppSpec, HealthStatus, ResourceKey, SyncStatus

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "shared" / "fixtures" / "real-cluster"
APP = AppSpec(name="shop", path="shop", namespace="fixtures")


def _git(case: str, name: str = "git.yaml") -> dict:
    obj = yaml.safe_load((FIXTURES / case / name).read_text())
    obj.setdefault("metadata", {}).setdefault("namespace", "fixtures")
    return obj


def _json(case: str, name: str) -> dict:
    return json.loads((FIXTURES / case / name).read_text())


def _inputs() -> AppInputs:
    scaled, image, service, port, stray, missing, quantities = (
        "01-deploy-replicas-scaled",
        "02-deploy-image-set",
        "08-service-clusterip",
        "22-service-port-number-changed",
        "15-stray-configmap",
        "16-missing-deployment",
        "05-deploy-quantities",
    )
    desired = [_git(c) for c in (scaled, image, service, port, missing, quantities)]
    keys = [ResourceKey.of(o) for o in desired]
    live = {
        keys[0]: _json(scaled, "live-drifted.json"),
        keys[1]: _json(image, "live-drifted.json"),
        keys[2]: _json(service, "live-synced.json"),
        keys[3]: _json(port, "live-drifted.json"),
        keys[5]: _json(quantities, "live-synced.json"),
    }
    predicted = {
        keys[0]: _json(scaled, "predicted-drifted.json"),
        keys[1]: _json(image, "predicted-drifted.json"),
        keys[2]: _json(service, "predicted-synced.json"),
        keys[5]: _json(quantities, "predicted-synced.json"),
    }
    rejected = (FIXTURES / port / "predicted-drifted.error.txt").read_text().strip()
    return AppInputs(
        app=APP,
        desired=desired,
        live=live,
        extras=[_json(stray, "live.json")],
        predicted=predicted,
        dry_run_failures={keys[3]: DryRunFailure(422, rejected)},
    )


def test_every_resource_state_in_one_app() -> None:
    status = compare_app(_inputs(), revision="abc1234", context="fixtures", now=1.0)
    by_name = {(r.key.kind, r.key.name): r for r in status.resources}
    assert status.sync is SyncStatus.OUT_OF_SYNC
    scaled = by_name[("Deployment", "catalog")]
    assert scaled.sync is SyncStatus.OUT_OF_SYNC
    assert [(d.path, d.git, d.live, d.manager) for d in scaled.drift] == [("/spec/replicas", 3, 5, "kubectl")]
    image = next(r for r in status.resources if r.key.kind == "Deployment" and r.drift and r is not scaled)
    assert image.drift[0].manager == "kubectl-set"
    port = next(r for r in status.resources if r.needs_replace)
    assert port.key.kind == "Service" and port.sync is SyncStatus.OUT_OF_SYNC
    assert "422" in port.note or "Duplicate" in port.note or port.note
    missing = [r for r in status.resources if r.sync is SyncStatus.MISSING]
    assert len(missing) == 1 and missing[0].health is HealthStatus.MISSING
    prune = [r for r in status.resources if r.sync is SyncStatus.REQUIRES_PRUNING]
    assert [r.key.kind for r in prune] == ["ConfigMap"]
    synced = [r for r in status.resources if r.sync is SyncStatus.SYNCED]
    assert {r.key.kind for r in synced} == {"Service", "Deployment"}
    # No kubelet in the capture: Deployments never become available, so the app is not Healthy.
    assert status.health in (HealthStatus.PROGRESSING, HealthStatus.DEGRADED, HealthStatus.MISSING)


def test_a_failed_listing_makes_the_resource_unknown_and_blocks_prune() -> None:
    inputs = _inputs()
    first = ResourceKey.of(inputs.desired[0])
    inputs.list_failures = {first: 'forbidden: cannot list deployments.apps in namespace "fixtures"'}
    status = compare_app(inputs)
    res = next(r for r in status.resources if r.key == first)
    assert res.sync is SyncStatus.UNKNOWN and "forbidden" in res.error
    assert status.sync is SyncStatus.UNKNOWN and "forbidden" in status.error
    plan = plan_sync(status, {}, {}, prune=True)
    assert plan.blocked_reason.startswith("refusing to prune")
    # Without prune too: a resource whose live state is unknown is not applied blind.
    desired = {ResourceKey.of(o): o for o in inputs.desired}
    blind = plan_sync(status, desired, dict(inputs.live), prune=False)
    assert (
        blind.blocked_reason.startswith(f"cannot sync {first.display()}")
        and "forbidden" in blind.blocked_reason
    )
    # The other resources can still be chosen and synced.
    others = {k for k in desired if k != first}
    assert plan_sync(status, desired, dict(inputs.live), selected=others).blocked_reason == ""


def test_sync_plan_orders_and_counts() -> None:
    inputs = _inputs()
    status = compare_app(inputs)
    desired = {ResourceKey.of(o): o for o in inputs.desired}
    live = {**inputs.live, **{ResourceKey.of(o): o for o in inputs.extras}}
    plan = plan_sync(status, desired, live, prune=False)
    assert plan.count("create") == 1 and plan.count("update") == 3 and plan.count("prune") == 0
    assert [k.kind for k in plan.skipped_prunes] == ["ConfigMap"]
    kinds = [c.key.kind for c in plan.changes]
    assert kinds.index("Service") < kinds.index("Deployment")  # Argo CD kind order
    assert next(
        c for c in plan.changes if c.key.kind == "Service"
    ).will_fail  # list-key change: needs replace
    with_prune = plan_sync(status, desired, live, prune=True)
    assert with_prune.count("prune") == 1 and with_prune.blocked_reason == ""


def test_failed_app_is_unknown_with_reason() -> None:
    status = failed_app(APP, "path shop does not exist")
    assert status.sync is SyncStatus.UNKNOWN and status.health is HealthStatus.UNKNOWN
    assert status.error == "path shop does not exist"
