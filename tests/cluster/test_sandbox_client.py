"""ClusterClient against the sandbox API server: SSA apply and dry run, reads, deletes, JSON patch."""

from __future__ import annotations

import time

import pytest

from gitops_tui.cluster.errors import ClusterError, Conflict, Invalid, NotFound
from gitops_tui.model import ResourceKey, TakenOverField
from tests.cluster.conftest import MANAGER, configmap, deployment, namespace


def managers(obj: dict) -> set[str]:
    return {m["manager"] for m in obj["metadata"].get("managedFields") or ()}


def test_server_version_and_connection(client):
    assert client.server_version().startswith("v")
    assert client.check_connection() is None


def test_apply_creates_and_dry_run_does_not_persist(client):
    client.apply(namespace("shop"), manager=MANAGER)
    created = client.apply(deployment("shop", "web"), manager=MANAGER)
    assert created["metadata"]["resourceVersion"] and MANAGER in managers(created)
    assert created["spec"]["replicas"] == 1  # defaulted by the server
    dep = client.resource_of(created)
    predicted = client.apply(deployment("shop", "web", image="nginx:1.28"), manager=MANAGER, dry_run=True)
    assert predicted["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    live = client.get(dep, "shop", "web")
    assert live is not None and live["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert live["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    missing = client.apply(configmap("shop", "new"), manager=MANAGER, dry_run=True)
    assert missing["data"] == {"key": "value"}
    assert client.get(client.resource_of(missing), "shop", "new") is None


def test_object_without_namespace_goes_to_the_context_namespace(client):
    created = client.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}, manager=MANAGER
    )
    assert created["metadata"]["namespace"] == client.namespace == "default"


def test_conflict_without_force_lists_fields_and_managers(client):
    client.apply(namespace("shop"), manager=MANAGER)
    client.apply(deployment("shop", "web", replicas=2), manager=MANAGER)
    client.apply(deployment("shop", "web", replicas=5), manager="kubectl-edit", force=True)
    with pytest.raises(Conflict) as info:
        client.apply(deployment("shop", "web", replicas=2), manager=MANAGER, force=False, dry_run=True)
    assert TakenOverField("/spec/replicas", "kubectl-edit") in info.value.conflicts
    assert info.value.status == 409 and "\n" not in info.value.message
    forced = client.apply(deployment("shop", "web", replicas=2), manager=MANAGER, force=True, dry_run=True)
    assert forced["spec"]["replicas"] == 2


def test_invalid_object_is_422_with_causes(client):
    client.apply(namespace("shop"), manager=MANAGER)
    bad = deployment("shop", "web")
    bad["spec"]["replicas"] = -1
    with pytest.raises(Invalid) as info:
        client.apply(bad, manager=MANAGER, dry_run=True)
    assert info.value.status == 422
    assert info.value.message.startswith('invalid: Deployment.apps "web" is invalid: spec.replicas')
    assert [(c.field, c.reason) for c in info.value.causes] == [("spec.replicas", "FieldValueInvalid")]


def test_service_port_number_change_is_rejected_like_a_real_server(client):
    """Real-cluster fixture 22: a changed list key makes the SSA dry run fail with 422 (Duplicate value)."""
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "default"},
        "spec": {"selector": {"app": "api"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]},
    }
    client.apply(svc, manager=MANAGER)
    res = client.resource_of(svc)
    patch = [{"op": "replace", "path": "/spec/ports/0/port", "value": 8080}]
    client.json_patch(res, "default", "api", patch, manager="kubectl-patch")
    with pytest.raises(Invalid):
        client.apply(svc, manager=MANAGER, dry_run=True)


def test_unknown_kind_and_missing_name(client):
    with pytest.raises(NotFound) as info:
        client.apply(
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}, manager=MANAGER
        )
    assert info.value.message == "kind Widget (example.com/v1) is not served by the cluster"
    with pytest.raises(Invalid):
        client.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}, manager=MANAGER)


def test_get_missing_and_delete(client):
    cm = client.apply(configmap("default", "gone"), manager=MANAGER)
    res = client.resource_of(cm)
    assert client.get(res, "default", "nothing") is None
    client.delete(res, "default", "gone", dry_run=True)
    assert client.get(res, "default", "gone") is not None
    client.delete(res, "default", "gone")
    assert client.get(res, "default", "gone") is None
    with pytest.raises(NotFound):
        client.delete(res, "default", "gone")


def test_json_patch_sets_managed_fields_manager(client):
    cm = client.apply(configmap("default", "cfg", a="1"), manager=MANAGER)
    res = client.resource_of(cm)
    patched = client.json_patch(
        res, "default", "cfg", [{"op": "add", "path": "/data/b", "value": "2"}], manager="kubectl-patch"
    )
    assert patched["data"] == {"a": "1", "b": "2"}
    assert "kubectl-patch" in managers(patched)
    with pytest.raises(ClusterError):
        client.json_patch(res, "default", "cfg", [{"op": "test", "path": "/data/a", "value": "nope"}])


def test_apply_many_keeps_order_and_failures_in_place(client):
    objs = [configmap("default", f"cm-{i:02d}", n=str(i)) for i in range(40)]
    objs[7] = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default"},
    }
    results = client.apply_many(objs, manager=MANAGER)
    assert len(results) == 40
    assert isinstance(results[7], NotFound)
    for i, result in enumerate(results):
        if i != 7:
            assert not isinstance(result, ClusterError)
            assert ResourceKey.of(result) == ResourceKey("", "ConfigMap", "default", f"cm-{i:02d}")


def test_apply_many_runs_concurrently(srv, client):
    objs = [configmap("default", f"c-{i}") for i in range(16)]
    srv.faults.latency_ms = 250
    started = time.perf_counter()
    results = client.apply_many(objs, manager=MANAGER, dry_run=True)
    elapsed = time.perf_counter() - started
    assert not any(isinstance(r, ClusterError) for r in results)
    assert elapsed < 16 * 0.25 / 2  # one after another would take 4 s; 16 workers take ~0.25 s
