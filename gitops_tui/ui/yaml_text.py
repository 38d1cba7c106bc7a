"""Objects as the YAML the diff view compares, and where a JSON pointer lands in that YAML.

The emitter here writes the same block YAML as `yaml.safe_dump(obj, sort_keys=False)` (libyaml) for the JSON-shaped
data Kubernetes objects are, about ten times faster: PyYAML's Python representer dominated the time to open
the diff of a large resource. Scalars still go through PyYAML (cached), so quoting is exactly PyYAML's.
Multi-line strings (scripts, config files inside ConfigMaps) are written as literal blocks so that their diff
reads line by line instead of as one long quoted scalar.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import yaml

_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=65536)
def _quoted(value: str) -> str:
    text = yaml.dump(value, Dumper=_Dumper, width=1_000_000, allow_unicode=True)
    if text.endswith("\n...\n"):
        text = text[:-5]
    text = text.rstrip("\n")
    if "\n" in text:  # PyYAML chose a folded multi-line form: ask for one line instead
        text = yaml.dump(value, Dumper=_Dumper, width=1_000_000, allow_unicode=True, default_style='"')
        text = text.rstrip("\n")
    return text


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return _quoted(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    return yaml.dump(value, Dumper=_Dumper, width=1_000_000).removesuffix("\n...\n").rstrip("\n")


def _literal_header(value: str) -> str | None:
    """The `|` header for a multi-line string that can be written as a literal block, else None."""
    if "\n" not in value or value.endswith(" ") or " \n" in value or not value.strip("\n"):
        return None  # (only newlines: a literal block of empty lines reads back as "")
    if any(not (ch == "\n" or " " <= ch <= "~" or ch >= "\xa0") for ch in value):
        return None
    indicator = "2" if value[:1] == " " else ""
    chomp = "-" if not value.endswith("\n") else ("+" if value.endswith("\n\n") else "")
    return f"|{indicator}{chomp}"


def _literal_lines(value: str, indent: int, lines: list[str]) -> None:
    body = value[:-1] if value.endswith("\n") else value
    pad = " " * indent
    lines.extend(pad + line if line else "" for line in body.split("\n"))


def _mapping(obj: dict[Any, Any], indent: int, lines: list[str], first: str | None = None) -> None:
    for index, (key, value) in enumerate(obj.items()):
        lead = first if index == 0 and first is not None else " " * indent
        name = _scalar(key)
        if isinstance(value, dict) and value:
            lines.append(f"{lead}{name}:")
            _mapping(value, indent + 2, lines)
        elif isinstance(value, list) and value:
            lines.append(f"{lead}{name}:")
            _sequence(value, indent, lines)
        elif isinstance(value, str) and (header := _literal_header(value)) is not None:
            lines.append(f"{lead}{name}: {header}")
            _literal_lines(value, indent + 2, lines)
        else:
            lines.append(f"{lead}{name}: {_flow_or_scalar(value)}")


def _sequence(items: list[Any], indent: int, lines: list[str], first: str | None = None) -> None:
    for index, item in enumerate(items):
        lead = (first if index == 0 and first is not None else " " * indent) + "- "
        if isinstance(item, dict) and item:
            _mapping(item, indent + 2, lines, first=lead)
        elif isinstance(item, list) and item:
            _sequence(item, indent + 2, lines, first=lead)
        elif isinstance(item, str) and (header := _literal_header(item)) is not None:
            lines.append(f"{lead}{header}")
            _literal_lines(item, indent + 2, lines)
        else:
            lines.append(f"{lead}{_flow_or_scalar(item)}")


def _flow_or_scalar(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def _plain_data(obj: Any) -> bool:
    if isinstance(obj, dict):
        return all(isinstance(k, str | int) and _plain_data(v) for k, v in obj.items())
    if isinstance(obj, list):
        return all(_plain_data(v) for v in obj)
    return obj is None or isinstance(obj, str | int | float | bool)


def to_yaml(obj: Any) -> str:
    """Block YAML for display: key order kept, no line wrapping, "" for a missing object."""
    if obj is None:
        return ""
    if not _plain_data(obj):  # not JSON-shaped (dates, tuples): let PyYAML decide
        return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, width=1_000_000, allow_unicode=True)
    lines: list[str] = []
    if isinstance(obj, dict) and obj:
        _mapping(obj, 0, lines)
    elif isinstance(obj, list) and obj:
        _sequence(obj, 0, lines)
    else:
        lines.append(_flow_or_scalar(obj))
    return "\n".join(lines) + "\n"


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _line_of(root: yaml.Node, pointer: str) -> int | None:
    """0-based line of the field a JSON pointer names: its key's line in a mapping, its item's in a list."""
    node, line = root, root.start_mark.line
    for raw in pointer.split("/")[1:]:
        token = _unescape(raw)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == token:
                    node, line = value, key.start_mark.line
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode):
            if not token.isdigit() or int(token) >= len(node.value):
                return None
            node = node.value[int(token)]
            line = node.start_mark.line
        else:
            return None
    return line


def pointer_lines(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """The line of each pointer that resolves in `text` (pointers that do not resolve are left out)."""
    wanted = list(pointers)
    if not text or not wanted:
        return {}
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    if root is None:
        return {}
    found: dict[str, int] = {}
    for pointer in wanted:
        line = _line_of(root, pointer)
        if line is not None:
            found[pointer] = line
    return found
