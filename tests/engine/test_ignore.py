"""ignoreDifferences: jsonPointers, jqPathExpressions, managedFieldsManagers."""

from __future__ import annotations

import copy
from typing import Any

from gitops_tui.engine import diff
from gitops_tui.engine.ignore import _program, apply_ignores, ignored_by_manager, rules_for
from gitops_tui.model import IgnoreRule, ResourceKey, SyncStatus

KEY = ResourceKey("apps", "Deployment", "shop", "web")


def obj() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"a/b": "1", "keep": "2"}},
        "spec": {
            "replicas": 3,
            "template": {
                "spec": {
                    "initContainers": [{"name": "istio-init"}, {"name": "migrate"}, {"name": "istio-proxy"}],
                    "containers": [{"name": "web", "image": "nginx"}],
                }
            },
        },
    }


def test_rules_match_by_group_kind_name_namespace() -> None:
    rules = [
        IgnoreRule(group="apps", kind="Deployment"),
        IgnoreRule(kind="Deployment", name="other"),
        IgnoreRule(group="", kind="Service"),
        IgnoreRule(kind="*", namespace="shop"),
        IgnoreRule(),
    ]
    assert rules_for(KEY, rules) == (rules[0], rules[3], rules[4])


def test_json_pointers_remove_fields_from_a_copy() -> None:
    original = obj()
    before = copy.deepcopy(original)
    rule = IgnoreRule(
        group="apps",
        kind="Deployment",
        json_pointers=(
            "/spec/replicas",
            "/metadata/annotations/a~1b",
            "/spec/absent",
            "/spec/template/spec/initContainers/0",
        ),
    )
    out = apply_ignores(original, KEY, [rule])
    assert original == before
    assert "replicas" not in out["spec"]
    assert out["metadata"]["annotations"] == {"keep": "2"}
    assert [c["name"] for c in out["spec"]["template"]["spec"]["initContainers"]] == [
        "migrate",
        "istio-proxy",
    ]
    # Untouched branches are shared, not copied.
    assert out["spec"]["template"]["spec"]["containers"] is original["spec"]["template"]["spec"]["containers"]


def test_rules_for_other_resources_change_nothing() -> None:
    original = obj()
    rule = IgnoreRule(kind="StatefulSet", json_pointers=("/spec/replicas",))
    assert apply_ignores(original, KEY, [rule]) is original


def test_jq_path_expressions() -> None:
    rule = IgnoreRule(
        kind="Deployment",
        jq_path_expressions=(
            '.spec.template.spec.initContainers[] | select(.name | startswith("istio"))',
            ".metadata.annotations.keep",
        ),
    )
    out = apply_ignores(obj(), KEY, [rule])
    assert [c["name"] for c in out["spec"]["template"]["spec"]["initContainers"]] == ["migrate"]
    assert out["metadata"]["annotations"] == {"a/b": "1"}


def test_a_jq_expression_that_fails_on_this_object_selects_nothing() -> None:
    rule = IgnoreRule(jq_path_expressions=('.spec.volumes[] | select(.name == "x")',))
    assert apply_ignores(obj(), KEY, [rule]) == obj()


def test_jq_programs_are_compiled_once() -> None:
    expression = ".spec.replicas   "
    rule = IgnoreRule(jq_path_expressions=(expression,))
    apply_ignores(obj(), KEY, [rule])
    hits = _program.cache_info().hits
    apply_ignores(obj(), KEY, [rule])
    assert _program.cache_info().hits == hits + 1


def test_ignored_fields_are_no_drift_in_either_mode() -> None:
    live = obj()
    live["spec"]["replicas"] = 7
    live["spec"]["template"]["spec"]["initContainers"].append({"name": "istio-late"})
    rules = [
        IgnoreRule(
            json_pointers=("/spec/replicas",), jq_path_expressions=(".spec.template.spec.initContainers",)
        )
    ]
    assert diff.server_side_diff(obj(), live, obj()).sync is SyncStatus.OUT_OF_SYNC
    assert diff.server_side_diff(obj(), live, obj(), ignore=rules).sync is SyncStatus.SYNCED
    assert diff.client_side_diff(obj(), live).sync is SyncStatus.OUT_OF_SYNC
    assert diff.client_side_diff(obj(), live, ignore=rules).sync is SyncStatus.SYNCED
    assert diff.quick_in_sync(obj(), live, obj(), ignore=rules)


def with_hpa(replicas: int) -> dict[str, Any]:
    live = obj()
    live["spec"]["replicas"] = replicas
    live["metadata"]["managedFields"] = [
        {"manager": "gitops-tui", "operation": "Apply", "fieldsV1": {"f:spec": {"f:template": {}}}},
        {
            "manager": "kube-controller-manager",
            "operation": "Update",
            "time": "t",
            "fieldsV1": {"f:spec": {"f:replicas": {}}},
        },
    ]
    return live


def test_managed_fields_managers() -> None:
    live = with_hpa(7)
    rules = [
        IgnoreRule(group="apps", kind="Deployment", managed_fields_managers=("kube-controller-manager",))
    ]
    assert ignored_by_manager("/spec/replicas", live, rules)
    assert not ignored_by_manager("/spec/template", live, rules)
    assert not ignored_by_manager(
        "/spec/replicas", live, [IgnoreRule(managed_fields_managers=("someone-else",))]
    )
    assert not ignored_by_manager(
        "/spec/replicas",
        live,
        [IgnoreRule(kind="Service", managed_fields_managers=("kube-controller-manager",))],
    )

    plain = diff.server_side_diff(obj(), live, obj())
    assert [(d.path, d.manager) for d in plain.drift] == [("/spec/replicas", "kube-controller-manager")]
    assert diff.server_side_diff(obj(), live, obj(), ignore=rules).sync is SyncStatus.SYNCED
    assert diff.client_side_diff(obj(), live, ignore=rules).sync is SyncStatus.SYNCED
    # The fast path cannot tell; the full diff settles it.
    assert not diff.quick_in_sync(obj(), live, obj(), ignore=rules)
