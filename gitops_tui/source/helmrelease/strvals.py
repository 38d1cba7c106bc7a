"""Helm's `--set` parser (pkg/strvals/parser.go), `ParseInto` and `ParseIntoString`, for `valuesFrom` with
`targetPath`: helm-controller merges such a value into the values being built with these very functions
(fluxcd/pkg chartutil.ReplacePathValue), so that `a.b[0].c` and `{x,y}` mean what they mean to Helm.

A port rather than a call: the embedded Helm library parses into a fresh map only, while ParseInto walks
into what is already there (an existing list keeps its other items, an existing map its other keys) and
fails where a path runs into a value of another type. tests/source/test_helmrelease_strvals.py checks the
port against the library on fresh maps.

Integers are `GoInt`: Helm keeps them int64, which a values document cannot carry (JSON numbers become
float64, `1e+06` in a template), so the caller passes them to Helm as `--set` again.
"""

from __future__ import annotations

import re
from typing import Any

MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30
_INT = re.compile(r"[+-]?[0-9]+")
_INT64 = (-(2**63), 2**63 - 1)


class StrvalsError(ValueError):
    pass


class GoInt(int):
    """An integer strvals typed (int64 in Helm)."""


class _EOF(Exception):
    pass


class _NotList(Exception):
    pass


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def read(self) -> str:
        if self.pos >= len(self.text):
            raise _EOF
        char = self.text[self.pos]
        self.pos += 1
        return char

    def unread(self) -> None:
        self.pos -= 1

    def until(self, stop: str) -> tuple[str, str]:
        """runesUntil: (what was read, the stop rune); _EOF carries what was read before the end."""
        out: list[str] = []
        while True:
            try:
                char = self.read()
            except _EOF:
                raise _Partial("".join(out)) from None
            if char in stop:
                return "".join(out), char
            if char == "\\":
                try:
                    out.append(self.read())
                except _EOF:
                    raise _Partial("".join(out)) from None
                continue
            out.append(char)


class _Partial(_EOF):
    def __init__(self, read: str) -> None:
        super().__init__(read)
        self.read = read


def typed_value(raw: str, as_string: bool) -> Any:
    """typedVal: true/false/null (any case), 0, base-10 int64 not starting with 0; else the string."""
    if as_string:
        return raw
    lower = raw.lower()
    if lower in ("true", "false"):
        return lower == "true"
    if lower == "null":
        return None
    if raw == "0":
        return GoInt(0)
    if raw and raw[0] != "0" and _INT.fullmatch(raw):
        number = int(raw)
        if _INT64[0] <= number <= _INT64[1]:
            return GoInt(number)
    return raw


class _Parser:
    def __init__(self, text: str, as_string: bool) -> None:
        self.sc = _Reader(text)
        self.as_string = as_string

    def parse(self, data: dict[str, Any]) -> None:
        while True:
            try:
                self.key(data, 0)
            except _EOF:
                return

    def key(self, data: dict[str, Any], level: int) -> None:
        while True:
            try:
                k, last = self.sc.until("=[,.")
            except _Partial as end:
                if not end.read:
                    raise
                raise StrvalsError(f'key "{end.read}" has no value') from None
            if last == "[":
                index = self.key_index()
                existing = data.get(k, [])
                if not isinstance(existing, list):
                    raise _conversion(existing, "[]interface {}")
                try:
                    result = self.list_item(existing, index, level)
                except _Failed as failed:
                    _set(data, k, failed.list)
                    raise failed.error from None
                _set(data, k, result)
                return
            if last == "=":
                try:
                    items = self.value_list()
                except _EOF:
                    _set(data, k, "")
                    raise
                except _NotList:
                    try:
                        raw = self.sc.until(",")[0]
                    except _Partial as end:
                        raw = end.read
                    _set(data, k, typed_value(raw, self.as_string))
                    return
                _set(data, k, items)
                return
            if last == ",":
                _set(data, k, "")
                raise StrvalsError(f'key "{k}" has no value (cannot end with ,)')
            level += 1
            if level > MAX_NESTED_NAME_LEVEL:
                raise StrvalsError(
                    "value name nested level is greater than maximum supported nested level of "
                    f"{MAX_NESTED_NAME_LEVEL}"
                )
            inner = data.get(k, {}) if k in data else {}
            if not isinstance(inner, dict):
                raise _conversion(inner, "map[string]interface {}")
            try:
                self.key(inner, level)
            except _EOF:
                if inner:
                    _set(data, k, inner)
                raise
            if not inner:
                raise StrvalsError(f'key map "{k}" has no value')
            _set(data, k, inner)
            return

    def key_index(self) -> int:
        try:
            raw = self.sc.until("]")[0]
        except _Partial:
            raise _EOF from None
        if not _INT.fullmatch(raw):
            raise StrvalsError(f'error parsing index: strconv.Atoi: parsing "{raw}": invalid syntax')
        return int(raw)

    def list_item(self, items: list[Any], i: int, level: int) -> list[Any]:
        """listItem; on an error after the list changed, _Failed carries the list as Go returns it."""
        if i < 0:
            raise _Failed(items, StrvalsError(f"negative {i} index not allowed"))
        try:
            k, last = self.sc.until("[.=")
        except _Partial as end:
            if end.read:
                error = StrvalsError(f"unexpected data at end of array index: {_runes(end.read)}")
                raise _Failed(items, error) from None
            raise _Failed(items, _EOF()) from None
        if k:
            raise _Failed(items, StrvalsError(f"unexpected data at end of array index: {_runes(k)}"))
        if last == "=":
            try:
                value: Any = self.value_list()
            except _EOF:
                value = ""
            except _NotList:
                try:
                    raw = self.sc.until(",")[0]
                except _Partial as end:
                    raw = end.read
                value = typed_value(raw, self.as_string)
            return _set_index(items, i, value)
        if last == "[":
            try:
                next_index = self.key_index()
            except (_EOF, StrvalsError) as exc:
                raise _Failed(items, exc) from None
            current: list[Any] = []
            if len(items) > i and items[i] is not None:
                if not isinstance(items[i], list):
                    raise _conversion(items[i], "[]interface {}")
                current = items[i]
            try:
                nested = self.list_item(current, next_index, level)
            except _Failed as failed:
                raise _Failed(items, failed.error) from None
            return _set_index(items, i, nested)
        inner: dict[str, Any] = {}
        if len(items) > i:
            if not isinstance(items[i], dict):
                items[i] = {}  # "indices out of order": Helm starts that item afresh
            inner = items[i]
        try:
            self.key(inner, level)
        except (_EOF, StrvalsError) as exc:
            raise _Failed(items, exc) from None
        return _set_index(items, i, inner)

    def value_list(self) -> list[Any]:
        char = self.sc.read()
        if char != "{":
            self.sc.unread()
            raise _NotList
        out: list[Any] = []
        while True:
            try:
                raw, last = self.sc.until(",}")
            except _Partial:
                raise StrvalsError("list must terminate with '}'") from None
            out.append(typed_value(raw, self.as_string))
            if last == "}":
                try:
                    if self.sc.read() != ",":
                        self.sc.unread()
                except _EOF:
                    pass
                return out


class _Failed(Exception):
    def __init__(self, items: list[Any], error: Exception) -> None:
        super().__init__(str(error))
        self.list = items
        self.error = error


def _runes(text: str) -> str:
    """Go's %q of a []rune: ['a' 'b']."""
    return "[" + " ".join(f"'{c}'" for c in text) + "]"


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:
        data[key] = value


def _set_index(items: list[Any], index: int, value: Any) -> list[Any]:
    if index < 0:
        raise _Failed(items, StrvalsError(f"negative {index} index not allowed"))
    if index > MAX_INDEX:
        raise _Failed(
            items, StrvalsError(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
        )
    if len(items) <= index:
        items = [*items, *([None] * (index + 1 - len(items)))]
    items[index] = value
    return items


def _conversion(value: Any, wanted: str) -> StrvalsError:
    """The message of Go's failed type assertion, which Helm turns into an error."""
    names = {dict: "map[string]interface {}", list: "[]interface {}", str: "string", bool: "bool"}
    got = "nil" if value is None else names.get(type(value), "int64" if isinstance(value, int) else "float64")
    return StrvalsError(f"unable to parse key: interface conversion: interface {{}} is {got}, not {wanted}")


def parse_into(expression: str, dest: dict[str, Any], *, as_string: bool = False) -> None:
    """strvals.ParseInto (ParseIntoString with `as_string`): `dest` is changed in place, as in Helm,
    partly so when it fails. Raises StrvalsError."""
    _Parser(expression, as_string).parse(dest)
