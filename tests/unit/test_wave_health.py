"""Between waves, a sync waits for what the wave before applied to be healthy, as Argo CD does: Degraded
stops it at once, kinds without a health check are not even read."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from gitops_tui.actions.sync import SyncActions
from gitops_tui.audit import AuditLog
from gitops_tui.config import Settings
from gitops_tui.engine.syncplan import PlannedChange
from gitops_tui.model import ResourceKey


class Client:
    def __init__(self, live: dict[str, Any]) -> None:
        self.live = live
        self.reads: list[str] = []

    def resource_of(self, obj: dict) -> str:
        return obj["kind"]

    def get(self, res: str, namespace: str | None, name: str) -> dict | None:
        self.reads.append(name)
        return self.live.get(name)


def deployment(name: str, available: bool, failed: bool = False) -> dict:
    conditions = [{"type": "Available", "status": "True" if available else "False"}]
    if failed:
        conditions.append({"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"})
    status = {
        "replicas": 1,
        "updatedReplicas": 1,
        "availableReplicas": 1 if available else 0,
        "conditions": conditions,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop", "generation": 1},
        "spec": {"replicas": 1},
        "status": {**status, "observedGeneration": 1, "readyReplicas": status["availableReplicas"]},
    }


def change(obj: dict) -> PlannedChange:
    return PlannedChange(ResourceKey.of(obj), "update", obj=obj)


def actions(tmp_path: Path) -> SyncActions:
    ws = SimpleNamespace(settings=Settings(health_timeout=0.0))
    return SyncActions(ws, AuditLog(tmp_path / "audit.jsonl"), sleep=lambda _s: None)  # type: ignore[arg-type]


def test_healthy_goes_on_and_unchecked_kinds_are_not_read(tmp_path: Path) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}}
    client = Client({"web": deployment("web", available=True)})
    problem = actions(tmp_path)._wait_healthy(
        client, [change(cm), change(deployment("web", False))], ("Sync", 0)
    )  # type: ignore[arg-type]
    assert problem == "" and client.reads == ["web"]


def test_degraded_stops_the_sync(tmp_path: Path) -> None:
    client = Client({"web": deployment("web", available=False, failed=True)})
    problem = actions(tmp_path)._wait_healthy(client, [change(deployment("web", False))], ("Sync", -1))  # type: ignore[arg-type]
    assert problem.startswith("Deployment.apps/shop/web is Degraded after Sync wave -1 (")
    assert problem.endswith("); later waves were not attempted")


def test_gone_is_waited_for_then_said(tmp_path: Path) -> None:
    client = Client({})
    problem = actions(tmp_path)._wait_healthy(client, [change(deployment("web", False))], ("Sync", 2))  # type: ignore[arg-type]
    assert problem == (
        "Deployment.apps/shop/web still Missing 0 s after Sync wave 2 (not found in the cluster); "
        "later waves were not attempted"
    )
