"""Properties of the diff over generated manifests."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tui.engine import diff
from gitops_tui.model import SyncStatus

NAMES = st.text(alphabet="abcdefghij-", min_size=1, max_size=8)
QUANTITIES = st.sampled_from(["100m", 0.5, "1", "1024Mi", "1.5Gi", "2G", 1, "250m"])


@st.composite
def containers(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    out = []
    for name in names:
        container: dict[str, Any] = {"name": name, "image": f"registry/{name}:{draw(st.integers(1, 9))}"}
        env = draw(st.lists(NAMES, max_size=4, unique=True))
        if env:
            container["env"] = [{"name": e.upper(), "value": draw(st.text(max_size=5))} for e in env]
        ports = draw(st.lists(st.integers(1, 65535), max_size=3, unique=True))
        if ports:
            container["ports"] = [{"containerPort": p, "name": f"p{p}"[:15]} for p in ports]
        if draw(st.booleans()):
            container["resources"] = {"requests": {"cpu": draw(QUANTITIES), "memory": draw(QUANTITIES)}}
        if draw(st.booleans()):
            container["args"] = draw(st.lists(st.text(max_size=6), max_size=3))
        out.append(container)
    return out


@st.composite
def deployments(draw: st.DrawFn) -> dict[str, Any]:
    labels = draw(st.dictionaries(NAMES, NAMES, max_size=3))
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": draw(NAMES), "namespace": "shop"},
        "spec": {
            "replicas": draw(st.integers(0, 10)),
            "selector": {"matchLabels": {"app": "x"}},
            "template": {
                "metadata": {"labels": {"app": "x", **labels}},
                "spec": {"containers": draw(containers())},
            },
        },
    }
    if labels:
        obj["metadata"]["labels"] = labels
    if draw(st.booleans()):
        obj["spec"]["template"]["spec"]["tolerations"] = [{"key": k, "operator": "Exists"} for k in labels]
    return obj


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=25,
)


@st.composite
def arbitrary_objects(draw: st.DrawFn) -> dict[str, Any]:
    body = draw(st.dictionaries(st.text(min_size=1, max_size=4), JSON, max_size=5))
    return {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"}, **body}


@settings(max_examples=150, deadline=None)
@given(deployments())
def test_an_object_never_drifts_from_itself(obj: dict[str, Any]) -> None:
    assert diff.server_side_diff(obj, obj, obj).drift == ()
    assert diff.client_side_diff(obj, obj).drift == ()
    assert diff.quick_in_sync(obj, obj, obj)
    assert diff.quick_in_sync(obj, obj)


@settings(max_examples=150, deadline=None)
@given(arbitrary_objects())
def test_any_json_tree_never_drifts_from_itself(obj: dict[str, Any]) -> None:
    assert diff.server_side_diff(obj, obj, copy.deepcopy(obj)).sync is SyncStatus.SYNCED
    assert diff.client_side_diff(obj, copy.deepcopy(obj)).sync is SyncStatus.SYNCED


@settings(max_examples=100, deadline=None)
@given(deployments(), st.randoms(use_true_random=False))
def test_reordered_keyed_lists_are_not_drift(obj: dict[str, Any], rnd: Any) -> None:
    live = copy.deepcopy(obj)
    spec = live["spec"]["template"]["spec"]
    rnd.shuffle(spec["containers"])
    for c in spec["containers"]:
        rnd.shuffle(c.get("env", []))
        rnd.shuffle(c.get("ports", []))
    assert diff.client_side_diff(obj, live).drift == ()
    assert diff.server_side_diff(obj, live, obj).drift == ()


@settings(max_examples=100, deadline=None)
@given(deployments(), st.data())
def test_a_changed_image_is_found_at_its_live_index(obj: dict[str, Any], data: st.DataObject) -> None:
    live = copy.deepcopy(obj)
    live_containers = live["spec"]["template"]["spec"]["containers"]
    live_containers.reverse()
    index = data.draw(st.integers(0, len(live_containers) - 1))
    live_containers[index]["image"] = "registry/changed:latest"
    name = live_containers[index]["name"]
    expected = f"/spec/template/spec/containers/{index}/image"
    for result in (diff.client_side_diff(obj, live), diff.server_side_diff(obj, live, obj)):
        assert [d.path for d in result.drift] == [expected]
        assert result.drift[0].keyed_path == f"/spec/template/spec/containers/[name={name}]/image"
        assert result.drift[0].live == "registry/changed:latest"
        assert result.drift[0].git.startswith("registry/")


FIELDS_V1 = st.recursive(
    st.just({}),
    lambda inner: st.dictionaries(
        st.sampled_from(
            [".", "f:spec", "f:metadata", "f:a", 'k:{"name":"x"}', 'v:"x"', "i:0", "f:labels", "k:bad"]
        ),
        inner,
        max_size=4,
    ),
    max_leaves=12,
)


@st.composite
def messy_objects(draw: st.DrawFn) -> dict[str, Any]:
    obj = draw(arbitrary_objects())
    managed = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "manager": st.sampled_from(["gitops-tui", "kubectl-client-side-apply", "x"]),
                    "fieldsV1": FIELDS_V1,
                },
                optional={"operation": st.sampled_from(["Apply", "Update"]), "time": st.text(max_size=3)},
            ),
            max_size=3,
        )
    )
    last_applied = draw(st.one_of(st.none(), st.text(max_size=20), JSON.map(json.dumps)))
    obj["metadata"] = {"name": "t", "managedFields": managed}
    if last_applied is not None:
        obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": last_applied}
    return obj


@settings(max_examples=200, deadline=None)
@given(arbitrary_objects(), messy_objects(), arbitrary_objects())
def test_any_input_gives_an_answer_not_an_exception(desired: Any, live: Any, predicted: Any) -> None:
    for result in (
        diff.server_side_diff(desired, live, predicted),
        diff.client_side_diff(desired, live),
        diff.fallback_after_rejected_dry_run(desired, live, "422"),
    ):
        assert result.sync in (SyncStatus.SYNCED, SyncStatus.OUT_OF_SYNC)
        assert all(d.path == "" or d.path.startswith("/") for d in result.drift)
