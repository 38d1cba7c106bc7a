"""Discovery, CRUD, selectors and paging through the official client, with the real server's errors."""

from __future__ import annotations

from pathlib import Path

from kubernetes import client, dynamic

from gitops_tui.sandbox.server import SandboxServer
from tests.sandbox.conftest import namespace
from tests.sandbox.rest import Rest


def _cm(name: str, ns: str = "team", labels: dict[str, str] | None = None) -> dict:
    meta: dict = {"name": name, "namespace": ns}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": {"k": name}}


def test_discovery_serves_core_groups_and_versions_with_and_without_slash(rest: Rest) -> None:
    for path in ("/api", "/api/"):
        assert rest.get(path).body["versions"] == ["v1"]
    for path in ("/api/v1", "/api/v1/"):
        names = {r["name"] for r in rest.get(path).body["resources"]}
        assert {"namespaces", "configmaps", "secrets", "services", "pods", "namespaces/status"} <= names
    groups = {g["name"]: g for g in rest.get("/apis/").body["groups"]}
    assert {
        "apps",
        "batch",
        "networking.k8s.io",
        "autoscaling",
        "rbac.authorization.k8s.io",
        "policy",
        "apiextensions.k8s.io",
    } <= set(groups)
    assert groups["autoscaling"]["preferredVersion"]["version"] == "v2"
    apps = {r["name"]: r for r in rest.get("/apis/apps/v1/").body["resources"]}
    assert apps["deployments"]["kind"] == "Deployment" and apps["deployments"]["namespaced"]
    assert apps["deployments/scale"]["kind"] == "Scale"
    assert rest.get("/apis/apps").body["preferredVersion"]["groupVersion"] == "apps/v1"
    assert rest.get("/version").body["gitVersion"].startswith("v1.36")
    missing = rest.get("/apis/nope.example.com/v1")
    assert missing.status == 404 and missing.body["reason"] == "NotFound"


def test_typed_and_dynamic_clients_work_unchanged(server: SandboxServer, tmp_path: Path) -> None:
    api = client.ApiClient()
    from kubernetes import config

    api = config.new_client_from_config(config_file=str(server.write_kubeconfig(tmp_path / "kc")))
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="typed")))
    core.create_namespaced_config_map(
        "typed", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c"), data={"a": "b"})
    )
    assert core.read_namespaced_config_map("c", "typed").data == {"a": "b"}
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    assert [i.metadata.name for i in cms.get(namespace="typed").items] == ["c"]
    deployments = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    assert deployments.get(namespace="typed").items == []
    api.close()


def test_create_get_update_delete_with_metadata_and_conflicts(rest: Rest) -> None:
    namespace(rest, "team")
    created = rest.create("/api/v1/namespaces/team/configmaps", _cm("a"))
    assert created.status == 201
    meta = created.body["metadata"]
    assert meta["uid"] and meta["creationTimestamp"] and int(meta["resourceVersion"]) > 0
    assert "generation" not in meta  # ConfigMaps have none (fixture README)
    again = rest.create("/api/v1/namespaces/team/configmaps", _cm("a"))
    assert again.status == 409 and again.body["reason"] == "AlreadyExists"
    assert again.body["message"] == 'configmaps "a" already exists'

    obj = rest.get("/api/v1/namespaces/team/configmaps/a").body
    obj["data"] = {"k": "changed"}
    updated = rest.put("/api/v1/namespaces/team/configmaps/a", obj)
    assert updated.status == 200
    assert int(updated.body["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    assert updated.body["metadata"]["uid"] == meta["uid"]
    stale = rest.put("/api/v1/namespaces/team/configmaps/a", obj)  # still carries the old resourceVersion
    assert stale.status == 409 and stale.body["reason"] == "Conflict"
    assert "the object has been modified" in stale.body["message"]

    assert rest.delete("/api/v1/namespaces/team/configmaps/a").status == 200
    gone = rest.get("/api/v1/namespaces/team/configmaps/a")
    assert gone.status == 404
    assert gone.body["message"] == 'configmaps "a" not found'
    assert gone.body["details"] == {"name": "a", "kind": "configmaps"}


def test_errors_for_missing_namespace_unknown_resource_and_bad_method(rest: Rest) -> None:
    resp = rest.create(
        "/apis/apps/v1/namespaces/nowhere/deployments",
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}},
    )
    assert resp.status == 404 and resp.body["message"] == 'namespaces "nowhere" not found'
    unknown = rest.get("/apis/apps/v1/namespaces/default/widgets")
    assert unknown.status == 404 and unknown.body["kind"] == "Status" and unknown.body["reason"] == "NotFound"
    not_found = rest.get("/apis/apps/v1/namespaces/default/deployments/missing")
    assert not_found.body["message"] == 'deployments.apps "missing" not found'
    post_named = rest.create("/api/v1/namespaces/default/configmaps/x", _cm("x", "default"))
    assert post_named.status == 405 and post_named.body["reason"] == "MethodNotAllowed"
    bad_type = rest.patch("/api/v1/namespaces/default/configmaps/x", "a: 1", "application/yaml")
    assert bad_type.status == 415 and bad_type.body["reason"] == "UnsupportedMediaType"


def test_validation_errors_are_422_with_causes(rest: Rest) -> None:
    nameless = rest.create(
        "/api/v1/namespaces/default/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
    )
    assert nameless.status == 422 and nameless.body["reason"] == "Invalid"
    assert nameless.body["details"]["causes"][0] == {
        "reason": "FieldValueRequired",
        "message": "Required value: name or generateName is required",
        "field": "metadata.name",
    }
    generated = rest.create(
        "/api/v1/namespaces/default/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "job-"}},
    )
    assert generated.status == 201 and generated.body["metadata"]["name"].startswith("job-")
    assert len(generated.body["metadata"]["name"]) == len("job-") + 5


def test_label_selectors_filter_lists(rest: Rest) -> None:
    namespace(rest, "team")
    rest.create("/api/v1/namespaces/team/configmaps", _cm("a", labels={"app": "web", "tier": "front"}))
    rest.create("/api/v1/namespaces/team/configmaps", _cm("b", labels={"app": "api"}))
    rest.create("/api/v1/namespaces/team/configmaps", _cm("c"))

    def names(selector: str) -> list[str]:
        resp = rest.get("/api/v1/namespaces/team/configmaps", labelSelector=selector)
        assert resp.status == 200, resp
        return [i["metadata"]["name"] for i in resp.body["items"]]

    assert names("app=web") == ["a"]
    assert names("app==web") == ["a"]
    assert names("app!=web") == ["b", "c"]
    assert names("app in (web,api)") == ["a", "b"]
    assert names("app notin (web)") == ["b", "c"]
    assert names("app") == ["a", "b"]
    assert names("!app") == ["c"]
    assert names("app,tier=front") == ["a"]
    assert names("") == ["a", "b", "c"]


def test_lists_have_list_kind_and_leave_kind_out_of_built_in_items(rest: Rest) -> None:
    namespace(rest, "team")
    rest.create("/api/v1/namespaces/team/configmaps", _cm("a"))
    body = rest.get("/api/v1/namespaces/team/configmaps").body
    assert body["kind"] == "ConfigMapList" and body["apiVersion"] == "v1"
    assert int(body["metadata"]["resourceVersion"]) > 0
    assert "kind" not in body["items"][0] and "apiVersion" not in body["items"][0]


def test_field_selectors_and_all_namespace_lists(rest: Rest) -> None:
    namespace(rest, "one")
    namespace(rest, "two")
    rest.create("/api/v1/namespaces/one/configmaps", _cm("same", "one"))
    rest.create("/api/v1/namespaces/two/configmaps", _cm("same", "two"))
    rest.create("/api/v1/namespaces/two/configmaps", _cm("other", "two"))
    every = rest.get("/api/v1/configmaps").body["items"]
    assert [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in every] == [
        ("one", "same"),
        ("two", "other"),
        ("two", "same"),
    ]
    by_name = rest.get("/api/v1/configmaps", fieldSelector="metadata.name=same").body["items"]
    assert {i["metadata"]["namespace"] for i in by_name} == {"one", "two"}
    by_ns = rest.get("/api/v1/configmaps", fieldSelector="metadata.namespace!=one").body["items"]
    assert {i["metadata"]["namespace"] for i in by_ns} == {"two"}


def test_limit_and_continue_page_through_everything_once(rest: Rest) -> None:
    namespace(rest, "team")
    for i in range(7):
        rest.create("/api/v1/namespaces/team/configmaps", _cm(f"cm-{i}"))
    seen, cont, pages = [], None, 0
    while True:
        resp = rest.get("/api/v1/namespaces/team/configmaps", limit=3, **({"continue": cont} if cont else {}))
        seen += [i["metadata"]["name"] for i in resp.body["items"]]
        pages += 1
        cont = resp.body["metadata"].get("continue")
        if not cont:
            break
        assert resp.body["metadata"]["remainingItemCount"] == 7 - len(seen)
    assert seen == [f"cm-{i}" for i in range(7)] and pages == 3


def test_cluster_scoped_and_namespace_defaults(rest: Rest) -> None:
    created = rest.create(
        "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ns1"}}
    )
    body = created.body
    assert body["metadata"]["labels"] == {"kubernetes.io/metadata.name": "ns1"}
    assert body["spec"] == {"finalizers": ["kubernetes"]} and body["status"] == {"phase": "Active"}
    names = [n["metadata"]["name"] for n in rest.get("/api/v1/namespaces").body["items"]]
    assert {"default", "kube-system", "ns1"} <= set(names)


def test_deleting_a_namespace_deletes_its_objects(rest: Rest) -> None:
    namespace(rest, "doomed")
    rest.create("/api/v1/namespaces/doomed/configmaps", _cm("a", "doomed"))
    resp = rest.delete("/api/v1/namespaces/doomed")
    assert resp.status == 200 and resp.body["status"]["phase"] == "Terminating"
    assert rest.get("/api/v1/namespaces/doomed").status == 404
    assert rest.get("/api/v1/namespaces/doomed/configmaps/a").status == 404


def test_finalizers_hold_deletion_until_removed(rest: Rest) -> None:
    namespace(rest, "team")
    cm = _cm("held")
    cm["metadata"]["finalizers"] = ["example.com/hold"]
    rest.create("/api/v1/namespaces/team/configmaps", cm)
    rest.delete("/api/v1/namespaces/team/configmaps/held")
    held = rest.get("/api/v1/namespaces/team/configmaps/held").body
    assert held["metadata"]["deletionTimestamp"]
    rest.patch("/api/v1/namespaces/team/configmaps/held", {"metadata": {"finalizers": None}})
    assert rest.get("/api/v1/namespaces/team/configmaps/held").status == 404


def test_owner_references_are_garbage_collected(rest: Rest) -> None:
    namespace(rest, "team")
    owner = rest.create("/api/v1/namespaces/team/configmaps", _cm("owner")).body
    child = _cm("child")
    child["metadata"]["ownerReferences"] = [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]}
    ]
    rest.create("/api/v1/namespaces/team/configmaps", child)
    rest.delete("/api/v1/namespaces/team/configmaps/owner")
    assert rest.get("/api/v1/namespaces/team/configmaps/child").status == 404


def test_dry_run_create_stores_nothing(rest: Rest) -> None:
    namespace(rest, "team")
    resp = rest.create("/api/v1/namespaces/team/configmaps", _cm("dry"), dryRun="All")
    assert resp.status == 201 and resp.body["metadata"]["uid"]
    assert "resourceVersion" not in resp.body["metadata"]
    assert rest.get("/api/v1/namespaces/team/configmaps/dry").status == 404
