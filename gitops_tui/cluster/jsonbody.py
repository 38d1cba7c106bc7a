"""Decoding the API server's JSON without holding the interpreter lock for long.

`json.loads` is one C call: a LIST page of 500 Deployments (1.6 MB) holds the lock for 15-25 ms, and the
TUI's event loop, which needs it to draw a frame, waits that long (the worst key latencies during a big
reconcile were these). A body that large is decoded here one array element at a time with json's own C
scanner, so the lock can change hands between elements; the result is json.loads' exactly, and anything
that is not the expected shape, or not JSON at all, goes to json.loads for its own answer and error.

One big body is decoded at a time. Decoding is the interpreter's work, so two at once finish no sooner,
and each thread that decodes is one more that the event loop queues behind for the lock: the LISTs of a
reconcile arrive together, from up to 16 threads.
"""

from __future__ import annotations

import json
import re
import threading
from json.decoder import scanstring  # type: ignore[attr-defined]  # json's own, not in the stubs
from typing import Any

from gitops_tui.giveway import give_way

BIG = 256 * 1024  # bytes from which a body is decoded piecewise (a page of about 80 Deployments)

_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # the C scanner json.loads uses
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # what json counts as whitespace
_ONE_AT_A_TIME = threading.Lock()


class _NotSplit(Exception):
    """The text is not an object whose members this decoder takes apart (json.loads decides)."""


def loads(data: bytes | str) -> Any:
    """json.loads(data), the big objects of a response decoded in pieces (see the module docstring)."""
    if len(data) < BIG:
        return json.loads(data)
    try:
        if isinstance(data, bytes | bytearray):  # as json.loads decodes bytes
            text = data.decode(json.detect_encoding(data), "surrogatepass")
        else:
            text = data
        with _ONE_AT_A_TIME:
            return _object(text)
    except (_NotSplit, StopIteration, IndexError, ValueError):
        return json.loads(data)


def _object(text: str) -> dict[str, Any]:
    """A top-level JSON object, each array member's elements scanned one by one."""
    at = _skip(text, 0)
    if text[at] != "{":
        raise _NotSplit
    at = _skip(text, at + 1)
    members: dict[str, Any] = {}
    if text[at] == "}":
        return _end(text, at + 1, members)
    while True:
        if text[at] != '"':
            raise _NotSplit
        key, at = scanstring(text, at + 1)
        at = _skip(text, at)
        if text[at] != ":":
            raise _NotSplit
        at = _skip(text, at + 1)
        if text[at] == "[":
            value, at = _array(text, at + 1)
        else:
            value, at = _scan(text, at)
        members[key] = value
        at = _skip(text, at)
        if text[at] == "}":
            return _end(text, at + 1, members)
        if text[at] != ",":
            raise _NotSplit
        at = _skip(text, at + 1)


def _array(text: str, at: int) -> tuple[list[Any], int]:
    """The elements of an array whose `[` is just before `at`, and the index after its `]`."""
    items: list[Any] = []
    at = _skip(text, at)
    if text[at] == "]":
        return items, at + 1
    while True:
        item, at = _scan(text, at)  # one element: the lock may pass to another thread between two
        items.append(item)
        give_way()  # and waits for a key's frame
        at = _skip(text, at)
        if text[at] == "]":
            return items, at + 1
        if text[at] != ",":
            raise _NotSplit
        at = _skip(text, at + 1)


def _skip(text: str, at: int) -> int:
    """The index of the first character from `at` that is not whitespace."""
    match = _WHITESPACE.match(text, at)
    return match.end() if match else at


def _end(text: str, at: int, members: dict[str, Any]) -> dict[str, Any]:
    if _skip(text, at) != len(text):
        raise _NotSplit  # trailing data: json.loads' "Extra data" error
    return members
