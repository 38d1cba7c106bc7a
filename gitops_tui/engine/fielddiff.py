"""Field-by-field comparison of two object trees, with list items matched by key.

Two walks: `full` compares everything on both sides (live against a server-side dry run: both come from
the server, so any difference is real); `subset` compares only what Git says (live against Git offline: a
field Git leaves out is the server's or another manager's business). Each difference is reported once, at
the shallowest level where one side lacks the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gitops_tui.engine import lists
from gitops_tui.engine.normalize import is_empty, scalar_equal


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Difference:
    """One differing field: `tokens` resolve in live (or on the other side for an item only there)."""

    tokens: tuple[str, ...]
    keyed: tuple[str, ...]
    git: Any  # ABSENT when the other side lacks it
    live: Any  # ABSENT when live lacks it


def _missing(value: Any) -> bool:
    return value is ABSENT or value is None


def _none(value: Any) -> bool:
    # An empty map or list is how the server writes "nothing" (`resources: {}`); it is no value either.
    return value is ABSENT or value is None or value == {} or value == []


def full(live: Any, other: Any) -> list[Difference]:
    """Every difference between live and the prediction (null, empty and absent are the same)."""
    out: list[Difference] = []
    _full(live, other, (), (), out)
    return out


def _full(
    live: Any, other: Any, tokens: tuple[str, ...], keyed: tuple[str, ...], out: list[Difference]
) -> None:
    if isinstance(live, dict) and isinstance(other, dict):
        if live == other:
            return
        for k, lv in live.items():
            _full(lv, other.get(k, ABSENT), (*tokens, k), (*keyed, k), out)
        for k, ov in other.items():
            if k not in live:
                _full(ABSENT, ov, (*tokens, k), (*keyed, k), out)
        return
    if isinstance(live, list) and isinstance(other, list) and live != other:
        field = tokens[-1] if tokens else ""
        if all(isinstance(i, dict) for i in live) and all(isinstance(i, dict) for i in other):
            fields = lists.key_fields(field, [*live, *other])
            for i, j in lists.match(live, other, fields):
                idx = i if i is not None else j
                assert idx is not None
                side = live if i is not None else other
                label = lists.label(side[idx], fields, idx, side)
                _full(
                    live[i] if i is not None else ABSENT,
                    other[j] if j is not None else ABSENT,
                    (*tokens, str(idx)),
                    (*keyed, label),
                    out,
                )
            return
    if _none(live) and _none(other):
        return
    if type(live) is type(other) and live == other:
        return
    out.append(Difference(tokens, keyed, other, live))


def subset(git: Any, live: Any) -> list[Difference]:
    """Differences in the fields Git sets (client-side semantics, see module doc of `normalize`)."""
    out: list[Difference] = []
    _subset(git, live, (), (), out)
    return out


def prune(value: Any) -> Any:
    """`value` without empty members: what Git really asks for."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if not _void(v)}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def _void(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def _subset(
    git: Any, live: Any, tokens: tuple[str, ...], keyed: tuple[str, ...], out: list[Difference]
) -> None:
    if isinstance(git, dict):
        if isinstance(live, dict):
            for k, gv in git.items():
                _subset(gv, live.get(k, ABSENT), (*tokens, k), (*keyed, k), out)
            return
        wanted = prune(git)
        if wanted:
            out.append(Difference(tokens, keyed, wanted, live))
        return
    if isinstance(git, list):
        if not isinstance(live, list):
            if git:
                out.append(Difference(tokens, keyed, git, live))
            return
        if not all(isinstance(i, dict) for i in git) or not all(isinstance(i, dict) for i in live):
            if not scalar_equal(git, live, tokens):
                out.append(Difference(tokens, keyed, git, live))
            return
        _subset_items(git, live, tokens, keyed, out)
        return
    if _missing(live):
        if not is_empty(git):
            out.append(Difference(tokens, keyed, git, live))
        return
    if not scalar_equal(git, live, tokens):
        out.append(Difference(tokens, keyed, git, live))


def _subset_items(
    git: Sequence[Any],
    live: Sequence[Any],
    tokens: tuple[str, ...],
    keyed: tuple[str, ...],
    out: list[Difference],
) -> None:
    field = tokens[-1] if tokens else ""
    fields = lists.key_fields(field, [*git, *live])
    # Items of a list with a merge key may belong to other managers (fixture 03); in any other list Git's
    # items are the whole list, so a live-only item is drift.
    associative = fields is not None and fields in lists.MERGE_KEYS.get(field, ())
    for i, j in lists.match(git, live, fields):
        if j is None:
            assert i is not None
            out.append(
                Difference((*tokens, str(i)), (*keyed, lists.label(git[i], fields, i, git)), git[i], ABSENT)
            )
        elif i is None:
            if not associative:
                label = lists.label(live[j], fields, j, live)
                out.append(Difference((*tokens, str(j)), (*keyed, label), ABSENT, live[j]))
        else:
            _subset(git[i], live[j], (*tokens, str(j)), (*keyed, lists.label(live[j], fields, j, live)), out)
