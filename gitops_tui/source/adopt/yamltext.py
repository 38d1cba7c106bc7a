"""Reading YAML with positions and writing YAML fragments that fit into an existing file.

Adopt edits files by splicing text at node positions rather than re-dumping them (a round-trip dump
reflows indentation, long lines and quoting far from the edited field). The positions come from the YAML
composer (libyaml through PyYAML), which marks where every node starts and ends; values are read as the
renderer reads them (YAML 1.1, dates kept as strings), so "what the file says" means the same here as in the rendered app.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

HUGE_WIDTH = 1 << 30  # never fold long lines: a folded line is a changed line


_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's marks count characters too


class _Loader(_Base):  # type: ignore[misc,valid-type]
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def compose_documents(text: str) -> list[yaml.Node]:
    """Every document's root node, empty documents included (the renderer counts them too)."""
    loader = _Loader(text)
    nodes: list[yaml.Node] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                break
            nodes.append(node)
    finally:
        loader.dispose()
    return nodes


def construct(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def load_all(text: str) -> list[Any]:
    return [construct(node) for node in compose_documents(text)]


def same(a: Any, b: Any) -> bool:
    """Equal with types (True is not 1, "5" is not 5): a value written back must read back exactly."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


# -- the layout of a file -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Layout:
    """How a file indents: nested mappings by `mapping` columns, block sequences by `sequence` columns
    relative to their key (0 is kubectl's `- ` under the key, 2 the indented style)."""

    mapping: int = 2
    sequence: int = 0


def _walk(node: yaml.Node) -> Iterator[yaml.Node]:
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        if isinstance(cur, yaml.MappingNode):
            for k, v in reversed(cur.value):
                stack.extend((v, k))
        elif isinstance(cur, yaml.SequenceNode):
            stack.extend(reversed(cur.value))


def detect_layout(roots: list[yaml.Node]) -> Layout:
    mapping: int | None = None
    sequence: int | None = None
    for root in roots:
        for node in _walk(root):
            if not isinstance(node, yaml.MappingNode) or node.flow_style:
                continue
            for k, v in node.value:
                if v.start_mark.line <= k.start_mark.line:
                    continue
                indent = v.start_mark.column - k.start_mark.column
                if isinstance(v, yaml.MappingNode) and not v.flow_style and mapping is None and indent > 0:
                    mapping = indent
                if isinstance(v, yaml.SequenceNode) and not v.flow_style and sequence is None and indent >= 0:
                    sequence = indent
            if mapping is not None and sequence is not None:
                return Layout(mapping, sequence)
    return Layout(mapping or 2, sequence if sequence is not None else 0)


# -- writing ------------------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper (quotes whatever YAML 1.1 would misread: `'yes'`, `'1.0'`), multi-line
    strings as literal blocks, sequences indented or not as the file does."""

    indent_sequences = False

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, indentless and not self.indent_sequences)


class _IndentedDumper(_Dumper):
    indent_sequences = True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and literal_block(value, 0) is not None else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


for _cls in (_Dumper, _IndentedDumper):
    _cls.add_representer(str, _represent_str)


def _dump(value: Any, layout: Layout, *, flow: bool) -> str:
    dumper = _IndentedDumper if layout.sequence > 0 else _Dumper
    return yaml.dump(
        value,
        Dumper=dumper,
        indent=min(max(layout.mapping, 2), 9),
        default_flow_style=flow,
        sort_keys=False,
        allow_unicode=True,
        width=HUGE_WIDTH,
    )


def is_inline(value: Any) -> bool:
    """Written on the key's own line: scalars and empty collections."""
    return not isinstance(value, dict | list) or not value


def _printable(value: str) -> bool:
    return all(c in "\t\n" or (c.isprintable() and c not in "\ufeff\u2028\u2029") for c in value)


def inline_text(value: Any, *, flow: bool, style: str | None = None) -> str | None:
    """A scalar (or `{}`/`[]`) as it can be written in place, keeping a quoted string quoted the same
    way; None when only a literal block will do (a multi-line string in block context)."""
    if isinstance(value, dict | list):
        if value:
            raise ValueError("not an inline value")
        return "{}" if isinstance(value, dict) else "[]"
    if isinstance(value, str):
        if "\n" in value:
            if not flow and literal_block(value, 0) is not None:
                return None
            return json.dumps(value, ensure_ascii=False)
        if style == "'" and _printable(value):
            return "'" + value.replace("'", "''") + "'"
        if style == '"':
            return json.dumps(value, ensure_ascii=False)
    if flow:
        return _dump([value], Layout(), flow=True).strip()[1:-1]
    return _dump({"k": value}, Layout(), flow=False)[3:].rstrip("\n")


def literal_block(value: str, indent: int) -> tuple[str, list[str]] | None:
    """A multi-line string as a literal block: the header (`|`, `|-`, `|+`) and its content lines at
    `indent`; None if the string is better written quoted (control characters, carriage returns, leading
    spaces that would need an indentation indicator)."""
    if not _printable(value) or "\r" in value or not value:
        return None
    if value.endswith("\n\n") or value == "\n":
        chomp, body = "+", value[:-1]
    elif value.endswith("\n"):
        chomp, body = "", value[:-1]
    else:
        chomp, body = "-", value
    lines = body.split("\n")
    if chomp != "+" and lines and not lines[-1].strip():
        return None  # trailing blank lines only survive with keep chomping
    leading = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    if any(line.startswith(" ") for line in lines[: leading + 1]):
        return None  # would need an indentation indicator: a quoted string is simpler and as exact
    header = "|" + chomp
    return header, [(" " * indent + line) if line else "" for line in lines]


def flow_text(value: Any) -> str:
    return _dump(value, Layout(), flow=True).strip()


def block_lines(value: Any, indent: int, layout: Layout) -> list[str]:
    """A non-empty mapping or sequence in block style, each line indented by `indent` columns."""
    text = _dump(value, layout, flow=False)
    return [(" " * indent + line) if line else "" for line in text.rstrip("\n").split("\n")]


def key_text(key: Any) -> str:
    text = inline_text(key, flow=False)
    if text is None:
        return json.dumps(key, ensure_ascii=False)
    return text
