"""Patch types, server-side apply details the fixtures do not reach, subresources and immutable fields."""

from __future__ import annotations

import json

from tests.sandbox.conftest import namespace
from tests.sandbox.rest import APPLY, JSON_PATCH, MERGE, STRATEGIC, Rest

DEPLOY = "/apis/apps/v1/namespaces/team/deployments/web"


def _deployment(image: str = "nginx:1.27", env: list | None = None, **spec: object) -> dict:
    container: dict = {"name": "web", "image": image}
    if env is not None:
        container["env"] = env
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "team", "labels": {"app": "web"}},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}},
            **spec,
        },
    }


def _managers(obj: dict) -> dict[tuple[str, str], dict]:
    return {(e["manager"], e["operation"]): e for e in obj["metadata"]["managedFields"]}


def test_apply_accepts_yaml_and_requires_a_field_manager(rest: Rest) -> None:
    namespace(rest, "team")
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  flag: 'yes'\n  when: 2024-01-01\n"
    resp = rest.request("PATCH", "/api/v1/namespaces/team/configmaps/y", body, APPLY, fieldManager="me")
    assert resp.status == 201, resp
    assert resp.body["data"] == {"flag": "yes", "when": "2024-01-01"}  # timestamps stay strings
    missing = rest.request("PATCH", "/api/v1/namespaces/team/configmaps/y", body, APPLY)
    assert missing.status == 422
    assert missing.body["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )
    wrong = rest.apply(
        "/api/v1/namespaces/team/configmaps/other",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"}},
    )
    assert wrong.status == 400 and wrong.body["reason"] == "BadRequest"


def test_apply_conflicts_list_every_field_and_force_takes_them(rest: Rest) -> None:
    namespace(rest, "team")
    rest.apply(DEPLOY, _deployment(replicas=2))
    rest.apply(DEPLOY, _deployment(image="nginx:1.28", replicas=3), manager="other", force=True)
    resp = rest.apply(DEPLOY, _deployment(replicas=2))
    assert resp.status == 409
    assert resp.body["message"] == (
        'Apply failed with 2 conflicts: conflicts with "other":\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="web"].image'
    )
    assert [c["field"] for c in resp.body["details"]["causes"]] == [
        ".spec.replicas",
        '.spec.template.spec.containers[name="web"].image',
    ]
    forced = rest.apply(DEPLOY, _deployment(replicas=2), force=True)
    assert forced.status == 200 and forced.body["spec"]["replicas"] == 2
    fields = _managers(forced.body)[("other", "Apply")]["fieldsV1"]["f:spec"]
    assert "f:replicas" not in fields


def test_shared_ownership_then_removal_by_one_manager_keeps_the_field(rest: Rest) -> None:
    namespace(rest, "team")
    env = [{"name": "A", "value": "1"}]
    rest.apply(DEPLOY, _deployment(env=env))
    both = rest.apply(DEPLOY, _deployment(env=env), manager="other").body  # same value: co-owned, no conflict
    assert set(_managers(both)) == {("gitops-tui", "Apply"), ("other", "Apply")}
    kept = rest.apply(DEPLOY, _deployment(env=[])).body
    assert kept["spec"]["template"]["spec"]["containers"][0]["env"] == env
    gone = rest.apply(DEPLOY, _deployment(env=[]), manager="other").body
    assert "env" not in gone["spec"]["template"]["spec"]["containers"][0]


def test_unchanged_apply_keeps_resource_version_and_time(rest: Rest) -> None:
    namespace(rest, "team")
    first = rest.apply(DEPLOY, _deployment()).body
    again = rest.apply(DEPLOY, _deployment()).body
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert again["metadata"]["managedFields"] == first["metadata"]["managedFields"]


def test_update_ownership_moves_to_the_writer_and_managed_fields_can_be_replaced(rest: Rest) -> None:
    namespace(rest, "team")
    live = rest.apply(DEPLOY, _deployment()).body
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    live["metadata"].pop("managedFields")
    updated = rest.put(DEPLOY, live, fieldManager="editor").body
    managers = _managers(updated)
    assert managers[("editor", "Update")]["fieldsV1"] == {
        "f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {"f:image": {}}}}}}
    }
    assert "time" in managers[("editor", "Update")]
    assert "f:image" not in json.dumps(managers[("gitops-tui", "Apply")]["fieldsV1"])
    reset = rest.patch(
        DEPLOY, [{"op": "replace", "path": "/metadata/managedFields", "value": [{}]}], JSON_PATCH
    )
    assert reset.status == 200 and reset.body["metadata"].get("managedFields", []) == []


def test_strategic_merge_patch_directives(rest: Rest) -> None:
    namespace(rest, "team")
    rest.apply(DEPLOY, _deployment(env=[{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]))
    deleted = rest.patch(
        DEPLOY,
        {
            "spec": {
                "template": {
                    "spec": {"containers": [{"name": "web", "env": [{"name": "A", "$patch": "delete"}]}]}
                }
            }
        },
        STRATEGIC,
    ).body
    assert deleted["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "B", "value": "2"}]
    replaced = rest.patch(
        DEPLOY,
        {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "web", "env": [{"name": "C", "value": "3"}, {"$patch": "replace"}]}
                        ]
                    }
                }
            }
        },
        STRATEGIC,
    ).body
    assert replaced["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "C", "value": "3"}]
    retained = rest.patch(
        DEPLOY, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}, STRATEGIC
    ).body
    assert retained["spec"]["strategy"] == {"type": "Recreate"}


def test_merge_and_json_patch(rest: Rest) -> None:
    namespace(rest, "team")
    rest.create(
        "/api/v1/namespaces/team/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1", "b": "2"}},
    )
    merged = rest.patch("/api/v1/namespaces/team/configmaps/c", {"data": {"a": None, "c": "3"}}, MERGE).body
    assert merged["data"] == {"b": "2", "c": "3"}
    patched = rest.patch(
        "/api/v1/namespaces/team/configmaps/c",
        [
            {"op": "add", "path": "/data/d", "value": "4"},
            {"op": "remove", "path": "/data/b"},
            {"op": "move", "from": "/data/c", "path": "/data/e"},
        ],
        JSON_PATCH,
    ).body
    assert patched["data"] == {"d": "4", "e": "3"}
    failed = rest.patch(
        "/api/v1/namespaces/team/configmaps/c", [{"op": "test", "path": "/data/d", "value": "x"}], JSON_PATCH
    )
    assert failed.status == 422
    missing = rest.patch(
        "/api/v1/namespaces/team/configmaps/c",
        [{"op": "replace", "path": "/data/zz", "value": "x"}],
        JSON_PATCH,
    )
    assert missing.status == 422


def test_scale_subresource_reads_and_writes_replicas(rest: Rest) -> None:
    namespace(rest, "team")
    rest.apply(DEPLOY, _deployment(replicas=2))
    scale = rest.get(DEPLOY + "/scale").body
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"]["replicas"] == 2 and scale["status"]["selector"] == "app=web"
    scale["spec"]["replicas"] = 4
    assert rest.put(DEPLOY + "/scale", scale, fieldManager="hpa").body["spec"]["replicas"] == 4
    live = rest.get(DEPLOY).body
    assert live["spec"]["replicas"] == 4 and live["metadata"]["generation"] == 2
    scaler = next(e for e in live["metadata"]["managedFields"] if e["manager"] == "hpa")
    assert scaler["subresource"] == "scale" and "time" not in scaler
    assert rest.put(DEPLOY + "/scale", scale).status == 409  # stale resourceVersion


def test_status_subresource_writes_only_status(rest: Rest) -> None:
    namespace(rest, "team")
    live = rest.apply(DEPLOY, _deployment()).body
    live["status"] = {"replicas": 7, "observedGeneration": 1}
    live["spec"]["replicas"] = 9
    written = rest.put(DEPLOY + "/status", live, fieldManager="ctl").body
    assert written["status"]["replicas"] == 7 and written["spec"]["replicas"] == 1
    assert written["metadata"]["generation"] == 1
    entry = next(e for e in written["metadata"]["managedFields"] if e["manager"] == "ctl")
    assert entry["subresource"] == "status" and set(entry["fieldsV1"]) == {"f:status"}
    # status sent to the main resource is ignored
    written["status"] = {"replicas": 1}
    written["metadata"].pop("managedFields")
    assert rest.put(DEPLOY, written).body["status"]["replicas"] == 7


def test_immutable_fields_are_422(rest: Rest) -> None:
    namespace(rest, "team")
    rest.apply(DEPLOY, _deployment())
    changed = _deployment()
    changed["spec"]["selector"] = {"matchLabels": {"app": "web", "v": "2"}}
    changed["spec"]["template"]["metadata"]["labels"]["v"] = "2"
    resp = rest.apply(DEPLOY, changed)
    assert resp.status == 422 and resp.body["details"]["causes"][0]["field"] == "spec.selector"
    assert "field is immutable" in resp.body["message"]

    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": "team"},
        "spec": {"ports": [{"port": 80}]},
    }
    created = rest.apply("/api/v1/namespaces/team/services/s", svc).body
    ip = created["spec"]["clusterIP"]
    assert created["spec"]["clusterIPs"] == [ip] and ip.startswith("10.")
    svc["spec"]["clusterIP"] = "10.96.0.1" if ip != "10.96.0.1" else "10.96.0.2"
    resp = rest.apply("/api/v1/namespaces/team/services/s", svc)
    assert resp.status == 422 and resp.body["details"]["causes"][0]["field"] == "spec.clusterIP"

    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "j", "namespace": "team"},
        "spec": {
            "template": {
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}
            }
        },
    }
    created = rest.apply("/apis/batch/v1/namespaces/team/jobs/j", job).body
    assert (
        created["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"]
        == created["metadata"]["uid"]
    )
    job["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:2"
    resp = rest.apply("/apis/batch/v1/namespaces/team/jobs/j", job)
    assert resp.status == 422 and resp.body["details"]["causes"][0]["field"] == "spec.template"


def test_duplicate_service_port_names_use_the_real_message(rest: Rest) -> None:
    namespace(rest, "team")
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "team"},
        "spec": {"ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81}]},
    }
    resp = rest.create("/api/v1/namespaces/team/services", svc)
    assert resp.status == 422
    assert resp.body["message"] == 'Service "api" is invalid: spec.ports[1].name: Duplicate value: "http"'
    assert resp.body["details"] == {
        "name": "api",
        "kind": "Service",
        "causes": [
            {
                "reason": "FieldValueDuplicate",
                "message": 'Duplicate value: "http"',
                "field": "spec.ports[1].name",
            }
        ],
    }
