"""A big API response is decoded one array element at a time (so the TUI's event loop gets the interpreter
lock between elements), with exactly json.loads' result, and json.loads' own error for bad JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_tui.cluster import jsonbody

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=20,
)


@pytest.fixture
def everything_is_big(monkeypatch):
    monkeypatch.setattr(jsonbody, "BIG", 0)


def page(n: int) -> dict:
    item = {"metadata": {"name": "api", "labels": {"app": "ü"}}, "spec": {"replicas": 3, "x": [1, 2.5, None]}}
    return {
        "kind": "DeploymentList",
        "apiVersion": "apps/v1",
        "metadata": {"continue": "t"},
        "items": [item] * n,
    }


@given(value=VALUES, indent=st.sampled_from([None, 0, 2]), separators=st.sampled_from([None, (",", ":")]))
@settings(max_examples=300, deadline=None)
def test_the_same_value_as_json_loads(value, indent, separators) -> None:
    jsonbody.BIG, saved = 0, jsonbody.BIG
    try:
        text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=False)
        for body in (text, text.encode("utf-8"), f" \n{text}\t"):
            assert jsonbody.loads(body) == json.loads(body)
    finally:
        jsonbody.BIG = saved


def test_a_list_page_is_scanned_an_element_at_a_time(monkeypatch) -> None:
    body = json.dumps(page(3000)).encode()
    assert len(body) > jsonbody.BIG
    scans = []
    original = jsonbody._scan

    def counting(text, at):  # type: ignore[no-untyped-def]
        value, end = original(text, at)
        scans.append(end - at)
        return value, end

    monkeypatch.setattr(jsonbody, "_scan", counting)
    assert jsonbody.loads(body) == json.loads(body)
    assert len(scans) >= 3000 and max(scans) < 200  # no single C call decodes more than one item


@pytest.mark.parametrize(
    "body",
    [
        '{"items": [1, 2,]}',
        '{"items": [1, 2]',
        '{"items": [1 2]}',
        '{"a": 1} trailing',
        '{"a" 1}',
        "{'a': 1}",
        '{"a": [1], }',
        "",
        "   ",
        "[1, 2, 3]",
        '"just a string"',
        '\ufeff{"a": 1}',
    ],
)
def test_bad_or_unexpected_json_gets_json_loads_answer(everything_is_big, body) -> None:
    try:
        expected = json.loads(body)
    except json.JSONDecodeError as exc:
        with pytest.raises(json.JSONDecodeError) as raised:
            jsonbody.loads(body)
        assert str(raised.value) == str(exc)
    else:
        assert jsonbody.loads(body) == expected


def test_bytes_that_are_not_utf8_get_json_loads_answer(everything_is_big) -> None:
    body = b'{"a": "\xff"}'
    with pytest.raises(UnicodeDecodeError):
        json.loads(body)
    with pytest.raises(UnicodeDecodeError):
        jsonbody.loads(body)
    utf16 = json.dumps(page(3)).encode("utf-16")
    assert jsonbody.loads(utf16) == json.loads(utf16)


def test_big_bodies_are_decoded_one_at_a_time(everything_is_big, monkeypatch) -> None:
    """The LISTs of a reconcile arrive together: their decoding takes turns, each thread that would decode
    at once being one more the event loop waits behind for the lock."""
    import threading
    import time

    inside, most = 0, 0
    count = threading.Lock()
    real = jsonbody._object

    def slow(text: str):  # type: ignore[no-untyped-def]
        nonlocal inside, most
        with count:
            inside += 1
            most = max(most, inside)
        time.sleep(0.02)  # long enough for the other threads to arrive
        try:
            return real(text)
        finally:
            with count:
                inside -= 1

    monkeypatch.setattr(jsonbody, "_object", slow)
    body = json.dumps(page(50)).encode()
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(jsonbody.loads(body))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [json.loads(body)] * 4
    assert most == 1
