"""Fault injection, auth, RBAC denials, the request log, restart keeping state, and the subprocess mode."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import urllib3

from gitops_tui.sandbox.server import SandboxServer
from tests.sandbox.conftest import namespace
from tests.sandbox.rest import Rest

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}


def test_token_is_required_when_set(tmp_path: Path) -> None:
    with SandboxServer(token="s3cret") as server:
        good = Rest(server.write_kubeconfig(tmp_path / "good"))
        assert good.get("/api/v1/namespaces").status == 200
        bad = Rest(server.write_kubeconfig(tmp_path / "bad", token="wrong"))
        resp = bad.get("/api/v1/namespaces")
        assert resp.status == 401 and resp.body["reason"] == "Unauthorized"
        good.close()
        bad.close()


def test_rbac_denial_uses_the_real_message(rest: Rest, server: SandboxServer) -> None:
    server.rbac.user = "x"
    server.rbac.deny("list", "deployments")
    resp = rest.get("/apis/apps/v1/namespaces/ns/deployments")
    assert resp.status == 403 and resp.body["reason"] == "Forbidden"
    assert resp.body["message"] == (
        'deployments.apps is forbidden: User "x" cannot list resource "deployments" in API group "apps" '
        'in the namespace "ns"'
    )
    server.rbac.deny("patch", "configmaps")  # an apply is a patch for RBAC
    applied = rest.apply("/api/v1/namespaces/default/configmaps/c", CM)
    assert applied.status == 403
    assert applied.body["message"] == (
        'configmaps "c" is forbidden: User "x" cannot patch resource "configmaps" in API group "" '
        'in the namespace "default"'
    )
    assert rest.get("/api/v1/namespaces/default/configmaps").status == 200
    server.rbac.deny("list", "namespaces")
    cluster = rest.get("/api/v1/namespaces")
    assert cluster.body["message"].endswith(
        'cannot list resource "namespaces" in API group "" at the cluster scope'
    )


def test_rules_answer_targeted_errors_a_number_of_times(rest: Rest, server: SandboxServer) -> None:
    server.faults.add_rule(method="GET", path_regex=r"/configmaps$", status=500, message="boom", times=2)
    first = rest.get("/api/v1/namespaces/default/configmaps")
    assert first.status == 500 and first.body["message"] == "boom" and first.body["reason"] == "InternalError"
    assert rest.get("/api/v1/namespaces/default/configmaps").status == 500
    assert rest.get("/api/v1/namespaces/default/configmaps").status == 200
    assert rest.get("/api/v1/namespaces/default").status == 200
    server.faults.rules.add_rule(path_regex="secrets", status=409)
    assert rest.get("/api/v1/namespaces/default/secrets").body["reason"] == "Conflict"
    server.faults.clear()
    assert rest.get("/api/v1/namespaces/default/secrets").status == 200


def test_hanging_rule_times_the_client_out(rest: Rest, server: SandboxServer) -> None:
    # status 0: hang, then answer normally (the client's retries meet the hang too)
    server.faults.add_rule(path_regex="/version", hang_seconds=1, status=0)
    # the pool's retries meet the hang too, so the timeout may arrive wrapped in MaxRetryError
    with pytest.raises((urllib3.exceptions.ReadTimeoutError, urllib3.exceptions.MaxRetryError)):
        rest.request("GET", "/version", timeout=0.3)
    start = time.monotonic()
    assert rest.get("/version").status == 200
    assert time.monotonic() - start >= 1
    server.faults.rules.clear()


def test_latency_error_rate_and_refused_connections(rest: Rest, server: SandboxServer) -> None:
    server.faults.latency_ms = 150
    start = time.monotonic()
    rest.get("/version")
    assert time.monotonic() - start >= 0.15
    server.faults.latency_ms = 0
    server.faults.error_rate = 1.0
    assert rest.get("/api/v1/namespaces").status == 500
    server.faults.error_rate = 0.0
    server.faults.refuse = True
    with pytest.raises(urllib3.exceptions.HTTPError):
        rest.request("GET", "/version", timeout=2)
    server.faults.refuse = False
    assert rest.get("/version").status == 200


def test_request_log_counts_by_verb_resource_and_dry_run(rest: Rest, server: SandboxServer) -> None:
    server.requests.clear()
    namespace(rest, "team")
    rest.apply("/api/v1/namespaces/team/configmaps/c", CM)
    rest.apply("/api/v1/namespaces/team/configmaps/c", CM, dry_run=True)
    rest.apply("/api/v1/namespaces/team/configmaps/c", CM, dry_run=True)
    rest.get("/api/v1/namespaces/team/configmaps")
    rest.get("/apis/apps/v1/namespaces/team/deployments")
    rest.get("/api/v1/namespaces/team/configmaps/c")
    log = server.requests
    assert log.count(verb="apply") == 3
    assert log.count(verb="apply", dry_run=True) == 2
    assert log.count(verb="apply", dry_run=False) == 1
    assert log.count(verb="list") == 2
    assert log.count(verb="list", resource="deployments") == 1
    assert log.count(verb="list", resource="deployments.apps") == 1
    assert log.count(verb="get", resource="configmaps") == 1
    assert log.count(verb="create", resource="namespaces") == 1
    log.clear()
    assert log.count() == 0


def test_restart_keeps_objects_and_the_port(tmp_path: Path) -> None:
    server = SandboxServer().start()
    kubeconfig = server.write_kubeconfig(tmp_path / "kc")
    rest = Rest(kubeconfig)
    namespace(rest, "team")
    rv = rest.create("/api/v1/namespaces/team/configmaps", CM).body["metadata"]["resourceVersion"]
    port = server.port
    server.stop()
    with pytest.raises(urllib3.exceptions.HTTPError):
        rest.request("GET", "/version", timeout=2)
    server.start()
    assert server.port == port
    again = rest.get("/api/v1/namespaces/team/configmaps/c")
    assert again.status == 200 and again.body["metadata"]["resourceVersion"] == rv
    rest.close()
    server.stop()


def test_subprocess_mode_prints_url_writes_kubeconfig_and_stops_on_sigterm(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gitops_tui.sandbox",
            "--port",
            "0",
            "--kubeconfig",
            str(kubeconfig),
            "--latency-ms",
            "1",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        rest = Rest(kubeconfig)
        assert rest.get("/version").status == 200
        namespace(rest, "sub")
        rest.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
