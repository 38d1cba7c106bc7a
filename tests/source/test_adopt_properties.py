"""Properties of in-place adoption: any value reads back exactly, and a one-line value changes one line."""

from __future__ import annotations

import copy
import difflib
import json

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gitops_tui.engine.diff import client_side_diff
from gitops_tui.model import DriftField
from gitops_tui.source.adopt.fieldpath import Change, steps_of
from gitops_tui.source.adopt.yamledit import edit_document
from gitops_tui.source.adopt.yamltext import load_all

from .test_adopt_yaml import MANIFEST

LINES = MANIFEST.splitlines()


def _line(text: str) -> int:
    return next(i for i, line in enumerate(LINES) if text in line)


SCALARS = {  # path -> index of the line that holds the value
    "/spec/replicas": _line("replicas: 2"),
    "/metadata/name": _line("name: web"),
    "/spec/template/spec/containers/0/image": _line("envoy:1.0"),
    "/spec/template/spec/containers/1/image": _line("registry/api:1.0"),
    "/spec/template/spec/containers/1/env/0/value": _line('value: "fast"'),
    "/spec/template/spec/containers/1/args/1": _line("args:"),
}

text_values = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\ufeff\x85"),
    max_size=40,
)
values = st.one_of(
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    text_values,
    st.sampled_from(
        ["yes", "no", "on", "1.0", "0x1F", "~", "null", "2024-01-01", "- a", "a: b", "#x", "'q'", '"']
    ),
)


def changed_lines(before: str, after: str) -> list[int]:
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    return [i for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal" for i in range(i1, i2)]


def at(doc: object, path: str) -> object:
    cur = doc
    for token in path.strip("/").split("/"):
        cur = cur[int(token)] if isinstance(cur, list) else cur[token]  # type: ignore[index]
    return cur


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(path=st.sampled_from(sorted(SCALARS)), value=values)
@example(path="/spec/replicas", value=2)  # the value Git already has
def test_any_scalar_reads_back_on_its_own_line(path: str, value: object) -> None:
    change = Change(steps_of(DriftField(path=path, git=None, live=value)), value, delete=False)
    after = edit_document(MANIFEST, 0, [change])
    cur = at(load_all(after)[0], path)
    assert cur == value and type(cur) is type(value)
    assert yaml.safe_load_all(after).__next__() is not None  # plain PyYAML reads it too
    was = at(load_all(MANIFEST)[0], path)
    unchanged = was == value and type(was) is type(value)  # e.g. replicas 2 -> 2: nothing to write
    assert changed_lines(MANIFEST, after) == ([] if unchanged else [SCALARS[path]])


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(value=st.text(alphabet=st.sampled_from("ab \n#:'\"-|>"), min_size=1, max_size=30))
def test_multi_line_strings_read_back(value: str) -> None:
    for path in (
        "/spec/template/spec/containers/1/env/1/value",
        "/spec/replicas",
        "/metadata/annotations/note",
    ):
        change = Change(steps_of(DriftField(path=path, git=None, live=value)), value, delete=False)
        after = edit_document(MANIFEST, 0, [change])
        cur = load_all(after)[0]
        for token in path.strip("/").split("/"):
            cur = cur[int(token)] if isinstance(cur, list) else cur[token]
        assert cur == value
        assert load_all(after)[1] == load_all(MANIFEST)[1]


mutations = st.lists(
    st.one_of(
        st.tuples(st.just("replicas"), st.integers(0, 50)),
        st.tuples(st.just("image"), st.sampled_from(["registry/api:2.0", "registry/api@sha256:00", "x:1.0"])),
        st.tuples(st.just("env"), st.sampled_from(["MODE", "SCRIPT"]), st.one_of(st.none(), text_values)),
        st.tuples(
            st.just("label"), st.sampled_from(["app", "tier", "new"]), st.one_of(st.none(), text_values)
        ),
        st.tuples(st.just("args"), st.lists(st.sampled_from(["--a", "--b", "--c"]), min_size=1, max_size=4)),
    ),
    min_size=1,
    max_size=5,
)


def _mutate(live: dict, mutation: tuple) -> None:
    api = live["spec"]["template"]["spec"]["containers"][1]
    kind = mutation[0]
    if kind == "replicas":
        live["spec"]["replicas"] = mutation[1]
    elif kind == "image":
        api["image"] = mutation[1]
    elif kind == "env":
        _, name, value = mutation
        env = api["env"]
        item = next(e for e in env if e["name"] == name) if any(e["name"] == name for e in env) else None
        if value is None and item is not None:
            env.remove(item)
        elif value is not None and item is not None:
            item["value"] = value
        elif value is not None:
            env.append({"name": name, "value": value})
    elif kind == "label":
        _, name, value = mutation
        if value is None:
            live["metadata"]["labels"].pop(name, None)
        else:
            live["metadata"]["labels"][name] = value
    else:
        api["args"] = mutation[1]


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(mutations=mutations)
def test_adopting_the_engines_drift_makes_git_match_live(mutations: list[tuple]) -> None:
    desired = load_all(MANIFEST)[0]
    live = copy.deepcopy(desired)
    for mutation in mutations:
        _mutate(live, mutation)
    # what the engine reports: with live lacking a field that Git has, the last applied state says so
    live_obj = copy.deepcopy(live)
    live_obj.setdefault("metadata", {}).setdefault("annotations", {})
    live_obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
        desired
    )
    drift = client_side_diff(desired, live_obj).drift
    drift = tuple(d for d in drift if not d.path.startswith("/metadata/annotations/kubectl"))
    changes = [Change(steps_of(d), d.live, d.live is None) for d in drift]
    after = edit_document(MANIFEST, 0, changes) if changes else MANIFEST
    adopted = load_all(after)[0]
    live_obj["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
        adopted
    )
    assert client_side_diff(adopted, live_obj).drift == ()
    assert load_all(after)[1] == load_all(MANIFEST)[1]
    assert after.startswith("# Web frontend: owned by team-web.\n")
