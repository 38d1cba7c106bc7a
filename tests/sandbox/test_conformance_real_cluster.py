"""Replays `shared/fixtures/real-cluster` (captured from kube-apiserver v1.36.2) through the sandbox with
the official client, request by request as kubectl made them, and compares every object the real server
returned with the sandbox's.

What legitimately differs between two runs is removed first: uid, resourceVersion, creationTimestamp,
managedFields times (whether an entry *has* a time is compared), allocated ClusterIPs, and `status`.
`generation`, every managedFields entry's manager/operation/subresource/apiVersion/fieldsV1 and the
`deployment.kubernetes.io/revision` annotation are compared.

Known differences, by name:
- KCM_STATUS: the real cluster ran no kubelet, so its kube-controller-manager wrote "unavailable" status;
  the sandbox's controllers write healthy status. `kube-controller-manager` status entries are therefore
  left out of the managedFields comparison (the status itself is ignored anyway).
"""

from __future__ import annotations

import json
import shlex
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from gitops_tui.sandbox.server import SandboxServer
from tests.sandbox.rest import JSON_PATCH, MERGE, STRATEGIC, Rest, path_of

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "shared" / "fixtures" / "real-cluster"
CASES = sorted(p.name for p in FIXTURES.glob("[0-9][0-9]-*")) if FIXTURES.is_dir() else []
pytestmark = pytest.mark.skipif(not CASES, reason=f"fixtures not found at {FIXTURES}")

KINDS = {
    "deployment": ("apps/v1", "Deployment", "deployments"),
    "service": ("v1", "Service", "services"),
    "configmap": ("v1", "ConfigMap", "configmaps"),
    "secret": ("v1", "Secret", "secrets"),
    "cronjob": ("batch/v1", "CronJob", "cronjobs"),
}
CSA_MANAGER = "kubectl-client-side-apply"


# ---------------------------------------------------------------- comparison


def normalize(obj: dict[str, Any]) -> dict[str, Any]:
    obj = json.loads(json.dumps(obj))
    meta = obj["metadata"]
    for key in ("uid", "resourceVersion", "creationTimestamp"):
        meta.pop(key, None)
    entries = []
    for e in meta.pop("managedFields", []):
        if e["manager"] == "kube-controller-manager":
            continue  # KCM_STATUS
        entries.append(
            {
                "manager": e["manager"],
                "operation": e["operation"],
                "apiVersion": e["apiVersion"],
                "subresource": e.get("subresource", ""),
                "timed": "time" in e,
                "fieldsV1": e["fieldsV1"],
            }
        )
    meta["managedFields"] = sorted(entries, key=lambda e: (e["manager"], e["operation"], e["subresource"]))
    obj.pop("status", None)
    if obj.get("kind") == "Service":
        obj["spec"].pop("clusterIP", None)
        obj["spec"].pop("clusterIPs", None)
    return obj


def assert_same(actual: dict[str, Any], fixture: Path) -> None:
    expected = json.loads(fixture.read_text())
    assert normalize(actual) == normalize(expected), f"differs from {fixture.parent.name}/{fixture.name}"


# ---------------------------------------------------------------- the requests kubectl made


def docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def settle(rest: Rest, path: str) -> dict[str, Any]:
    """Wait (as the capture did) until the controllers have seen the latest generation."""
    deadline = time.monotonic() + 10
    while True:
        obj = rest.get(path).body
        status = obj.get("status") or {}
        done = obj["kind"] not in ("Deployment", "StatefulSet") or (
            status.get("observedGeneration") == obj["metadata"].get("generation")
        )
        if done or time.monotonic() > deadline:
            time.sleep(0.05)  # any status write already queued lands before we compare
            return rest.get(path).body


def drift(rest: Rest, command: str) -> None:
    """One kubectl command as the HTTP request kubectl sends, with kubectl's field manager."""
    argv = shlex.split(command)[1:]
    ns = argv[argv.index("-n") + 1] if "-n" in argv else "default"
    args = [a for i, a in enumerate(argv) if a != "-n" and (i == 0 or argv[i - 1] != "-n")]
    verb = args[0]
    if verb == "set":
        verb, args = "set image", args[1:]
    target = args[1]
    if "/" in target:
        kind_name, name, rest_args = target.split("/")[0], target.split("/")[1], args[2:]
    else:
        kind_name, name, rest_args = target, args[2], args[3:]
    api_version, kind, _ = KINDS[kind_name]
    obj_path = path_of({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": ns}})
    if verb == "scale":
        replicas = int(next(a for a in rest_args if a.startswith("--replicas=")).split("=", 1)[1])
        resp = rest.patch(
            obj_path + "/scale", {"spec": {"replicas": replicas}}, MERGE, fieldManager="kubectl"
        )
    elif verb == "set image":
        container, image = rest_args[0].split("=", 1)
        patch = {
            "spec": {
                "template": {
                    "spec": {
                        "$setElementOrder/containers": [{"name": container}],
                        "containers": [{"image": image, "name": container}],
                    }
                }
            }
        }
        resp = rest.patch(obj_path, patch, STRATEGIC, fieldManager="kubectl-set")
    elif verb == "patch":
        options = dict(a.split("=", 1) for a in rest_args if a.startswith("--") and "=" in a)
        body = json.loads(rest_args[rest_args.index("-p") + 1])
        content_type = {"json": JSON_PATCH, "merge": MERGE, "strategic": STRATEGIC}[
            options.get("--type", "strategic")
        ]
        resp = rest.patch(
            obj_path, body, content_type, fieldManager=options.get("--field-manager", "kubectl-patch")
        )
    elif verb in ("label", "annotate"):
        key, value = rest_args[0].split("=", 1)
        section = "labels" if verb == "label" else "annotations"
        resp = rest.patch(
            obj_path, {"metadata": {section: {key: value}}}, MERGE, fieldManager=f"kubectl-{verb}"
        )
    else:
        raise AssertionError(f"unknown drift action {command}")
    assert resp.status == 200, resp


def kubectl_create_configmap(rest: Rest, command: str) -> None:
    argv = shlex.split(command)
    ns = argv[argv.index("-n") + 1]
    name = argv[argv.index("configmap") + 1]
    data = dict(a.split("=", 1)[1].split("=", 1) for a in argv if a.startswith("--from-literal="))
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": data,
    }
    resp = rest.create(f"/api/v1/namespaces/{ns}/configmaps", body, fieldManager="kubectl-create")
    assert resp.status == 201, resp


def client_side_apply(rest: Rest, obj: dict[str, Any]) -> dict[str, Any]:
    """`kubectl apply` (client-side) of a new object: a create carrying the last-applied annotation."""
    last = json.loads(json.dumps(obj))
    last.setdefault("metadata", {}).setdefault("annotations", {})
    body = json.loads(json.dumps(obj))
    body["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = (
        json.dumps(last, sort_keys=True, separators=(",", ":")) + "\n"
    )
    ns = obj["metadata"]["namespace"]
    resp = rest.create(f"/apis/apps/v1/namespaces/{ns}/deployments", body, fieldManager=CSA_MANAGER)
    assert resp.status == 201, resp
    return resp.body


def kubectl_server_side_apply(rest: Rest, obj: dict[str, Any]) -> dict[str, Any]:
    """`kubectl apply --server-side`: kubectl's csaupgrade first moves what the client-side-apply manager
    owns into the applier's entry (a JSON patch of managedFields), then applies."""
    path = path_of(obj)
    live = rest.get(path).body
    entries = live["metadata"]["managedFields"]
    csa = [e for e in entries if e["manager"] == CSA_MANAGER and e["operation"] == "Update"]
    if csa:
        mine = next((e for e in entries if e["manager"] == "gitops-tui" and e["operation"] == "Apply"), None)
        if mine is None:
            mine = {
                "manager": "gitops-tui",
                "operation": "Apply",
                "apiVersion": csa[0]["apiVersion"],
                "fieldsType": "FieldsV1",
                "fieldsV1": {},
            }
            entries.append(mine)
        for e in csa:
            mine["fieldsV1"] = _union(mine["fieldsV1"], e["fieldsV1"])
        upgraded = [e for e in entries if e not in csa]
        resp = rest.patch(
            path,
            [
                {
                    "op": "test",
                    "path": "/metadata/resourceVersion",
                    "value": live["metadata"]["resourceVersion"],
                },
                {"op": "replace", "path": "/metadata/managedFields", "value": upgraded},
            ],
            JSON_PATCH,
            fieldManager="kubectl",
        )
        assert resp.status == 200, resp
    resp = rest.apply(path, obj)
    assert resp.status == 200, resp
    return resp.body


def _union(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    out = dict(a)
    for k, v in b.items():
        out[k] = _union(out[k], v) if k in out else v
    return out


# ---------------------------------------------------------------- the replay


@pytest.fixture
def rest(tmp_path: Path) -> Iterator[Rest]:
    server = SandboxServer(controllers=True, controller_delay=0.01).start()
    client = Rest(server.write_kubeconfig(tmp_path / "kubeconfig"))
    try:
        resp = client.create(
            "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fixtures"}}
        )
        assert resp.status == 201
        yield client
    finally:
        client.close()
        server.stop()


def _conflict_message(case: dict[str, Any], key: str) -> str:
    return case["dry_run_conflicts"][key].removeprefix("error: ")


@pytest.mark.parametrize("name", CASES)
def test_case_replays_like_the_real_server(rest: Rest, name: str) -> None:
    folder = FIXTURES / name
    case = json.loads((folder / "case.json").read_text())

    if (folder / "crd.yaml").exists():
        (crd,) = docs(folder / "crd.yaml")
        assert rest.apply(path_of(crd), crd).status == 201
        assert_same(rest.get(path_of(crd)).body, folder / "crd-live.json")
        assert_same(rest.apply(path_of(crd), crd, dry_run=True).body, folder / "crd-predicted.json")

    if (folder / "live.json").exists():  # case 15: made by hand, not in Git
        create, label, annotate = case["setup_commands"]
        kubectl_create_configmap(rest, create)
        drift(rest, label)
        drift(rest, annotate)
        live = json.loads((folder / "live.json").read_text())
        assert_same(rest.get(path_of(live)).body, folder / "live.json")
        return

    (obj,) = docs(folder / "git.yaml")
    path = path_of(obj)

    if (folder / "predicted-create.json").exists():  # case 16: dry-run create
        resp = rest.apply(path, obj, dry_run=True)
        assert resp.status == 201, resp
        assert "resourceVersion" not in resp.body["metadata"] and resp.body["metadata"]["uid"]
        assert_same(resp.body, folder / "predicted-create.json")
        assert rest.get(path).status == 404
        return

    if case["setup_commands"][0] == "kubectl apply -f git.yaml":  # cases 18 and 23: client-side applied
        created = client_side_apply(rest, obj)
        annotations = created["metadata"]["annotations"]
        expected = json.loads((folder / "live-synced.json").read_text())["metadata"]["annotations"]
        assert (
            annotations["kubectl.kubernetes.io/last-applied-configuration"]
            == expected["kubectl.kubernetes.io/last-applied-configuration"]
        )
        if len(case["setup_commands"]) > 1:  # 23: then a raw SSA PATCH without migration
            assert rest.apply(path, obj).status == 200
    else:
        resp = rest.apply(path, obj)
        assert resp.status in (200, 201), resp

    assert_same(settle(rest, path), folder / "live-synced.json")
    assert_same(rest.apply(path, obj, dry_run=True).body, folder / "predicted-synced.json")

    if case["drift_action"]:
        drift(rest, case["drift_action"])
        assert_same(settle(rest, path), folder / "live-drifted.json")
        plain = rest.apply(path, obj, dry_run=True)
        if (folder / "predicted-drifted.error.txt").exists():  # case 22
            message = (folder / "predicted-drifted.error.txt").read_text().strip().removeprefix("The ")
            for force in (False, True):
                rejected = rest.apply(path, obj, dry_run=True, force=force)
                assert rejected.status == 422 and rejected.body["reason"] == "Invalid"
                assert rejected.body["message"] == message
        elif case.get("expect_drifted_dry_run_conflict"):
            assert plain.status == 409, plain
            assert plain.body["reason"] == "Conflict"
            assert plain.body["message"] == _conflict_message(case, "predicted-drifted.json")
            (cause,) = plain.body["details"]["causes"]
            assert cause["reason"] == "FieldManagerConflict"
            forced = rest.apply(path, obj, dry_run=True, force=True)
            assert forced.status == 200, forced
            assert_same(forced.body, folder / "predicted-drifted.json")
        else:
            assert plain.status == 200, plain
            assert_same(plain.body, folder / "predicted-drifted.json")

    if (folder / "git-v2.yaml").exists():
        (v2,) = docs(folder / "git-v2.yaml")
        assert_same(rest.apply(path, v2, dry_run=True).body, folder / "predicted-v2.json")
    if (folder / "live-after-ssa-apply.json").exists():  # 18: kubectl's real SSA apply (migrates first)
        kubectl_server_side_apply(rest, obj)
        assert_same(settle(rest, path), folder / "live-after-ssa-apply.json")
    if (folder / "live-after-kubectl-ssa-v2.json").exists():  # 23
        kubectl_server_side_apply(rest, v2)
        assert_same(settle(rest, path), folder / "live-after-kubectl-ssa-v2.json")
