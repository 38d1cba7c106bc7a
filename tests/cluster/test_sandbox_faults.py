"""Failures over the wire become typed errors: 401, 403, 404, refused connections, timeouts."""

from __future__ import annotations

import pytest

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import (
    ClusterError,
    ClusterTimeout,
    ClusterUnreachable,
    Forbidden,
    ServerError,
    Unauthorized,
)
from gitops_tui.cluster.live import fetch_live
from tests.cluster.conftest import MANAGER, configmap, deployment, namespace


def test_wrong_token_is_unauthorized(tmp_path):
    from gitops_tui.sandbox.server import SandboxServer

    server = SandboxServer(port=0, token="s3cret").start()
    try:
        good = server.write_kubeconfig(tmp_path / "good", context="sandbox", token="s3cret")
        bad = server.write_kubeconfig(tmp_path / "bad", context="sandbox", token="wrong")
        with ClusterClient.from_kubeconfig(str(good)) as client:
            assert client.check_connection() is None
            client.apply(configmap("default", "x"), manager=MANAGER)
        with ClusterClient.from_kubeconfig(str(bad)) as client:
            with pytest.raises(Unauthorized) as info:
                client.discovery.resolve("v1", "ConfigMap")
            assert info.value.status == 401 and server.url.split("://")[1] in info.value.message
            with pytest.raises(Unauthorized):
                fetch_live(client, [("v1", "ConfigMap", "default")])
    finally:
        server.stop()


def test_rbac_denied_list_fails_only_that_kind(srv, client):
    client.apply(namespace("prod"), manager=MANAGER)
    for result in client.apply_many([configmap("prod", "a"), deployment("prod", "web")], manager=MANAGER):
        assert not isinstance(result, ClusterError)
    srv.rbac.deny("list", "deployments")
    snap = fetch_live(client, [("apps/v1", "Deployment", "prod"), ("v1", "ConfigMap", "prod")])
    err = snap.failed[("apps", "Deployment", "prod")]
    assert isinstance(err, Forbidden)
    assert err.message == 'forbidden: cannot list deployments.apps in namespace "prod"'
    assert (err.verb, err.resource, err.namespace) == ("list", "deployments.apps", "prod")
    assert not snap.listed("apps", "Deployment", "prod") and snap.listed("", "ConfigMap", "prod")
    assert len(snap.objects) == 1


def test_rbac_denied_patch(srv, client):
    srv.rbac.deny("patch", "configmaps")
    results = client.apply_many([configmap("default", "a")], manager=MANAGER)
    assert isinstance(results[0], Forbidden)
    assert results[0].message == 'forbidden: cannot patch configmaps "a" in namespace "default"'


def test_refused_connections(srv, client):
    assert client.check_connection() is None
    srv.faults.refuse = True
    err = client.check_connection()
    assert isinstance(err, ClusterUnreachable)
    with pytest.raises(ClusterUnreachable):
        fetch_live(client, [("v1", "ConfigMap", "default")])
    srv.faults.refuse = False
    assert client.check_connection() is None


def test_slow_server_times_out(sandbox):
    srv, kubeconfig = sandbox
    with ClusterClient.from_kubeconfig(str(kubeconfig), timeout=0.3) as client:
        assert client.discovery.resolve("v1", "ConfigMap") is not None
        srv.faults.latency_ms = 1500
        with pytest.raises(ClusterTimeout) as info:
            client.apply(configmap("default", "slow"), manager=MANAGER)
        assert "timed out" in info.value.message
        err = client.check_connection(timeout=0.3)
        assert isinstance(err, ClusterTimeout)


def test_injected_server_errors(srv, client):
    srv.faults.add_rule(
        method="GET", path_regex="/configmaps", status=503, message="apiserver overloaded", times=1
    )
    snap = fetch_live(client, [("v1", "ConfigMap", "default")])
    err = snap.failed[("", "ConfigMap", "default")]
    assert isinstance(err, ServerError) and err.status == 503 and "apiserver overloaded" in err.message
    assert not fetch_live(client, [("v1", "ConfigMap", "default")]).failed  # times=1
