"""Secret values never appear: not in objects, not in last-applied, not in drift."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from gitops_tui.engine import diff
from gitops_tui.engine.secrets import mask_drift, mask_pair, mask_secret, mask_value
from gitops_tui.model import DriftField, ResourceKey

SECRET_KEY = ResourceKey("", "Secret", "shop", "db")
PASSWORD = "hunter2-very-secret"
B64 = base64.b64encode(PASSWORD.encode()).decode()
MASK = re.compile(r"^\*\*\*masked:[0-9a-f]{8}\*\*\*$")


def secret(password: str = PASSWORD) -> dict[str, Any]:
    applied = {"apiVersion": "v1", "kind": "Secret", "stringData": {"password": password, "user": "app"}}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "db",
            "namespace": "shop",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied),
                "team": "a",
            },
        },
        "type": "Opaque",
        "data": {"password": base64.b64encode(password.encode()).decode(), "user": "YXBw"},
        "stringData": {"password": password},
    }


def test_mask_is_stable_per_value_and_hides_it() -> None:
    assert mask_value("a") == mask_value("a")
    assert mask_value("a") != mask_value("b")
    assert MASK.match(mask_value("a"))
    assert MASK.match(mask_value({"nested": 1}))


def test_masked_secret_holds_no_value_anywhere() -> None:
    masked = mask_secret(secret())
    text = json.dumps(masked)
    assert PASSWORD not in text and B64 not in text
    assert all(MASK.match(v) for v in masked["data"].values())
    assert all(MASK.match(v) for v in masked["stringData"].values())
    assert masked["metadata"]["annotations"]["team"] == "a"
    applied = json.loads(
        masked["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    )
    assert applied["stringData"]["password"] == mask_value(PASSWORD)
    assert masked["type"] == "Opaque"


def test_unreadable_last_applied_is_masked_whole() -> None:
    s = secret()
    s["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = (
        '{"stringData": {"p": "' + PASSWORD
    )
    assert PASSWORD not in json.dumps(mask_secret(s))


def test_other_kinds_pass_unchanged() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"password": PASSWORD}}
    assert mask_secret(cm) is cm
    custom = {**secret(), "apiVersion": "bitnami.com/v1alpha1"}
    assert mask_secret(custom) is custom


def test_mask_pair() -> None:
    git, live = mask_pair(secret(), secret("changed"))
    assert git is not None and live is not None
    assert git["data"]["user"] == live["data"]["user"]  # unchanged key: same mask
    assert git["data"]["password"] != live["data"]["password"]  # changed key: visible as changed
    assert mask_pair(None, None) == (None, None)


def test_drift_of_a_secret_is_masked() -> None:
    git = secret()
    del git["data"]
    git["stringData"]["user"] = "app"
    live = secret("changed-by-hand")
    del live["stringData"]
    result = diff.client_side_diff(git, live)
    assert [d.path for d in result.drift] == ["/data/password"]
    masked = mask_drift(result.key, result.drift)
    text = repr(masked)
    assert PASSWORD not in text and B64 not in text and "changed-by-hand" not in text
    assert masked[0].git == mask_value(B64)
    assert masked[0].manager == result.drift[0].manager


def test_drift_of_whole_maps_and_metadata_is_masked() -> None:
    annotations = secret()["metadata"]["annotations"]
    drift = (
        DriftField("/data", {"password": B64}, None),
        DriftField("/stringData/password", PASSWORD, None),
        DriftField(
            "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
            None,
            annotations["kubectl.kubernetes.io/last-applied-configuration"],
        ),
        DriftField("/metadata/annotations", annotations, None),
        DriftField("", secret(), None),
        DriftField("/type", "Opaque", "kubernetes.io/tls"),
    )
    masked = mask_drift(SECRET_KEY, drift)
    assert PASSWORD not in repr(masked) and B64 not in repr(masked)
    assert masked[-1] == drift[-1]  # not a value: shown as is
    config_map = ResourceKey("", "ConfigMap", "shop", "db")
    assert mask_drift(config_map, drift) == drift


@given(st.text(min_size=1), st.text(min_size=1))
def test_masks_never_contain_the_value(a: str, b: str) -> None:
    assert a not in mask_value(a) or a in "***masked:0123456789abcdef"
    assert (mask_value(a) == mask_value(b)) is (a == b)
