"""DryRunCache against the sandbox: a steady state sends no dry runs; any change to live or Git sends one."""

from __future__ import annotations

from gitops_tui.cluster.dryrun import DryRunCache, desired_hash
from gitops_tui.cluster.errors import ClusterError, Invalid
from gitops_tui.cluster.live import fetch_live
from gitops_tui.model import ResourceKey
from tests.cluster.conftest import MANAGER, configmap, deployment


def live_pairs(client, desired):
    snap = fetch_live(client, {(o["apiVersion"], o["kind"], o["metadata"]["namespace"]) for o in desired})
    return [(o, snap.objects.get(ResourceKey.of(o))) for o in desired]


def test_hits_send_nothing_and_changes_miss(srv, client):
    desired = [configmap("default", f"cm-{i}", v=str(i)) for i in range(10)] + [deployment("default", "web")]
    client.apply_many(desired, manager="seed")  # applied by someone else: only a dry run can tell
    cache = DryRunCache()
    pairs = live_pairs(client, desired)
    before = srv.requests.count(dry_run=True)
    first = cache.predict(client, pairs, manager=MANAGER)
    assert srv.requests.count(dry_run=True) - before == 11
    assert (cache.hits, cache.misses) == (0, 11)
    assert [ResourceKey.of(r) for r in first] == [ResourceKey.of(o) for o in desired]
    # steady state: same live resourceVersions, same desired objects -> no request at all
    sent = client.requests
    again = cache.predict(client, live_pairs(client, desired), manager=MANAGER)
    assert client.requests - sent == len({("v1", "ConfigMap"), ("apps/v1", "Deployment")})  # just the LISTs
    assert srv.requests.count(dry_run=True) - before == 11
    assert (cache.hits, cache.misses) == (11, 11)
    assert again == first
    # Git changes one object -> one dry run
    changed = list(desired)
    changed[3] = configmap("default", "cm-3", v="changed")
    result = cache.predict(client, live_pairs(client, changed), manager=MANAGER)
    assert result[3]["data"] == {"v": "changed"}
    assert srv.requests.count(dry_run=True) - before == 12
    # the live object changes (new resourceVersion) -> one dry run
    client.apply(configmap("default", "cm-5", v="5", extra="x"), manager="kubectl-edit", force=True)
    cache.predict(client, live_pairs(client, desired), manager=MANAGER)
    assert srv.requests.count(dry_run=True) - before == 13
    # another field manager is another prediction
    cache.predict(client, live_pairs(client, desired), manager="argocd-controller")
    assert srv.requests.count(dry_run=True) - before == 24


def test_what_we_applied_ourselves_needs_no_dry_run_and_matches_one(srv, client):
    desired = [configmap("default", f"own-{i}", v=str(i)) for i in range(5)] + [deployment("default", "own")]
    client.apply_many(desired, manager=MANAGER)
    cache = DryRunCache()
    before = srv.requests.count(dry_run=True)
    predicted = cache.predict(client, live_pairs(client, desired), manager=MANAGER)
    assert srv.requests.count(dry_run=True) == before
    assert cache.noops == 6 and cache.misses == 0
    # The server, asked anyway, answers the same object.
    asked = client.apply_many(desired, manager=MANAGER, force=True, dry_run=True)

    def plain(obj):
        meta = {k: v for k, v in obj["metadata"].items() if k not in ("managedFields",)}
        return {**obj, "metadata": meta}

    assert [plain(a) for a in asked] == [plain(p) for p in predicted]
    # One field changed by another writer: that object, and only it, is asked about.
    client.apply(configmap("default", "own-2", v="hotfix"), manager="kubectl-edit", force=True)
    cache.predict(client, live_pairs(client, desired), manager=MANAGER)
    assert srv.requests.count(dry_run=True) == before + 7  # the 6 above + own-2


def test_missing_objects_predict_a_create(srv, client):
    cache = DryRunCache()
    out = cache.predict(client, [(configmap("default", "new"), None)], manager=MANAGER)
    assert out[0]["metadata"]["name"] == "new" and out[0]["data"] == {"key": "value"}
    cache.predict(client, [(configmap("default", "new"), None)], manager=MANAGER)
    assert (cache.hits, cache.misses) == (1, 1)


def test_deterministic_errors_are_cached_transient_ones_are_not(srv, client):
    bad = deployment("default", "web")
    bad["spec"]["replicas"] = -1
    cache = DryRunCache()
    first = cache.predict(client, [(bad, None)], manager=MANAGER)
    assert isinstance(first[0], Invalid)
    assert cache.predict(client, [(bad, None)], manager=MANAGER)[0] is first[0]
    assert cache.misses == 1
    srv.faults.add_rule(method="PATCH", path_regex="/configmaps/", status=503, message="etcd is sad", times=1)
    flaky = configmap("default", "flaky")
    failed = cache.predict(client, [(flaky, None)], manager=MANAGER)
    assert isinstance(failed[0], ClusterError) and failed[0].status == 503
    ok = cache.predict(client, [(flaky, None)], manager=MANAGER)
    assert not isinstance(ok[0], ClusterError)
    assert cache.misses == 3


def test_same_object_twice_in_a_batch_is_one_request(srv, client):
    cache = DryRunCache()
    cm = configmap("default", "dup")
    before = srv.requests.count(dry_run=True)
    out = cache.predict(client, [(cm, None), (cm, None)], manager=MANAGER)
    assert srv.requests.count(dry_run=True) - before == 1 and out[0] is out[1]


def test_lru_bound_and_clear(client):
    cache = DryRunCache(maxsize=3)
    objs = [configmap("default", f"c{i}") for i in range(5)]
    cache.predict(client, [(o, None) for o in objs], manager=MANAGER)
    assert len(cache) == 3
    cache.predict(client, [(objs[4], None)], manager=MANAGER)
    assert cache.hits == 1
    cache.clear()
    assert len(cache) == 0


def test_desired_hash_is_canonical():
    a = {"kind": "ConfigMap", "metadata": {"name": "x", "labels": {"b": "1", "a": "2"}}}
    b = {"metadata": {"labels": {"a": "2", "b": "1"}, "name": "x"}, "kind": "ConfigMap"}
    assert desired_hash(a) == desired_hash(b)
    assert desired_hash(a) != desired_hash({**a, "data": {}})
