"""JSON pointer helpers beyond the diff's own (test_diff_pointer.py)."""

from __future__ import annotations

from gitops_tui.engine.pointer import without


def test_without_removes_values_and_list_items_deepest_first_and_skips_the_absent() -> None:
    obj = {"data": {"a": 1, "b": 2}, "items": [{"n": 0}, {"n": 1}, {"n": 2}]}
    result = without(obj, ["/data/b", "/items/0", "/items/2", "/nope/x", "/items/9"])
    assert result == {"data": {"a": 1}, "items": [{"n": 1}]}
    assert obj["data"] == {"a": 1, "b": 2} and len(obj["items"]) == 3  # a copy: the input is untouched
