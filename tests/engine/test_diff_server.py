"""Server-side diff: live against the dry-run prediction."""

from __future__ import annotations

import copy
from typing import Any

from gitops_tui.engine import diff
from gitops_tui.model import DiffMode, ResourceKey, SyncStatus


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "shop",
            "resourceVersion": "10",
            "generation": 3,
            "annotations": {"deployment.kubernetes.io/revision": "4"},
            "managedFields": [
                {
                    "manager": "gitops-tui",
                    "operation": "Apply",
                    "time": "t1",
                    "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {}}}}},
                }
            ],
        },
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx",
                            "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                            "resources": {},
                        }
                    ]
                }
            }
        },
        "status": {"replicas": 1},
    }


def test_noise_only_differences_are_in_sync() -> None:
    live = deployment()
    predicted = copy.deepcopy(live)
    predicted["metadata"].update(generation=4, resourceVersion="11", managedFields=[])
    predicted["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "5"
    predicted["status"] = {"replicas": 3}
    del predicted["spec"]["template"]["spec"]["containers"][0]["resources"]  # {} and absent are alike
    result = diff.server_side_diff(deployment(), live, predicted)
    assert result == diff.ResourceDiff(
        key=ResourceKey("apps", "Deployment", "shop", "web"),
        sync=SyncStatus.SYNCED,
        mode=DiffMode.SERVER_SIDE,
    )


def test_items_are_reported_at_their_live_index_or_else_their_predicted_index() -> None:
    live = deployment()
    live["spec"]["template"]["spec"]["containers"][0]["env"].insert(0, {"name": "X", "value": "x"})
    predicted = deployment()
    env = predicted["spec"]["template"]["spec"]["containers"][0]["env"]
    env[1]["value"] = "22"
    env.append({"name": "C", "value": "3"})
    result = diff.server_side_diff(deployment(), live, predicted)
    base = "/spec/template/spec/containers/0/env"
    keyed = "/spec/template/spec/containers/[name=web]/env"
    assert [(d.path, d.keyed_path, d.git, d.live) for d in result.drift] == [
        (f"{base}/0", f"{keyed}/[name=X]", None, {"name": "X", "value": "x"}),
        (f"{base}/2/value", f"{keyed}/[name=B]/value", "22", "2"),
        (f"{base}/2", f"{keyed}/[name=C]", {"name": "C", "value": "3"}, None),
    ]
    assert result.sync is SyncStatus.OUT_OF_SYNC
    # Drift only in the prediction has no live owner; the rest names gitops-tui (it owns the containers list).
    assert [d.manager for d in result.drift] == ["gitops-tui", "gitops-tui", None]


def test_scalar_lists_differ_as_a_whole() -> None:
    live = deployment()
    live["spec"]["template"]["spec"]["containers"][0]["args"] = ["a", "b"]
    predicted = deployment()
    predicted["spec"]["template"]["spec"]["containers"][0]["args"] = ["b", "a"]
    result = diff.server_side_diff(deployment(), live, predicted)
    assert [(d.path, d.git, d.live) for d in result.drift] == [
        ("/spec/template/spec/containers/0/args", ["b", "a"], ["a", "b"])
    ]


def test_takeovers_are_listed_only_for_drifted_objects() -> None:
    live = deployment()
    live["metadata"]["managedFields"].append(
        {"manager": "kubectl-set", "operation": "Update", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
    )
    live["spec"]["replicas"] = 2
    desired = deployment()
    desired["spec"]["replicas"] = 2
    assert diff.server_side_diff(desired, live, live).taken_over == ()
    desired["spec"]["replicas"] = 5
    predicted = copy.deepcopy(live)
    predicted["spec"]["replicas"] = 5
    result = diff.server_side_diff(desired, live, predicted)
    assert [(t.path, t.manager) for t in result.taken_over] == [("/spec/replicas", "kubectl-set")]


def test_missing_and_extra() -> None:
    assert diff.missing(deployment()).sync is SyncStatus.MISSING
    assert diff.extra(deployment()).sync is SyncStatus.REQUIRES_PRUNING
    assert diff.extra(deployment()).key == ResourceKey("apps", "Deployment", "shop", "web")


def test_inputs_are_not_modified() -> None:
    desired, live, predicted = deployment(), deployment(), deployment()
    predicted["spec"]["template"]["spec"]["containers"][0]["image"] = "other"
    before = copy.deepcopy((desired, live, predicted))
    diff.server_side_diff(desired, live, predicted)
    diff.client_side_diff(desired, live)
    assert (desired, live, predicted) == before
