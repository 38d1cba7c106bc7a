"""Cluster faults injected in the sandbox: every fault shows its reason on the app it hits (status --json and
the Workspace snapshot), the other apps keep working, nothing is written or pruned on the strength of a
failed read, and the same Workspace recovers once the fault is gone."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from gitops_tui.cluster.errors import ClusterUnreachable, Gone
from gitops_tui.cluster.watch import watch
from gitops_tui.model import ResourceKey, SyncStatus
from gitops_tui.sandbox.kubectl import Kubectl
from gitops_tui.sandbox.server import SandboxServer

from .conftest import Env, no_traceback
from .reltools import commit_all, write, writes


def sync_of(apps: dict[str, Any]) -> dict[str, str]:
    return {name: a["sync"] for name, a in apps.items()}


def assert_web_fine(apps: dict[str, Any]) -> None:
    """The app the fault does not touch is compared as usual."""
    assert apps["web"]["sync"] == "Synced" and apps["web"]["error"] == "", apps["web"]


def stray(env: Env, name: str = "stray", app: str = "api", ns: str = "api") -> None:
    env.kubectl.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": name,
                "namespace": ns,
                "annotations": {"argocd.argoproj.io/tracking-id": f"{app}:/ConfigMap:{ns}/{name}"},
            },
            "data": {"x": "1"},
        }
    )


def test_baseline_everything_in_sync(env: Env) -> None:
    code, apps, err = env.status()
    assert code == 0, err
    assert sync_of(apps) == {"api": "Synced", "web": "Synced"}


def test_connection_refused_is_one_reason_per_app_and_recovers(env: Env) -> None:
    before = len(env.server.requests.records)
    env.server.faults.refuse = True
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 2
    for app in apps.values():
        assert app["sync"] == "Unknown" and "connection" in app["error"], app
        assert app["resources"] == []  # nothing claimed about resources we could not see
    # The Workspace (the TUI's collaborator) shows the same, then recovers on the next reconcile.
    snap = env.ws.reconcile_once()
    assert all(a.sync is SyncStatus.UNKNOWN and "connection" in a.error for a in snap.apps)
    env.server.faults.refuse = False
    snap = env.ws.reconcile_once()
    assert [a.sync for a in snap.apps] == [SyncStatus.SYNCED, SyncStatus.SYNCED]
    assert writes(env.server, before) == []


def test_server_down_the_process_tells_where(env: Env) -> None:
    env.server.stop()
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 2
    assert all("refused" in a["error"] and "127.0.0.1" in a["error"] for a in apps.values()), apps
    env.server.start()  # same port: the fixture's teardown and the next status see it again
    assert env.status()[0] == 0


def test_a_hung_listing_times_out_for_its_app_only(env: Env) -> None:
    env.server.faults.add_rule(method="GET", path_regex=r"/namespaces/api/configmaps", hang_seconds=4)
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 2
    assert apps["api"]["sync"] == "Unknown"
    assert "timed out" in apps["api"]["error"] and "configmaps" in apps["api"]["error"], apps["api"]
    assert_web_fine(apps)


def test_slow_responses_change_nothing_but_the_wait(env: Env) -> None:
    env.server.faults.latency_ms = 40
    code, apps, err = env.status()
    assert code == 0, err
    assert sync_of(apps) == {"api": "Synced", "web": "Synced"}
    env.kubectl.scale("Deployment", "web", "web", 4)
    code, apps, _ = env.status()
    assert code == 1 and apps["web"]["sync"] == "OutOfSync"
    [drifted] = [r for r in apps["web"]["resources"] if r["sync"] == "OutOfSync"]
    assert drifted["kind"] == "Deployment" and [d["path"] for d in drifted["drift"]] == ["/spec/replicas"]


def test_intermittent_500s_never_crash_and_a_clean_round_is_exact(env: Env) -> None:
    env.server.faults.error_rate = 0.3
    for _ in range(3):
        code, apps, err = env.status()
        no_traceback(err)
        assert code in (0, 2)
        for app in apps.values():
            assert app["sync"] in ("Synced", "Unknown")
            if app["sync"] == "Unknown":
                assert app["error"] or any(r["sync"] == "Unknown" for r in app["resources"]), app
    env.server.faults.error_rate = 0
    assert sync_of(env.status()[1]) == {"api": "Synced", "web": "Synced"}


def test_unauthorized_says_credentials_were_rejected(env: Env) -> None:
    env.server.faults.add_rule(status=401, message="Unauthorized")
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 2
    for app in apps.values():
        assert app["sync"] == "Unknown" and "unauthorized" in app["error"], app


def test_forbidden_for_one_kind_only_hits_only_that_kind(env: Env) -> None:
    # Only the api app has a Service; RBAC forbids listing Services.
    write(
        env.repo,
        "api/service.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "api"},
                "spec": {"selector": {"app": "api"}, "ports": [{"port": 80}]},
            }
        ],
    )
    (env.repo / "api/kustomization.yaml").write_text(
        (env.repo / "api/kustomization.yaml").read_text() + "  - service.yaml\n"
    )
    commit_all(env.repo, "api: service")
    env.server.rbac.deny("list", "services")
    code, apps, err = env.status()
    no_traceback(err)
    assert code == 2
    api = apps["api"]
    assert api["sync"] == "Unknown"
    assert 'forbidden: cannot list services in namespace "api"' in api["error"], api
    by_kind = {r["kind"]: r["sync"] for r in api["resources"]}
    assert by_kind["Service"] == "Unknown"
    # The kinds it may read are still compared.
    assert by_kind["Deployment"] == by_kind["ConfigMap"] == "Synced"
    assert_web_fine(apps)
    # diff says why in one line and does not show the unreadable Service as deleted.
    code, out, err = env.cli("diff", "api")
    assert code == 2
    assert err == 'gitops-tui: Service/api/api: forbidden: cannot list services in namespace "api"\n'
    assert "# Service/api/api: Unknown (forbidden" in out and "\n-kind: Service" not in out, out


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("rbac", "forbidden"),
        ("500", "server error"),
        ("hang", "timed out"),
        ("410", "gone"),
    ],
)
def test_no_prune_after_a_failed_listing(env: Env, fault: str, reason: str) -> None:
    stray(env)
    listing = r"/namespaces/api/configmaps(\?|$)"
    if fault == "rbac":
        env.server.rbac.deny("list", "configmaps")
    elif fault == "hang":
        env.server.faults.add_rule(method="GET", path_regex=listing, status=0, hang_seconds=3)
    else:
        env.server.faults.add_rule(method="GET", path_regex=listing, status=int(fault))
    plan = env.actions.plan_sync("api", prune=True)
    assert "refusing to prune" in plan.blocked_reason and reason in plan.blocked_reason, plan.blocked_reason
    before = len(env.server.requests.records)
    with pytest.raises(Exception, match="refusing to prune"):
        env.actions.sync(plan)
    assert writes(env.server, before) == []
    env.quiet()
    assert env.kubectl.get("ConfigMap", "api", "stray") is not None


CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                },
            }
        ],
    },
}


def test_a_vanished_crd_is_that_apps_problem(env: Env) -> None:
    from .reltools import application, namespace

    write(env.repo, "apps/widgets.yaml", [application("widgets", "widgets", "widgets")])
    write(env.repo, "widgets/crd.yaml", [namespace("widgets"), CRD])
    write(
        env.repo,
        "widgets/widget.yaml",
        [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}}],
    )
    commit_all(env.repo, "widgets")
    from gitops_tui.sandbox.demo import initial_sync

    # The CRD first (a Widget's scope is known only once the kind is served), then the Widget.
    client = env.ws.client()
    client.apply(CRD, manager="kubectl")
    client.discovery.refresh()
    initial_sync(env.ws.client(), env.ws.desired_objects(["widgets"]))
    code, apps, err = env.status()
    assert code == 0, (err, apps)
    # Someone deletes the CRD (and with it every Widget): the kind is no longer served.
    crds = client.discovery.for_kind("apiextensions.k8s.io", "CustomResourceDefinition")
    assert crds is not None
    client.delete(crds, None, "widgets.example.com")
    code, apps, err = env.status()
    no_traceback(err)
    widgets = apps["widgets"]
    assert widgets["sync"] != "Synced"
    # Not an error: nothing of a kind that is not served can be live. The Widget is Missing, and says
    # that its CRD is in this app, so a sync creates the CRD first.
    widget = next(r for r in widgets["resources"] if r["kind"] == "Widget")
    assert widget["sync"] == "Missing"
    assert "CustomResourceDefinition is in this app" in widget["note"], widget
    assert sync_of(apps)["api"] == "Synced"
    assert_web_fine(apps)
    # The TUI's Workspace, which had listed Widgets before (warm discovery cache), says the same.
    snap = env.ws.reconcile_once()
    w = snap.app("widgets")
    assert w is not None and w.sync is not SyncStatus.SYNCED
    api = snap.app("api")
    assert api is not None and api.sync is SyncStatus.SYNCED


def test_conflict_during_sync_reports_which_resources_were_applied(env: Env) -> None:
    env.kubectl.scale("Deployment", "api", "api", 5)
    write(
        env.repo,
        "api/config.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "api-config"},
                "data": {"MODE": "canary"},
            }
        ],
    )
    commit_all(env.repo, "api: canary")
    plan = env.actions.plan_sync("api")
    assert {c.key.kind for c in plan.changes if c.action == "update"} == {"Deployment", "ConfigMap"}
    env.server.faults.add_rule(
        method="PATCH",
        path_regex=r"/deployments/api\?(?!.*dryRun=All)",
        status=409,
        message='Operation cannot be fulfilled on deployments.apps "api": the object has been modified; please apply your changes to the latest version and try again',
    )
    before = len(env.server.requests.records)
    result = env.actions.sync(plan)
    assert not result.ok
    assert {r.key.kind for r in result.applied} == {"ConfigMap"}
    [failed] = result.failed
    assert failed.key.kind == "Deployment" and "conflict" in failed.message and "modified" in failed.message
    # What the server received matches what the result claims: one apply per resource, no delete.
    sent = writes(env.server, before)
    assert sorted(p.split("?")[0] for _m, p in sent) == [
        "/api/v1/namespaces/api/configmaps/api-config",
        "/apis/apps/v1/namespaces/api/deployments/api",
    ], sent
    assert env.audit.entries()[0].result == "partial"


def test_invalid_resource_shows_the_servers_reason_and_others_apply(env: Env) -> None:
    write(
        env.repo,
        "api/config.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "api-config"},
                "data": {"MODE": "canary"},
            }
        ],
    )
    text = (env.repo / "api/deployment.yaml").read_text().replace("app:1.0.0", "app:1.1.0")
    (env.repo / "api/deployment.yaml").write_text(text)
    commit_all(env.repo, "api: 1.1.0")
    plan = env.actions.plan_sync("api")
    msg = (
        'Deployment.apps "api" is invalid: spec.template.spec.containers[0].image: Invalid value: "app:1.1.0"'
    )
    env.server.faults.add_rule(
        method="PATCH", path_regex=r"/deployments/api\?(?!.*dryRun=All)", status=422, message=msg
    )
    result = env.actions.sync(plan)
    assert {r.key.kind for r in result.applied} == {"ConfigMap"}
    assert [f"{r.key.kind}: {r.message}" for r in result.failed] == [f"Deployment: invalid: {msg}"]
    env.quiet()
    snap = env.ws.reconcile_once(only=["api"])
    by = {r.key.kind: r.sync for r in snap.app("api").resources}  # type: ignore[union-attr]
    # Nothing half-applied is reported as fixed: the Deployment still differs from Git.
    assert by["ConfigMap"] is SyncStatus.SYNCED and by["Deployment"] is SyncStatus.OUT_OF_SYNC


WEBHOOK = 'admission webhook "policy.example.com" denied the request: image tag 1.1.0 is not signed'


def test_admission_webhook_denial_quotes_the_webhook(env: Env) -> None:
    text = (env.repo / "api/deployment.yaml").read_text().replace("app:1.0.0", "app:1.1.0")
    (env.repo / "api/deployment.yaml").write_text(text)
    commit_all(env.repo, "api: 1.1.0")
    # A webhook denies the real apply and the dry run alike (dry runs go through admission).
    env.server.faults.add_rule(method="PATCH", path_regex=r"/deployments/api\?", status=403, message=WEBHOOK)
    code, apps, err = env.status()
    no_traceback(err)
    dep = next(r for r in apps["api"]["resources"] if r["kind"] == "Deployment")
    assert dep["sync"] == "OutOfSync"  # the client-side diff still sees the image change
    assert WEBHOOK in dep.get("note", ""), dep  # and says why it could not ask the server
    assert_web_fine(apps)
    code, out, err = env.cli("diff", "api", "--resource", "Deployment/api/api")
    assert code == 1 and WEBHOOK in out, (out, err)
    plan = env.actions.plan_sync("api")
    result = env.actions.sync(plan)
    [failed] = result.failed
    assert failed.key.kind == "Deployment"
    assert WEBHOOK in failed.message, failed.message
    assert WEBHOOK in env.audit.entries()[0].details["failed"][0]


def test_an_apply_that_times_out_is_reported_as_such(env: Env) -> None:
    env.kubectl.scale("Deployment", "api", "api", 5)
    plan = env.actions.plan_sync("api")
    env.server.faults.add_rule(
        method="PATCH", path_regex=r"/deployments/api\?(?!.*dryRun=All)", status=0, hang_seconds=3
    )
    result = env.actions.sync(plan)
    [failed] = result.failed
    assert failed.key.kind == "Deployment" and "timed out" in failed.message, failed
    assert env.audit.entries()[0].result == "failed"


def test_api_server_restarted_mid_sync(env: Env) -> None:
    """The server goes away after the first wave: the result names exactly what was applied, the audit
    log says partial, and after the restart the comparison shows the truth (not 'fixed')."""
    write(
        env.repo,
        "api/config.yaml",
        [
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "api-config"},
                "data": {"MODE": "canary"},
            }
        ],
    )
    text = (env.repo / "api/deployment.yaml").read_text().replace("app:1.0.0", "app:1.1.0")
    text = text.replace(
        "  labels:\n    app: api\n",
        "  labels:\n    app: api\n  annotations:\n    argocd.argoproj.io/sync-wave: '2'\n",
        1,
    )
    (env.repo / "api/deployment.yaml").write_text(text)
    commit_all(env.repo, "api: 1.1.0 in wave 2")
    plan = env.actions.plan_sync("api")
    assert [sorted(c.key.kind for c in w) for w in plan.waves] == [["ConfigMap"], ["Deployment"]]

    def restart_after_first_wave(change: Any) -> None:
        if change.key.kind == "ConfigMap":
            env.server.stop()

    result = env.actions.sync(plan, progress=restart_after_first_wave)
    env.server.start()
    assert [r.key.kind for r in result.applied] == ["ConfigMap"]
    [failed] = result.failed
    assert failed.key.kind == "Deployment" and ("refused" in failed.message or "connection" in failed.message)
    assert result.aborted
    assert env.audit.entries()[0].result == "partial"
    snap = env.ws.reconcile_once(only=["api"])
    by = {r.key.kind: r.sync for r in snap.app("api").resources}  # type: ignore[union-attr]
    assert by["ConfigMap"] is SyncStatus.SYNCED and by["Deployment"] is SyncStatus.OUT_OF_SYNC


def test_watch_dropped_ends_cleanly_and_410_asks_for_a_relist(tmp_path) -> None:
    from gitops_tui.cluster.client import ClusterClient

    with SandboxServer(watch_history=2) as server:
        kubeconfig = server.write_kubeconfig(tmp_path / "kc")
        client = ClusterClient.from_kubeconfig(str(kubeconfig), "sandbox", timeout=2)
        try:
            res = client.discovery.for_kind("", "ConfigMap")
            assert res is not None
            _items, rv = client.list(res, "default")
            events = watch(client, res, "default", resource_version=rv, timeout_seconds=30)
            got: list[str] = []

            def consume() -> None:
                got.extend(e.type for e in events)

            t = threading.Thread(target=consume)
            t.start()
            deadline = time.monotonic() + 5
            while server.store.watcher_count == 0 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert server.store.watcher_count == 1
            server.faults.drop_watches()  # the server (or a proxy) cuts the stream
            t.join(timeout=10)
            assert not t.is_alive()  # the watch ended: the caller watches again, nothing hangs
            # Meanwhile the history moved on: watching from the old version is 410 Gone -> relist.
            # (through another client: this one's idle keep-alive connection may have been cut too)
            other = Kubectl(str(kubeconfig), "sandbox")
            for i in range(4):
                other.create(
                    {
                        "apiVersion": "v1",
                        "kind": "ConfigMap",
                        "metadata": {"name": f"c{i}", "namespace": "default"},
                    }
                )
            other.close()
            with pytest.raises(Gone) as info:
                list(watch(client, res, "default", resource_version=rv, timeout_seconds=2))
            assert "relist" in info.value.message
            # A refused connection is a typed error too, never a hang.
            server.faults.refuse = True
            with pytest.raises(ClusterUnreachable):
                list(watch(client, res, "default", resource_version=rv, timeout_seconds=2))
        finally:
            client.close()


def _key(kind: str, name: str, group: str = "") -> ResourceKey:
    return ResourceKey(group, kind, "api", name)
