"""The two pattern languages of the git generator.

- `directories[].path` is Go's `path.Match` against each directory's repository-relative path: `*` and `?`
  stop at `/`, `[a-z]` / `[^a-z]` classes, `\\` escapes; the whole path must match. A malformed pattern
  matches nothing (Argo CD logs it and goes on).
- `files[].path` is a `git ls-files` pathspec (Argo CD's default file globbing): the path itself, a leading
  directory of it, or a wildmatch without WM_PATHNAME, so `*` also matches `/` (`a/*.json` matches
  `a/b/c.json`, the "greedy" globbing Argo's docs warn about).
"""

from __future__ import annotations

import re
from functools import lru_cache


class BadPattern(ValueError):
    pass


@lru_cache(maxsize=512)
def go_path_pattern(pattern: str) -> re.Pattern[str]:
    """The regular expression equivalent to Go's path.Match(pattern, name); raises BadPattern like
    path.ErrBadPattern (an unclosed class, an empty one, a trailing backslash)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            if i + 1 >= n:
                raise BadPattern("trailing backslash")
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            i, cls = _go_class(pattern, i + 1)
            out.append(cls)
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _go_class(pattern: str, i: int) -> tuple[int, str]:
    n = len(pattern)
    negate = i < n and pattern[i] == "^"
    if negate:
        i += 1
    items: list[str] = []
    while True:
        if i < n and pattern[i] == "]" and items:
            i += 1
            break
        lo, i = _class_char(pattern, i)
        if i < n and pattern[i] == "-":
            hi, i = _class_char(pattern, i + 1)
            # Go accepts a reversed range, which matches nothing
            items.append(f"{re.escape(lo)}-{re.escape(hi)}" if lo <= hi else "")
        else:
            items.append(re.escape(lo))
    body = "".join(items)
    if not body:
        return i, "." if negate else "(?!)"
    return i, f"[{'^' if negate else ''}{body}]"


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    if i >= len(pattern) or pattern[i] in "-]":
        raise BadPattern("malformed character class")
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            raise BadPattern("trailing backslash")
    return pattern[i], i + 1


def go_path_match(pattern: str, name: str) -> bool:
    return go_path_pattern(pattern).fullmatch(name) is not None


@lru_cache(maxsize=512)
def _wildmatch(pattern: str) -> re.Pattern[str]:
    """git's wildmatch without WM_PATHNAME: `*` (and `**`) match anything, `?` any one character,
    `[...]` with `!` or `^` negation and POSIX classes, `\\` escapes."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            end = _class_end(pattern, i)
            if end < 0:
                out.append(re.escape(c))
            else:
                out.append(_git_class(pattern[i + 1 : end]))
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out), re.DOTALL)


_POSIX = {
    "alnum": "a-zA-Z0-9",
    "alpha": "a-zA-Z",
    "blank": " \\t",
    "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": " \\t\\n\\r\\f\\v",
    "upper": "A-Z",
    "xdigit": "0-9A-Fa-f",
}


def _class_end(pattern: str, start: int) -> int:
    i = start + 1
    if i < len(pattern) and pattern[i] in "!^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern):
        if pattern.startswith("[:", i):
            close = pattern.find(":]", i + 2)
            if close > 0:
                i = close + 2
                continue
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "]":
            return i
        i += 1
    return -1


def _git_class(body: str) -> str:
    negate = body[:1] in ("!", "^")
    if negate:
        body = body[1:]
    out: list[str] = []
    i = 0
    while i < len(body):
        if body.startswith("[:", i):
            close = body.find(":]", i + 2)
            if close > 0 and body[i + 2 : close] in _POSIX:
                out.append(_POSIX[body[i + 2 : close]])
                i = close + 2
                continue
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            i += 1
            c = body[i]
        if i + 2 < len(body) and body[i + 1] == "-":
            hi = body[i + 2]
            out.append(f"{re.escape(c)}-{re.escape(hi)}")
            i += 3
            continue
        out.append(re.escape(c))
        i += 1
    return f"[{'^' if negate else ''}{''.join(out)}]"


def normalize_pathspec(pattern: str) -> str:
    """The pathspec as git sees it from the repository root (`./a` is `a`, `a//b` is `a/b`); raises
    BadPattern for one outside the repository, which makes `git ls-files` fail."""
    if pattern.startswith("/"):
        raise BadPattern(f"'{pattern}' is outside repository")
    parts: list[str] = []
    for part in pattern.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise BadPattern(f"'{pattern}' is outside repository")
            parts.pop()
            continue
        parts.append(part)
    trailing = "/" if pattern.endswith("/") and parts else ""
    return "/".join(parts) + trailing


def pathspec_match(pattern: str, path: str) -> bool:
    """Whether `git ls-files -- <pattern>` lists `path` (both relative to the repository root)."""
    if pattern == "":
        return True
    literal = pattern.rstrip("/")
    if path == literal or path.startswith(literal + "/"):
        return True
    if not any(c in pattern for c in "*?[\\"):
        return False
    return _wildmatch(pattern).fullmatch(path) is not None


def literal_prefix(pattern: str) -> str:
    """The directory part of a pattern before its first wildcard: where to start walking for it."""
    cut = len(pattern)
    for wildcard in "*?[\\":
        at = pattern.find(wildcard)
        if at >= 0:
            cut = min(cut, at)
    head = pattern[:cut]
    if cut == len(pattern):
        return head.rstrip("/")
    return head.rpartition("/")[0]
