"""The string functions of Flux's substitution language (fluxcd/pkg envsubst funcs.go): `${#var}`,
`${var:pos:len}`, `${var/a/b}` and its kin, `${var^^}`, `${var#pattern}`..., byte for byte as Go runs them
(lengths and offsets count bytes; patterns are Go's path.Match with `*` crossing "/")."""

from __future__ import annotations

import re
from collections.abc import Callable

from gitops_tui.engine.globs import path_match

Function = Callable[..., str]


def _to_len(s: str, *args: str) -> str:
    return str(len(s.encode()))  # Go's len(): bytes


def _lower_first(s: str, *args: str) -> str:
    return s[:1].lower() + s[1:]


def _upper_first(s: str, *args: str) -> str:
    return s[:1].upper() + s[1:]


def _to_default(s: str, *args: str) -> str:
    return "".join(args) if not s and args else s


_ATOI = re.compile(r"^[+-]?[0-9]+$")


def _substr(s: str, *args: str) -> str:
    if not args or not _ATOI.match(args[0]):
        return s
    raw = s.encode()  # Go slices bytes
    pos = int(args[0])
    if pos < 0:
        pos = max(len(raw) + pos, 0)
    if len(args) == 1:
        return raw[pos:].decode(errors="replace") if pos < len(raw) else ""
    if not _ATOI.match(args[1]):
        return s
    length = int(args[1])
    if pos + length >= len(raw):
        return raw[pos:].decode(errors="replace") if pos < len(raw) else ""
    return raw[pos : pos + length].decode(errors="replace")


def _replace_all(s: str, *args: str) -> str:
    if not args:
        return s
    return s.replace(args[0], args[1] if len(args) > 1 else "")


def _replace_first(s: str, *args: str) -> str:
    if not args:
        return s
    return s.replace(args[0], args[1] if len(args) > 1 else "", 1)


def _replace_prefix(s: str, *args: str) -> str:
    if len(args) != 2:
        return s
    return s.replace(args[0], args[1], 1) if s.startswith(args[0]) else s


def _replace_suffix(s: str, *args: str) -> str:
    if len(args) != 2:
        return s
    return s.removesuffix(args[0]) + args[1] if s.endswith(args[0]) else s


def _trim_shortest(s: str, arg: str) -> str:
    shortest = ""
    for i in range(len(s)):
        matched = path_match(arg, s[: len(s) - i], slash=True)
        if matched is None:
            return s
        if matched:
            shortest = s[: len(s) - i]
    return s.removeprefix(shortest) if shortest else s


def _trim_longest(s: str, arg: str) -> str:
    for i in range(len(s)):
        matched = path_match(arg, s[: len(s) - i], slash=True)
        if matched is None:
            return s
        if matched:
            return s.removeprefix(s[: len(s) - i])
    return s


def _shortest_prefix(s: str, *args: str) -> str:
    return _trim_shortest(s, args[0]) if args else s


def _longest_prefix(s: str, *args: str) -> str:
    return _trim_longest(s, args[0]) if args else s


def _shortest_suffix(s: str, *args: str) -> str:
    return _trim_shortest(s[::-1], args[0][::-1])[::-1] if args else s


def _longest_suffix(s: str, *args: str) -> str:
    return _trim_longest(s[::-1], args[0][::-1])[::-1] if args else s


_FUNCTIONS: dict[str, Function] = {
    ",": _lower_first,
    ",,": lambda s, *a: s.lower(),
    "^": _upper_first,
    "^^": lambda s, *a: s.upper(),
    "##": _longest_prefix,
    "%": _shortest_suffix,
    "%%": _longest_suffix,
    ":": _substr,
    "/#": _replace_prefix,
    "/%": _replace_suffix,
    "/": _replace_first,
    "//": _replace_all,
}


def function(name: str, args: int) -> Function:
    """The function an operator names, given how many arguments it has; the default (`${var}`,
    `${var:=x}`...) for any other."""
    if name == "#":
        return _to_len if args == 0 else _shortest_prefix
    return _FUNCTIONS.get(name, _to_default)
