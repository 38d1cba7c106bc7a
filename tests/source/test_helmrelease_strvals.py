"""The port of Helm's --set parser: the same maps (and the same errors) as Helm's own, which the embedded
library runs, on fresh maps; and ParseInto's way with what is already there."""

from __future__ import annotations

import json
from typing import Any

import helm_python
import pytest

from gitops_tui.source.helmrelease.strvals import GoInt, StrvalsError, parse_into

EXPRESSIONS = [
    "a=1",
    "a.b=2,c=x",
    "ports={80,443}",
    "a[0].b=1",
    "a[1]=x",
    "a[0][1]=y",
    "a=",
    "a=,b=1",
    "x=true,y=FALSE,z=null,w=0,v=007,u=+5,t=-3,s=9223372036854775808,r=1e6,q=0x10,p=1_000",
    r"a\.b=c",
    r"a=b\,c",
    "a[0]",
    "a[0",
    "name=va=lue",
    "a[0].b=1,a[1].c=2",
    "a[2].b=1,a[0].c=2",
    "{x}=1",
    "a=1,",
    ".a=1",
    "=1",
    "nodeSelector.kubernetes\\.io/role=master",
    "list={a, b ,c}",
    "a.b.c.d.e=deep",
    # errors
    "a.b",
    "a,b=1",
    "a={x,y}z",
    "a[x]=1",
    "a[-1]=1",
    "a.=1",
    "a={x,y",
    "a[0]x=1",
]


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("expression", EXPRESSIONS)
@pytest.mark.parametrize("as_string", [False, True])
def test_the_port_parses_as_helm_does(expression: str, as_string: bool) -> None:
    parse = helm_python.parse_set_string_values if as_string else helm_python.parse_set_string
    try:
        want, helm_error = parse(expression), None
    except helm_python.HelmError as exc:
        want, helm_error = None, str(exc)
    got: dict[str, Any] = {}
    try:
        parse_into(expression, got, as_string=as_string)
        error = None
    except StrvalsError as exc:
        error = str(exc)
    if helm_error is not None:
        assert error is not None, (expression, got)
        assert error in helm_error
    else:
        assert error is None, error
        assert _canon(got) == _canon(want)


def test_integers_are_marked_as_helm_keeps_them_int64() -> None:
    got: dict[str, Any] = {}
    parse_into("a=5,b=05,c=-0,d=99999999999999999999", got)
    assert isinstance(got["a"], GoInt) and got["a"] == 5
    assert got["b"] == "05" and got["d"] == "99999999999999999999"
    assert isinstance(got["c"], GoInt) and got["c"] == 0


def test_into_an_existing_map_and_list_their_other_keys_and_items_stay() -> None:
    dest: dict[str, Any] = {"image": {"repository": "nginx", "tag": "1"}, "hosts": ["a", "b", "c"]}
    parse_into("image.tag=2,hosts[1]=x", dest)
    assert dest == {"image": {"repository": "nginx", "tag": 2}, "hosts": ["a", "x", "c"]}


def test_a_path_through_a_value_of_another_type_fails_as_in_helm() -> None:
    with pytest.raises(StrvalsError, match="interface conversion: interface {} is string"):
        parse_into("image.tag=2", {"image": "nginx:1"})
    with pytest.raises(StrvalsError, match="interface conversion"):
        parse_into("hosts[0]=x", {"hosts": {"a": 1}})


def test_a_list_item_that_is_no_map_starts_afresh() -> None:
    dest: dict[str, Any] = {"items": ["x"]}
    parse_into("items[0].name=y", dest)
    assert dest == {"items": [{"name": "y"}]}
