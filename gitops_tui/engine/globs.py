"""Glob matching as the Go code Flux runs does it: `path.Match` (a `*` or `?` never crosses "/"; `fs.Glob`
matches each path segment with it, so `**` there is just `*`), and bmatcuk/doublestar's `Match` (`**` as a
whole segment matches any number of segments, `{a,b}` alternatives), which source-watcher's copy excludes
use."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1024)
def _segment_regex(pattern: str, slash: bool) -> re.Pattern[str] | None:
    star, one = (".*", ".") if slash else ("[^/]*", "[^/]")
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(star)
        elif c == "?":
            out.append(one)
        elif c == "\\":
            if i + 1 >= len(pattern):
                return None
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            j = i + 1
            negate = pattern[j : j + 1] in ("^", "!")
            j += 1 if negate else 0
            start = j
            while j < len(pattern) and (pattern[j] != "]" or j == start):
                j += 2 if pattern[j] == "\\" else 1
            if j >= len(pattern):
                return None
            body = pattern[start:j].replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
            body = re.sub(r"\\\\(.)", r"\\\1", body)
            out.append(f"[{'^' if negate else ''}{body}]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error:
        return None


def path_match(pattern: str, name: str, *, slash: bool = False) -> bool | None:
    """Go's `path.Match`; None when the pattern is malformed (Go's ErrBadPattern). `slash`: `*` and `?`
    match "/" too (fluxcd/pkg envsubst's copy of it, for `${var#pattern}`)."""
    regex = _segment_regex(pattern, slash)
    if regex is None:
        return None
    return regex.fullmatch(name) is not None


def has_meta(pattern: str) -> bool:
    return any(c in pattern for c in "*?[\\")


def _braces(pattern: str) -> list[str]:
    """`{a,b}` alternatives expanded (nested ones too)."""
    start = pattern.find("{")
    if start < 0:
        return [pattern]
    depth = 0
    parts: list[str] = []
    last = start + 1
    for i in range(start, len(pattern)):
        c = pattern[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                parts.append(pattern[last:i])
                head, tail = pattern[:start], pattern[i + 1 :]
                return [x for p in parts for x in _braces(head + p + tail)]
        elif c == "," and depth == 1:
            parts.append(pattern[last:i])
            last = i + 1
    return [pattern]


def doublestar_match(pattern: str, path: str) -> bool:
    """doublestar's `Match(pattern, path)`."""
    names = path.split("/")
    return any(_match_segments(p.split("/"), names) for p in _braces(pattern))


def _match_segments(pattern: list[str], names: list[str]) -> bool:
    if not pattern:
        return not names
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match_segments(rest, names[i:]) for i in range(len(names) + 1))
    if not names:
        return False
    return bool(path_match(head, names[0])) and _match_segments(rest, names[1:])
