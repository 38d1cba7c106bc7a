"""A kind wanted in many namespaces is listed once across the cluster (an ApplicationSet giving each of 500
apps its own namespace would cost 500 LISTs a kind), filtered to the wanted namespaces; where RBAC forbids
listing across namespaces, each namespace is listed, and the client does not try the wide LIST again."""

from __future__ import annotations

from gitops_tui.cluster.client import LIST_CHUNK, ClusterClient
from gitops_tui.cluster.live import WIDE_FROM, fetch_live
from gitops_tui.model import ResourceKey

from .conftest import MANAGER, configmap, namespace


def seed(client: ClusterClient, count: int) -> list[str]:
    names = [f"team-{i:02d}" for i in range(count)]
    client.apply_many([namespace(n) for n in [*names, "elsewhere"]], manager=MANAGER)
    client.apply_many([configmap(n, "config") for n in [*names, "elsewhere"]], manager=MANAGER)
    return names


def test_many_namespaces_one_list_filtered_to_them(client: ClusterClient, srv) -> None:
    names = seed(client, WIDE_FROM + 2)
    srv.requests.clear()
    snapshot = fetch_live(client, [("v1", "ConfigMap", n) for n in names])
    assert snapshot.lists == 1
    assert srv.requests.count(verb="list") == 1
    assert {k.namespace for k in snapshot.objects} == set(names)  # "elsewhere" is not ours
    assert ResourceKey("", "ConfigMap", "elsewhere", "config") not in snapshot.objects
    assert all(snapshot.listed("", "ConfigMap", n) for n in names)
    # A few namespaces: one LIST each, as before.
    srv.requests.clear()
    few = fetch_live(client, [("v1", "ConfigMap", n) for n in names[:3]])
    assert few.lists == 3 and srv.requests.count(verb="list") == 3


def test_a_forbidden_wide_list_falls_back_to_each_namespace(client: ClusterClient, srv) -> None:
    names = seed(client, WIDE_FROM)
    srv.faults.add_rule(method="GET", path_regex=r"^/api/v1/configmaps(\?|$)", status=403)
    srv.requests.clear()
    snapshot = fetch_live(client, [("v1", "ConfigMap", n) for n in names])
    assert snapshot.failed == {}
    assert {k.namespace for k in snapshot.objects} == set(names)
    assert snapshot.lists == 1 + len(names)
    srv.requests.clear()
    again = fetch_live(client, [("v1", "ConfigMap", n) for n in names])
    assert again.lists == len(names)  # remembered: the wide LIST is not tried again
    assert len(again.objects) == len(names)


def test_a_big_list_comes_in_pages_of_the_chunk_size_and_whole(client: ClusterClient, srv) -> None:
    client.apply_many([namespace("big")], manager=MANAGER)
    count = LIST_CHUNK * 2 + 7
    client.apply_many([configmap("big", f"cm-{i:04d}") for i in range(count)], manager=MANAGER)
    srv.requests.clear()
    snapshot = fetch_live(client, [("v1", "ConfigMap", "big")])
    assert srv.requests.count(verb="list") == 3  # 500 + 500 + 7, as `kubectl get --chunk-size=500`
    assert snapshot.lists == 1 and snapshot.failed == {}
    assert sorted(k.name for k in snapshot.objects) == [f"cm-{i:04d}" for i in range(count)]
