"""Discovery and live listing against the sandbox: one LIST per kind and namespace, CRDs added at runtime."""

from __future__ import annotations

import pytest

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import NotFound
from gitops_tui.cluster.live import fetch_live
from gitops_tui.model import ResourceKey
from tests.cluster.conftest import MANAGER, configmap, deployment, namespace

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
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {"size": {"type": "integer", "default": 3}},
                            }
                        },
                    }
                },
            }
        ],
    },
}


def test_discovery_of_builtin_kinds(client):
    dep = client.discovery.resolve("apps/v1", "Deployment")
    assert dep is not None and dep.plural == "deployments" and dep.namespaced and "list" in dep.verbs
    ns = client.discovery.resolve("v1", "Namespace")
    assert ns is not None and not ns.namespaced
    assert client.discovery.resolve("v1", "Deployment") is None
    assert client.discovery.for_kind("apps", "Deployment") == dep
    kinds = {(r.group, r.kind) for r in client.discovery.all()}
    assert {("", "ConfigMap"), ("apps", "Deployment"), ("", "Secret")} <= kinds


def test_crd_added_at_runtime(sandbox, client):
    _, kubeconfig = sandbox
    assert client.discovery.resolve("example.com/v1", "Widget") is None
    client.apply(CRD, manager=MANAGER)
    client.discovery.refresh()  # what `R` and a sync that created CRDs do
    widget = client.discovery.resolve("example.com/v1", "Widget")
    assert widget is not None and widget.plural == "widgets" and widget.namespaced
    with ClusterClient.from_kubeconfig(str(kubeconfig), "sandbox") as fresh:
        assert fresh.discovery.resolve("example.com/v1", "Widget") == widget
    created = client.apply(
        {
            "apiVersion": "example.com/v1",
            "kind": "Widget",
            "metadata": {"name": "w", "namespace": "default"},
            "spec": {},
        },
        manager=MANAGER,
    )
    assert created["spec"]["size"] == 3  # the schema default, as a real server applies it
    snap = fetch_live(client, [("example.com/v1", "Widget", "default")])
    assert ResourceKey("example.com", "Widget", "default", "w") in snap.objects


def test_unknown_kind_is_looked_up_again_only_after_an_interval(srv, client):
    assert client.discovery.resolve("example.com/v1", "Widget") is None
    before = client.requests
    for _ in range(50):
        assert client.discovery.resolve("example.com/v1", "Widget") is None
    assert client.requests == before


def seed(client, namespaces: int, per_kind: int) -> None:
    client.apply_many([namespace(f"ns-{n}") for n in range(namespaces)], manager=MANAGER)
    objs = []
    for n in range(namespaces):
        for i in range(per_kind):
            objs.append(configmap(f"ns-{n}", f"cm-{i}"))
            objs.append(deployment(f"ns-{n}", f"dep-{i}"))
    assert not any(isinstance(r, Exception) for r in client.apply_many(objs, manager=MANAGER))


def test_fetch_live_lists_once_per_kind_and_namespace(srv, client):
    seed(client, namespaces=3, per_kind=5)
    wanted = [
        (av, kind, f"ns-{n}")
        for n in range(3)
        for av, kind in (("v1", "ConfigMap"), ("apps/v1", "Deployment"))
    ]
    wanted += [("v1", "Namespace", ""), ("v1", "Namespace", "ns-0")]  # cluster-scoped: listed once
    wanted += [("apps/v1beta1", "Deployment", "ns-0")]  # another version of a kind already wanted
    client.discovery.resolve("apps/v1", "Deployment")
    client.discovery.resolve("v1", "ConfigMap")
    lists_before = srv.requests.count(verb="list")
    deps_before = srv.requests.count(verb="list", resource="deployments")
    gets_before = srv.requests.count(verb="get", resource="configmaps") + srv.requests.count(
        verb="get", resource="deployments"
    )
    snap = fetch_live(client, wanted * 3)
    assert snap.lists == 7 and not snap.failed
    assert srv.requests.count(verb="list") - lists_before == 7
    assert srv.requests.count(verb="list", resource="deployments") - deps_before == 3
    gets_after = srv.requests.count(verb="get", resource="configmaps") + srv.requests.count(
        verb="get", resource="deployments"
    )
    assert gets_after == gets_before  # never a GET per object
    cm = snap.objects[ResourceKey("", "ConfigMap", "ns-1", "cm-4")]
    assert cm["apiVersion"] == "v1" and cm["kind"] == "ConfigMap" and cm["data"] == {"key": "value"}
    dep = snap.objects[ResourceKey("apps", "Deployment", "ns-2", "dep-0")]
    assert dep["apiVersion"] == "apps/v1" and dep["kind"] == "Deployment"
    assert ResourceKey("", "Namespace", "", "ns-2") in snap.objects
    assert snap.listed("apps", "Deployment", "ns-0") and snap.listed("", "Namespace", "")
    assert snap.resource_versions[("", "ConfigMap", "ns-0")]


def test_fetch_live_reports_unknown_kinds_per_triple(client):
    snap = fetch_live(client, [("example.com/v1", "Widget", "default"), ("v1", "ConfigMap", "default")])
    err = snap.failed[("example.com", "Widget", "default")]
    assert (
        isinstance(err, NotFound)
        and err.message == "kind Widget (example.com/v1) is not served by the cluster"
    )
    assert not snap.listed("example.com", "Widget", "default") and snap.listed("", "ConfigMap", "default")
    assert snap.lists == 1


def test_list_with_label_selector(client):
    client.apply_many([configmap("default", "a"), configmap("default", "b")], manager=MANAGER)
    res = client.discovery.resolve("v1", "ConfigMap")
    assert res is not None
    items, rv = client.list(res, "default", label_selector="app=b")
    assert [i["metadata"]["name"] for i in items] == ["b"] and rv
    everywhere, _ = client.list(res)
    assert {"a", "b"} <= {i["metadata"]["name"] for i in everywhere}


@pytest.mark.parametrize("bad_ns", ["does-not-exist"])
def test_listing_an_absent_namespace_is_empty_not_an_error(client, bad_ns):
    snap = fetch_live(client, [("v1", "ConfigMap", bad_ns)])
    assert not snap.failed and not snap.objects and snap.listed("", "ConfigMap", bad_ns)
