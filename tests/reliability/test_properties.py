"""Generated manifests through the normalizer and the diff: no crash, an object never drifts from itself
(also after a YAML round trip), and the server-side diff reports the same set of fields whichever side
is called live — drift is a property of the pair, not of the argument order."""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gitops_tui.engine import diff
from gitops_tui.engine.normalize import fold_secret, strip_noise
from gitops_tui.engine.secrets import mask_pair
from gitops_tui.model import SyncStatus

NAMES = st.text(alphabet="abcdefghijklmnop-", min_size=1, max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.text(max_size=8)
    | st.sampled_from(["100m", "0.5", "1Gi", "1024Mi", "", "0", "true", "yes", "~", "null", "1e3"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.lists(st.fixed_dictionaries({"name": NAMES}, optional={"value": inner}), max_size=4)
    ),
    max_leaves=30,
)
KINDS = st.sampled_from(
    [
        ("apps/v1", "Deployment"),
        ("v1", "ConfigMap"),
        ("v1", "Secret"),
        ("v1", "Service"),
        ("example.com/v1", "Thing"),
        ("batch/v1", "Job"),
    ]
)


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    api_version, kind = draw(KINDS)
    meta: dict[str, Any] = {"name": draw(NAMES), "namespace": draw(NAMES)}
    if draw(st.booleans()):
        meta["labels"] = draw(st.dictionaries(NAMES, NAMES, max_size=3))
    if draw(st.booleans()):
        meta["annotations"] = draw(st.dictionaries(NAMES, st.text(max_size=10), max_size=3))
    if draw(st.booleans()):
        meta["resourceVersion"] = str(draw(st.integers(1, 10**6)))
        meta["managedFields"] = [{"manager": "kubectl", "operation": "Update", "fieldsV1": {}}]
    body = draw(
        st.dictionaries(st.sampled_from(["spec", "data", "stringData", "rules", "x"]), JSON, max_size=3)
    )
    return {"apiVersion": api_version, "kind": kind, "metadata": meta, **body}


def mutate(obj: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """The same object with a few fields changed, added or removed (keeps the identity)."""
    other = copy.deepcopy(obj)
    for _ in range(data.draw(st.integers(0, 3))):
        key = data.draw(st.sampled_from(["spec", "data", "x", "rules"]))
        if key in other and data.draw(st.booleans()):
            del other[key]
        else:
            other[key] = data.draw(JSON)
    return other


def shape(drift: Any) -> Counter[str]:
    return Counter(re.sub(r"/(\[[^\]]*\]|\d+)(?=/|$)", "/*", d.keyed_path or d.path) for d in drift)


SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(manifests())
def test_normalizing_is_idempotent_and_never_mutates_its_input(obj: dict[str, Any]) -> None:
    original = copy.deepcopy(obj)
    once = strip_noise(obj)
    assert obj == original
    assert strip_noise(once) == once


@SETTINGS
@given(manifests())
def test_diff_of_an_object_with_itself_is_empty_even_through_yaml(obj: dict[str, Any]) -> None:
    string_data = obj.get("stringData")
    # The server refuses a Secret whose stringData values are not strings: there is no live side to model.
    assume(not isinstance(string_data, dict) or all(isinstance(v, str) for v in string_data.values()))
    again = yaml.safe_load(yaml.safe_dump(obj))
    for a, b in ((obj, obj), (obj, again)):
        assert diff.server_side_diff(a, b, copy.deepcopy(b)).drift == ()
        # Live is as the server stores it: a Secret's stringData is folded into data.
        assert diff.client_side_diff(a, fold_secret(copy.deepcopy(b))).drift == ()
        assert diff.quick_in_sync(a, b, b)


@SETTINGS
@given(manifests(), st.data())
def test_server_side_diff_is_symmetric_in_the_fields_it_reports(
    obj: dict[str, Any], data: st.DataObject
) -> None:
    other = mutate(obj, data)
    forward = diff.server_side_diff(obj, obj, other)
    backward = diff.server_side_diff(obj, other, obj)
    # List items are named from the live side ([name=x], or an index when the item has no key), so the
    # names of items differ with the direction; the fields reported must not.
    assert shape(forward.drift) == shape(backward.drift)
    assert (forward.sync is SyncStatus.SYNCED) == (backward.sync is SyncStatus.SYNCED)


def test_a_renamed_container_reports_both_names() -> None:
    """Regression (found by the symmetry property): the Git-side item was dropped because its Git index
    equalled the live index of the renamed one."""

    def deployment(name: str) -> dict[str, Any]:
        containers = [{"name": name, "image": "registry/app:1"}]
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "a", "namespace": "a"},
            "spec": {"template": {"spec": {"containers": containers}}},
        }

    live, predicted = deployment("app-v2"), deployment("app")
    drift = diff.server_side_diff(predicted, live, predicted).drift
    base = "/spec/template/spec/containers/"
    assert {(d.keyed_path, d.git is None, d.live is None) for d in drift} == {
        (base + "[name=app-v2]", True, False),
        (base + "[name=app]", False, True),
    }


@SETTINGS
@given(manifests(), st.data())
def test_any_pair_gives_an_answer_and_masking_never_crashes(obj: dict[str, Any], data: st.DataObject) -> None:
    live = mutate(obj, data)
    for result in (
        diff.client_side_diff(obj, live),
        diff.server_side_diff(obj, live, mutate(obj, data)),
        diff.fallback_after_rejected_dry_run(obj, live, "422"),
    ):
        assert result.sync in (SyncStatus.SYNCED, SyncStatus.OUT_OF_SYNC)
        assert all(d.path.startswith("/") for d in result.drift)
    git_view, live_view = mask_pair(strip_noise(obj), strip_noise(live))
    if obj["kind"] != "Secret":
        assert git_view == strip_noise(obj)
