"""A HelmRelease's values as helm-controller merges them (fluxcd/pkg chartutil ChartValuesFromReferences):
the cases of chartutil's own tests, and what a user sees when a reference cannot be resolved."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from gitops_tui.model import ValuesReference
from gitops_tui.source.fluxsources import FluxSources
from gitops_tui.source.helmrelease.values import (
    Reader,
    ValuesError,
    as_helm_input,
    chart_values,
    merge_maps,
    read_values,
    reader,
    replace_path_literal_value,
    replace_path_value,
)


def configmap(name: str, data: dict[str, str], namespace: str = "apps") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
        "data": data,
    }


def secret(name: str, data: dict[str, str], namespace: str = "apps") -> dict[str, Any]:
    encoded = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "data": encoded,
    }


def refs_of(*objects: dict[str, Any]) -> Reader:
    """What the tree gives a HelmRelease: the ConfigMaps and Secrets its cluster's apps render, Git only."""
    index = FluxSources()
    for i, obj in enumerate(objects):
        index.add(obj, f"apps/values.yaml (document {i + 1}, rendered by apps)")
    return reader(index, "", None)


def merged(values: str, refs: list[ValuesReference], *objects: dict[str, Any]) -> dict[str, Any]:
    index = refs_of(*objects)
    return chart_values(read_values(values, False), refs, "apps", index, live=False).values


def test_merges_in_order_then_values_last() -> None:
    got = merged(
        "other: values\n",
        [ValuesReference("ConfigMap", "values"), ValuesReference("Secret", "values")],
        configmap("values", {"values.yaml": "flat: value\nnested:\n  configuration: value\n"}),
        secret("values", {"values.yaml": "flat:\n  nested: value\nnested: value\n"}),
    )
    assert got == {"flat": {"nested": "value"}, "nested": "value", "other": "values"}


def test_with_target_path() -> None:
    got = merged(
        "",
        [ValuesReference("Secret", "values", values_key="single", target_path="merge.at.specific.path")],
        secret("values", {"single": "value"}),
    )
    assert got == {"merge": {"at": {"specific": {"path": "value"}}}}


def test_target_path_precedence_over_all() -> None:
    """chartutil merges `values` in before setting a target path, and the list it sets into is the one
    `values` holds: the item set survives the later documents, as in Go."""
    got = merged(
        "nested:\n  configuration:\n  - list\n  - item\n  - option\n",
        [
            ValuesReference("Secret", "values", values_key="key", target_path="nested.configuration[0]"),
            ValuesReference("ConfigMap", "values"),
        ],
        configmap(
            "values", {"values.yaml": "flat: value\nnested:\n  configuration:\n  - one\n  - two\n  - three\n"}
        ),
        secret("values", {"key": "value"}),
    )
    assert got == {"flat": "value", "nested": {"configuration": ["value", "item", "option"]}}


def test_target_path_for_string_type_array_item() -> None:
    got = merged(
        "other: values\n",
        [
            ValuesReference("ConfigMap", "values"),
            ValuesReference("Secret", "values", target_path="nested.configuration[1]"),
        ],
        configmap(
            "values",
            {"values.yaml": "flat: value\nnested:\n  configuration:\n  - list\n  - item\n  - option\n"},
        ),
        secret("values", {"values.yaml": "foo"}),
    )
    assert got == {"flat": "value", "nested": {"configuration": ["list", "foo", "option"]}, "other": "values"}


def test_optional_references_to_nothing_are_skipped_and_said() -> None:
    index = refs_of(configmap("there", {"other": "x: 1"}))
    result = chart_values(
        {},
        [
            ValuesReference("Secret", "absent", optional=True),
            ValuesReference("ConfigMap", "absent", optional=True),
            ValuesReference("ConfigMap", "there", optional=True),  # no values.yaml key
        ],
        "apps",
        index,
        live=False,
    )
    assert result.values == {}
    assert len(result.notes) == 3 and all("skipped, as it is optional" in n for n in result.notes)


@pytest.mark.parametrize(
    ("ref", "objects", "message"),
    [
        (
            ValuesReference("Secret", "absent"),
            [],
            "could not resolve Secret chart values reference 'apps/absent' with key 'values.yaml': Secret "
            "apps/absent not found (not in Git, and the cluster is not read for it)",
        ),
        (
            ValuesReference("ConfigMap", "values", values_key="missing"),
            [configmap("values", {"values.yaml": "a: 1"})],
            "could not resolve ConfigMap chart values reference 'apps/values' with key 'missing': key not found "
            "(ConfigMap from apps/values.yaml (document 1, rendered by apps))",
        ),
        (
            ValuesReference("ConfigMap", "values"),
            [configmap("values", {"values.yaml": "a: [1"})],
            "could not resolve ConfigMap chart values reference 'apps/values' with key 'values.yaml': failed to "
            "read values data: line 2: did not find expected ',' or ']'",
        ),
        (
            ValuesReference("ConfigMap", "values"),
            [configmap("values", {"values.yaml": "- a\n- b\n"})],
            "failed to read values data: the values are a list, not a mapping",
        ),
    ],
)
def test_a_reference_that_cannot_be_resolved_is_the_error(
    ref: ValuesReference, objects: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValuesError) as exc:
        merged("", [ref], *objects)
    assert message in str(exc.value)


def test_a_secret_never_shows_in_an_error() -> None:
    for data, key, path in (
        ({"values.yaml": "password: [hunter2-is-secret"}, "values.yaml", ""),
        ({"brokers": "kafka01.net:9092,hunter2:9092"}, "brokers", "kafka.brokers"),
    ):
        with pytest.raises(ValuesError) as exc:
            merged("", [ValuesReference("Secret", "s", values_key=key, target_path=path)], secret("s", data))
        assert "hunter2" not in str(exc.value)


def test_replace_path_value_as_helm_set() -> None:
    cases = [
        ("value", "outer.inner", {"outer": {"inner": "value"}}),
        ("{a,b,c}", "name", {"name": ["a", "b", "c"]}),
        (r"value1\,value2", "name", {"name": "value1,value2"}),
        ("true", "merge.at.specific.path", {"merge": {"at": {"specific": {"path": True}}}}),
        ('"true"', "merge.at.specific.path", {"merge": {"at": {"specific": {"path": "true"}}}}),
        ("value", "merge.at[2]", {"merge": {"at": [None, None, "value"]}}),
        ("master", r"nodeSelector.kubernetes\.io/role", {"nodeSelector": {"kubernetes.io/role": "master"}}),
    ]
    for value, path, want in cases:
        values: dict[str, Any] = {}
        replace_path_value(values, path, value)
        assert values == want, (value, path)


def test_replace_path_literal_value_keeps_the_value_verbatim() -> None:
    for value in ("a,b,c", "{a,b,c}", "foo=bar=baz", "endpoints: [a, b, c]", '["a","b","c"]', "true", "x\\y"):
        values: dict[str, Any] = {}
        replace_path_literal_value(values, r"config.application\.yml", value)
        assert values == {"config": {"application.yml": value}}


def test_literal_brokers_merge_where_the_plain_target_path_fails() -> None:
    brokers = "kafka01.net:9092,kafka02.net:9092"
    s = secret("kafka", {"brokers": brokers})
    with pytest.raises(ValuesError, match="failed to merge value"):
        merged("", [ValuesReference("Secret", "kafka", values_key="brokers", target_path="kafka.brokers")], s)
    got = merged(
        "",
        [ValuesReference("Secret", "kafka", values_key="brokers", target_path="kafka.brokers", literal=True)],
        s,
    )
    assert got == {"kafka": {"brokers": brokers}}


def test_merge_maps_keeps_nulls_for_helm_to_drop_defaults() -> None:
    assert merge_maps({"a": {"b": 1, "c": 2}, "d": [1]}, {"a": {"b": None}, "d": {"x": 1}}) == {
        "a": {"b": None, "c": 2},
        "d": {"x": 1},
    }


def test_integers_a_target_path_types_go_to_helm_as_set_expressions() -> None:
    got = merged(
        "replicas: 2\n",
        [ValuesReference("ConfigMap", "v", values_key="port", target_path="service.ports[0].port")],
        configmap("v", {"port": "8080"}),
    )
    text, sets = as_helm_input(got)
    assert sets == ("service.ports[0].port=8080",)  # int64 in Helm, as helm-controller passes it
    assert '"replicas":2' in text


def test_keys_are_read_as_json_keys() -> None:
    assert read_values("3: a\non: b\n", False) == {"3": "a", "true": "b"}  # YAML 1.1, as sigs.k8s.io/yaml
    assert read_values("", False) == {}
