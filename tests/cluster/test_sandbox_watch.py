"""Watches against the sandbox: events after a LIST's resourceVersion, bookmarks, 410 Gone."""

from __future__ import annotations

import threading
import time

import pytest

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import Gone
from gitops_tui.cluster.watch import ADDED, DELETED, MODIFIED, watch
from tests.cluster.conftest import MANAGER, configmap


def test_watch_sees_changes_after_the_list(client):
    client.apply(configmap("default", "before"), manager=MANAGER)
    res = client.discovery.resolve("v1", "ConfigMap")
    assert res is not None
    _, rv = client.list(res, "default")

    def changes() -> None:
        time.sleep(0.2)
        client.apply(configmap("default", "after"), manager=MANAGER)
        client.apply(configmap("default", "after", k="v2"), manager=MANAGER)
        client.delete(res, "default", "after")

    writer = threading.Thread(target=changes)
    writer.start()
    seen = []
    events = watch(client, res, "default", resource_version=rv, timeout_seconds=5)
    for event in events:
        if event.type in (ADDED, MODIFIED, DELETED):
            seen.append((event.type, event.object["metadata"]["name"]))
            assert event.object["kind"] == "ConfigMap" and event.resource_version
        if len(seen) == 3:
            events.close()
            break
    writer.join()
    assert seen == [(ADDED, "after"), (MODIFIED, "after"), (DELETED, "after")]


def test_watch_ends_when_the_server_closes_it(client):
    res = client.discovery.resolve("v1", "ConfigMap")
    assert res is not None
    _, rv = client.list(res, "default")
    started = time.monotonic()
    events = [
        e
        for e in watch(client, res, "default", resource_version=rv, timeout_seconds=1)
        if e.type != "BOOKMARK"
    ]
    assert events == [] and time.monotonic() - started < 5


def test_too_old_resource_version_is_gone(tmp_path):
    from gitops_tui.sandbox.server import SandboxServer

    with SandboxServer(watch_history=2) as server:  # forgets all but the last two events, as etcd compacts
        config = server.write_kubeconfig(tmp_path / "kubeconfig")
        with ClusterClient.from_kubeconfig(str(config)) as client:
            res = client.discovery.resolve("v1", "ConfigMap")
            assert res is not None
            _, rv = client.list(res, "default")
            for i in range(5):
                client.apply(configmap("default", f"c{i}"), manager=MANAGER)
            with pytest.raises(Gone) as info:
                list(watch(client, res, "default", resource_version=rv, timeout_seconds=2))
            assert info.value.status == 410 and "relist" in info.value.message
            _, fresh = client.list(res, "default")  # the relist gives a version the watch accepts
            assert [
                e.type for e in watch(client, res, "default", resource_version=fresh, timeout_seconds=1)
            ] in (
                [],
                ["BOOKMARK"],
            )
