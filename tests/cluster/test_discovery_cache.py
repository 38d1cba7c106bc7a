"""The discovery cache over a scripted server: what it asks for and when (no network)."""

from __future__ import annotations

from gitops_tui.cluster.discovery import ApiResource, Discovery
from gitops_tui.cluster.errors import ServerError


class Server:
    """Discovery documents by path, editable between calls, recording what was fetched."""

    def __init__(self) -> None:
        self.docs: dict[str, dict] = {
            "/api": {"versions": ["v1"]},
            "/apis": {
                "groups": [
                    {
                        "name": "apps",
                        "versions": [{"version": "v1"}],
                        "preferredVersion": {"version": "v1"},
                    },
                    {
                        "name": "autoscaling",
                        "versions": [{"version": "v2"}, {"version": "v1"}],
                        "preferredVersion": {"version": "v2"},
                    },
                    {"name": "metrics.k8s.io", "versions": [{"version": "v1beta1"}]},
                ]
            },
            "/api/v1": {
                "resources": [
                    {"name": "configmaps", "kind": "ConfigMap", "namespaced": True, "verbs": ["get", "list"]},
                    {
                        "name": "namespaces",
                        "kind": "Namespace",
                        "namespaced": False,
                        "verbs": ["get", "list"],
                    },
                    {"name": "pods/log", "kind": "Pod", "namespaced": True, "verbs": ["get"]},
                ]
            },
            "/apis/apps/v1": {
                "resources": [
                    {"name": "deployments", "kind": "Deployment", "namespaced": True, "verbs": ["list"]},
                    {"name": "deployments/scale", "kind": "Scale", "namespaced": True, "verbs": ["get"]},
                ]
            },
            "/apis/autoscaling/v2": {
                "resources": [
                    {
                        "name": "horizontalpodautoscalers",
                        "kind": "HorizontalPodAutoscaler",
                        "namespaced": True,
                    }
                ]
            },
            "/apis/autoscaling/v1": {
                "resources": [
                    {
                        "name": "horizontalpodautoscalers",
                        "kind": "HorizontalPodAutoscaler",
                        "namespaced": True,
                    }
                ]
            },
        }
        self.fetched: list[str] = []
        self.broken: set[str] = {"/apis/metrics.k8s.io/v1beta1"}

    def __call__(self, path: str) -> dict | None:
        self.fetched.append(path)
        if path in self.broken:
            raise ServerError("server error 503: the server is currently unable to handle the request", 503)
        return self.docs.get(path)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_resolve_fetches_only_the_group_version_asked_for():
    server = Server()
    disc = Discovery(server, clock=Clock())
    dep = disc.resolve("apps/v1", "Deployment")
    assert dep == ApiResource("apps", "v1", "Deployment", "deployments", True, ("list",))
    assert dep.api_version == "apps/v1" and dep.qualified == "deployments.apps"
    assert dep.path("prod", "web") == "/apis/apps/v1/namespaces/prod/deployments/web"
    assert dep.path() == "/apis/apps/v1/deployments"
    cm = disc.resolve("v1", "ConfigMap")
    assert (
        cm is not None and cm.path("a") == "/api/v1/namespaces/a/configmaps" and cm.qualified == "configmaps"
    )
    ns = disc.resolve("v1", "Namespace")
    assert ns is not None and not ns.namespaced and ns.path("ignored", "x") == "/api/v1/namespaces/x"
    assert server.fetched == ["/apis/apps/v1", "/api/v1"]
    assert disc.resolve("v1", "Pod") is None  # only a subresource (pods/log) was listed
    assert disc.resolve("apps/v1", "Scale") is None


def test_unknown_kind_refetches_once_per_interval_then_finds_a_new_crd():
    server, clock = Server(), Clock()
    disc = Discovery(server, clock=clock, refetch_after=5.0)
    for _ in range(100):
        assert disc.resolve("example.com/v1", "Widget") is None
    assert server.fetched == ["/apis/example.com/v1"]  # 100 lookups, one request
    server.docs["/apis/example.com/v1"] = {
        "resources": [{"name": "widgets", "kind": "Widget", "namespaced": True, "verbs": ["list"]}]
    }
    assert disc.resolve("example.com/v1", "Widget") is None  # still within the interval
    clock.now += 5.0
    found = disc.resolve("example.com/v1", "Widget")
    assert found is not None and found.plural == "widgets"
    assert server.fetched == ["/apis/example.com/v1", "/apis/example.com/v1"]
    clock.now += 60
    assert disc.resolve("example.com/v1", "Widget") == found  # known kinds never refetch
    assert len(server.fetched) == 2


def test_for_kind_uses_the_preferred_version():
    server = Server()
    disc = Discovery(server, clock=Clock())
    hpa = disc.for_kind("autoscaling", "HorizontalPodAutoscaler")
    assert hpa is not None and hpa.version == "v2"
    v1 = disc.resolve("autoscaling/v1", "HorizontalPodAutoscaler")
    assert v1 is not None and v1.version == "v1"
    assert disc.for_kind("nope.io", "Thing") is None
    assert disc.groups()["autoscaling"] == ("v2", ("v2", "v1"))


def test_all_skips_and_records_failing_group_versions():
    server = Server()
    disc = Discovery(server, clock=Clock())
    kinds = {r.kind for r in disc.all()}
    assert kinds == {"ConfigMap", "Namespace", "Deployment", "HorizontalPodAutoscaler"}
    assert list(disc.errors) == ["metrics.k8s.io/v1beta1"]
    assert disc.errors["metrics.k8s.io/v1beta1"].status == 503
    before = len(server.fetched)
    disc.all()
    assert len(server.fetched) == before + 1  # only the failed one is retried


def test_refresh_drops_everything_and_deleted_groups_disappear():
    server, clock = Server(), Clock()
    disc = Discovery(server, clock=clock)
    assert disc.resolve("apps/v1", "Deployment") is not None
    disc.refresh()
    assert disc.resolve("apps/v1", "Deployment") is not None
    assert server.fetched.count("/apis/apps/v1") == 2
    server.docs["/apis"]["groups"] = [g for g in server.docs["/apis"]["groups"] if g["name"] != "apps"]
    del server.docs["/apis/apps/v1"]
    clock.now += 10
    assert disc.for_kind("apps", "Deployment") is None  # the group list is reread, the cached gv dropped
    assert disc.resolve("apps/v1", "Deployment") is None
