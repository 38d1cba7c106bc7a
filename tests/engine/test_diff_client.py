"""Client-side diff: Git against live, offline."""

from __future__ import annotations

import json
from typing import Any

from gitops_tui.engine import diff
from gitops_tui.model import SyncStatus

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def git() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2,
            "template": {
                "spec": {
                    "hostNetwork": False,
                    "securityContext": {},
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 80}],
                            "env": [{"name": "A", "value": "1"}, {"name": "EMPTY", "value": ""}],
                            "resources": {"requests": {"cpu": 0.5, "memory": "1024Mi"}, "limits": {}},
                        }
                    ],
                }
            },
        },
    }


def live() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web", "team": "x"}, "uid": "u"},
        "spec": {
            "replicas": 2,
            "progressDeadlineSeconds": 600,
            "template": {
                "spec": {
                    "dnsPolicy": "ClusterFirst",
                    "containers": [
                        {
                            "name": "sidecar",
                            "image": "envoy",
                        },
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "imagePullPolicy": "IfNotPresent",
                            "ports": [{"containerPort": 80, "protocol": "TCP"}],
                            "env": [
                                {"name": "DEBUG", "value": "1"},
                                {"name": "A", "value": "1"},
                                {"name": "EMPTY"},
                            ],
                            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}},
                        },
                    ],
                }
            },
        },
        "status": {"replicas": 2},
    }


def paths(result: diff.ResourceDiff) -> list[str]:
    return [d.path for d in result.drift]


def test_normalized_git_matches_live_with_defaults_and_extra_items() -> None:
    # Quantities, empty vs absent, false vs absent, keyed containers/env/ports, live-only fields and items.
    result = diff.client_side_diff(git(), live())
    assert result.sync is SyncStatus.SYNCED, result.drift


def test_a_field_git_sets_that_live_lacks_is_drift() -> None:
    g = git()
    g["spec"]["paused"] = True
    g["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {"cpu": "1"}
    g["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "NEW", "value": "n"})
    result = diff.client_side_diff(g, live())
    c = "/spec/template/spec/containers/1"
    # NEW exists only in Git: its index is Git's (the container around it is matched, so it is live's).
    assert [(d.path, d.git, d.live, d.keyed_path) for d in result.drift] == [
        (
            f"{c}/env/2",
            {"name": "NEW", "value": "n"},
            None,
            "/spec/template/spec/containers/[name=web]/env/[name=NEW]",
        ),
        (
            f"{c}/resources/limits",
            {"cpu": "1"},
            None,
            "/spec/template/spec/containers/[name=web]/resources/limits",
        ),
        ("/spec/paused", True, None, "/spec/paused"),
    ]


def test_changed_values_are_drift() -> None:
    lv = live()
    web = lv["spec"]["template"]["spec"]["containers"][1]
    web["resources"]["requests"]["cpu"] = "600m"
    web["env"][1]["value"] = "2"
    web["env"][2]["value"] = "now set"
    lv["spec"]["replicas"] = 0
    result = diff.client_side_diff(git(), lv)
    c = "/spec/template/spec/containers/1"
    assert [(d.path, d.git, d.live) for d in result.drift] == [
        ("/spec/replicas", 2, 0),
        (f"{c}/env/1/value", "1", "2"),
        (f"{c}/env/2/value", "", "now set"),
        (f"{c}/resources/requests/cpu", 0.5, "600m"),
    ]


def test_atomic_lists_are_git_s_whole_list() -> None:
    g = git()
    g["spec"]["template"]["spec"]["tolerations"] = [{"key": "a", "operator": "Exists"}]
    lv = live()
    lv["spec"]["template"]["spec"]["tolerations"] = [{"key": "a", "operator": "Exists"}, {"key": "b"}]
    result = diff.client_side_diff(g, lv)
    assert [(d.path, d.git, d.live) for d in result.drift] == [
        ("/spec/template/spec/tolerations/1", None, {"key": "b"})
    ]


def test_int_or_string_keeps_its_type() -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": "shop"},
        "spec": {"ports": [{"port": 80, "targetPort": "8080"}]},
    }
    live_service = json.loads(json.dumps(service))
    live_service["spec"]["ports"][0].update(protocol="TCP", targetPort=8080)
    assert paths(diff.client_side_diff(service, live_service)) == ["/spec/ports/0/targetPort"]


def with_last_applied(obj: dict[str, Any], applied: dict[str, Any]) -> dict[str, Any]:
    obj["metadata"]["annotations"] = {LAST_APPLIED: json.dumps(applied)}
    return obj


def test_fields_removed_from_git_are_drift_through_last_applied() -> None:
    applied = git()
    applied["metadata"]["labels"]["tier"] = "front"
    applied["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "OLD", "value": "o"})
    lv = with_last_applied(live(), applied)
    lv["metadata"]["labels"]["tier"] = "front"
    lv["spec"]["template"]["spec"]["containers"][1]["env"].append({"name": "OLD", "value": "o"})
    result = diff.client_side_diff(git(), lv)
    assert [(d.path, d.git, d.live) for d in result.drift] == [
        ("/metadata/labels/tier", None, "front"),
        ("/spec/template/spec/containers/1/env/3", None, {"name": "OLD", "value": "o"}),
    ]


def test_removed_fields_the_server_defaults_back_are_not_drift() -> None:
    applied = git()
    applied["spec"]["progressDeadlineSeconds"] = 600
    applied["spec"]["template"]["spec"]["dnsPolicy"] = "ClusterFirst"
    applied["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = "IfNotPresent"
    lv = with_last_applied(live(), applied)
    assert diff.client_side_diff(git(), lv).sync is SyncStatus.SYNCED
    # ... unless live holds something else: then the apply does change it.
    lv["spec"]["progressDeadlineSeconds"] = 900
    assert paths(diff.client_side_diff(git(), lv)) == ["/spec/progressDeadlineSeconds"]


def test_removed_fields_another_manager_holds_stay() -> None:
    applied = git()
    applied["metadata"]["labels"]["tier"] = "front"
    lv = with_last_applied(live(), applied)
    lv["metadata"]["labels"]["tier"] = "front"
    lv["metadata"]["managedFields"] = [
        {
            "manager": "kubectl-client-side-apply",
            "operation": "Update",
            "fieldsV1": {"f:metadata": {"f:labels": {"f:tier": {}}}},
        },
        {
            "manager": "kubectl-label",
            "operation": "Update",
            "fieldsV1": {"f:metadata": {"f:labels": {"f:tier": {}}}},
        },
    ]
    assert diff.client_side_diff(git(), lv).sync is SyncStatus.SYNCED


def test_fields_our_manager_applied_and_git_dropped_are_drift() -> None:
    lv = live()
    lv["spec"]["minReadySeconds"] = 5
    lv["metadata"]["managedFields"] = [
        {"manager": "gitops-tui", "operation": "Apply", "fieldsV1": {"f:spec": {"f:minReadySeconds": {}}}},
    ]
    assert paths(diff.client_side_diff(git(), lv)) == ["/spec/minReadySeconds"]
    assert diff.client_side_diff(git(), lv, manager="argocd-controller").sync is SyncStatus.SYNCED


def test_secret_string_data_is_compared_as_data() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"user": "me"}}
    live_secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "type": "Opaque",
        "data": {"user": "bWU="},
    }
    assert diff.client_side_diff(secret, live_secret).sync is SyncStatus.SYNCED
    live_secret["data"]["user"] = "eW91"
    assert paths(diff.client_side_diff(secret, live_secret)) == ["/data/user"]


def test_fallback_after_a_rejected_dry_run_marks_replace_even_without_drift() -> None:
    result = diff.fallback_after_rejected_dry_run(git(), live(), "422 Invalid")
    assert result.needs_replace and result.sync is SyncStatus.OUT_OF_SYNC
    assert "422 Invalid" in result.note


def test_identity_in_last_applied_is_never_a_removal() -> None:
    applied = git()
    lv = with_last_applied(live(), applied)
    g = git()
    del g["metadata"]["namespace"]  # the app's destination namespace fills it in
    assert diff.client_side_diff(g, lv).sync is SyncStatus.SYNCED


def test_server_defaults_per_kind_come_back_after_a_removal() -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s", "namespace": "shop"},
        "spec": {"ports": [{"port": 80}]},
    }
    applied = json.loads(json.dumps(service))
    applied["spec"].update(type="ClusterIP", sessionAffinity="None", clusterIP="10.0.0.1")
    applied["spec"]["ports"][0].update(protocol="TCP", targetPort=80)
    live_service = with_last_applied(json.loads(json.dumps(applied)), applied)
    assert diff.client_side_diff(service, live_service).sync is SyncStatus.SYNCED
    live_service["spec"]["type"] = "NodePort"
    live_service["spec"]["ports"][0]["targetPort"] = 8080
    assert paths(diff.client_side_diff(service, live_service)) == ["/spec/ports/0/targetPort", "/spec/type"]


def test_image_pull_policy_default_depends_on_the_tag() -> None:
    for image, policy, drift in (
        ("nginx:1.27", "IfNotPresent", []),
        ("nginx", "Always", []),
        ("nginx:latest", "Always", []),
        ("nginx:latest", "IfNotPresent", ["/spec/template/spec/containers/1/imagePullPolicy"]),
    ):
        g = git()
        g["spec"]["template"]["spec"]["containers"][0]["image"] = image
        applied = json.loads(json.dumps(g))
        applied["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = policy
        lv = with_last_applied(live(), applied)
        lv["spec"]["template"]["spec"]["containers"][1].update(image=image, imagePullPolicy=policy)
        assert paths(diff.client_side_diff(g, lv)) == drift, image
