"""Noise removal and client-side equality."""

from __future__ import annotations

import base64
import copy

from gitops_tui.engine.normalize import fold_secret, is_empty, scalar_equal, strip_noise, without_empty

LIVE = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "web",
        "namespace": "shop",
        "uid": "u",
        "resourceVersion": "7",
        "generation": 2,
        "creationTimestamp": "2026-01-01T00:00:00Z",
        "selfLink": "/apis/apps/v1/...",
        "deletionTimestamp": "2026-01-02T00:00:00Z",
        "managedFields": [{"manager": "kubectl"}],
        "annotations": {
            "deployment.kubernetes.io/revision": "3",
            "kubectl.kubernetes.io/last-applied-configuration": "{}",
            "team": "payments",
        },
        "labels": {},
    },
    "spec": {"replicas": 2, "template": {"spec": {"status": "nested status is spec, kept"}}},
    "status": {"replicas": 2},
}


def test_strip_noise_drops_server_bookkeeping_and_keeps_the_rest() -> None:
    before = copy.deepcopy(LIVE)
    out = strip_noise(LIVE)
    assert before == LIVE, "the input is not modified"
    assert out == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"team": "payments"}},
        "spec": {"replicas": 2, "template": {"spec": {"status": "nested status is spec, kept"}}},
    }


def test_strip_noise_removes_annotations_left_empty() -> None:
    obj = {"metadata": {"name": "x", "annotations": {"deployment.kubernetes.io/revision": "1"}}}
    assert strip_noise(obj) == {"metadata": {"name": "x"}}
    assert strip_noise({"metadata": {"name": "x", "annotations": None}}) == {"metadata": {"name": "x"}}


def test_fold_secret_string_data_into_base64_data() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"kept": "a2VwdA==", "password": "b2xk"},
        "stringData": {"password": "new", "user": "me"},
    }
    folded = fold_secret(secret)
    assert "stringData" not in folded
    assert folded["data"] == {
        "kept": "a2VwdA==",
        "password": base64.b64encode(b"new").decode(),
        "user": base64.b64encode(b"me").decode(),
    }
    assert "stringData" in secret, "the input is not modified"
    not_core = {**secret, "apiVersion": "example.com/v1"}
    assert fold_secret(not_core) is not_core


def test_empty_values() -> None:
    for value in (None, "", {}, [], False, 0, 0.0):
        assert is_empty(value)
    for value in ("0", " ", {"a": 1}, [0], True, 1):
        assert not is_empty(value)


def test_quantities_compare_by_amount_only_where_they_are_quantities() -> None:
    assert scalar_equal(0.5, "500m", ("resources", "requests", "cpu"))
    assert scalar_equal("1024Mi", "1Gi", ("resources", "limits", "memory"))
    assert scalar_equal("10Gi", "10240Mi", ("spec", "hard", "requests.storage"))
    assert scalar_equal("1Gi", "1024Mi", ("emptyDir", "sizeLimit"))
    assert not scalar_equal("1024Mi", "1Gi", ("data", "memory"))


def test_int_or_string_fields_keep_their_type() -> None:
    assert not scalar_equal("8080", 8080, ("ports", "0", "targetPort"))
    assert not scalar_equal(1, "1", ("strategy", "rollingUpdate", "maxSurge"))
    assert scalar_equal("25%", "25%", ("strategy", "rollingUpdate", "maxSurge"))


def test_numbers_and_their_text_are_equal_elsewhere() -> None:
    assert scalar_equal("3", 3, ("spec", "replicas"))
    assert scalar_equal(3, "3", ("spec", "replicas"))
    assert scalar_equal(1, 1.0, ("spec", "x"))
    assert not scalar_equal("three", 3, ("spec", "replicas"))


def test_booleans_are_not_numbers() -> None:
    assert not scalar_equal(True, 1, ("spec", "x"))
    assert not scalar_equal(False, 0, ("spec", "x"))
    assert not scalar_equal("true", True, ("spec", "x"))
    assert scalar_equal(False, False, ("spec", "suspend"))


def test_lists_compare_item_by_item_in_context() -> None:
    assert scalar_equal(["a", "b"], ["a", "b"])
    assert not scalar_equal(["a", "b"], ["b", "a"])
    assert scalar_equal([1, 2], ["1", "2"], ("args",))


def test_without_empty_drops_what_the_comparison_counts_as_absent_for_display() -> None:
    """`args: []` in Git and no args live is no drift; shown as `- args: []` it looked like one."""
    container = {"name": "api", "args": [], "env": [{"name": "A", "value": ""}], "resources": {"limits": {}}}
    assert without_empty(
        {"spec": {"containers": [container], "template": {"metadata": {"annotations": {}}}}}
    ) == {"spec": {"containers": [{"name": "api", "env": [{"name": "A", "value": ""}]}]}}
