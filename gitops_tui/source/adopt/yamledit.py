"""Editing one document of a YAML file in place: only the lines of the edited fields change.

A change is broken down into the smallest edits (`expand`): a scalar replaced where it is written (quote
style kept), a mapping entry or list item added after its last sibling at the siblings' indentation, or
removed with its lines. Flow collections (`[a, b]`) are rewritten as flow collections. Comments, other
documents and the header before the first `---` are never touched, because only spans of edited nodes are.

Each edit re-reads the text, so positions are always current, and the result is read back at the end:
the edited document must hold exactly the intended data and every other document exactly what it held.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from gitops_tui.engine import lists
from gitops_tui.source.adopt.fieldpath import (
    Change,
    EditError,
    Path,
    build,
    concrete_steps,
    display,
    get,
    resolve,
)
from gitops_tui.source.adopt.yamltext import (
    Layout,
    block_lines,
    compose_documents,
    detect_layout,
    flow_text,
    inline_text,
    is_inline,
    key_text,
    literal_block,
    load_all,
    same,
)


@dataclass(frozen=True)
class Edit:
    op: str  # "set" (value at path), "add" (key, or None to append, under path), "del" (path)
    path: Path
    value: Any = None
    key: str | None = None


def expand(old: Any, new: Any, path: Path) -> list[Edit]:
    """The smallest edits turning `old` into `new`: into mappings key by key and into lists item by
    item (matched by merge key), so that a changed field never rewrites its siblings."""
    if same(old, new):
        return []
    if isinstance(old, dict) and isinstance(new, dict) and old and new:
        edits = [
            *(e for k in new if k in old for e in expand(old[k], new[k], (*path, k))),
            *(Edit("add", path, new[k], k) for k in new if k not in old),
        ]
        return edits + [Edit("del", (*path, k)) for k in old if k not in new]
    if isinstance(old, list) and isinstance(new, list) and old and new:
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        fields = lists.key_fields(field, [*old, *new])
        edits, removed = [], []
        for i, j in lists.match(old, new, fields, pair_renamed=False):
            if i is not None and j is not None:
                edits += expand(old[i], new[j], (*path, i))
            elif j is not None:
                edits.append(Edit("add", path, new[j]))
            elif i is not None:
                removed.append(Edit("del", (*path, i)))
        return edits + sorted(removed, key=lambda e: e.path[-1], reverse=True)
    return [Edit("set", path, new)]


def plan_edits(doc: Any, change: Change) -> list[Edit]:
    path, rest = resolve(doc, change.steps)
    if change.delete:
        if rest:
            raise EditError(f"{display(change.steps)} is not set here")
        return [Edit("del", path)]
    if not rest:
        return expand(get(doc, path), change.value, path)
    parent = get(doc, path)
    first = rest[0]
    if parent is None:
        return [Edit("set", path, build(rest, change.value))]
    if isinstance(parent, dict):
        return [Edit("add", path, build(rest[1:], change.value), first.token)]
    if isinstance(parent, list):
        if first.keys:
            return [Edit("add", path, build(rest, change.value)[0])]
        if first.token.isdigit() and int(first.token) == len(parent):
            return [Edit("add", path, build(rest[1:], change.value))]
        raise EditError(f"cannot locate {display(change.steps)}: list item {first.token} is not there")
    raise EditError(f"cannot set {display(change.steps)}: {display(change.steps[: len(path)])} is a value")


def apply_to_data(doc: Any, edit: Edit) -> None:
    if edit.op == "set":
        get(doc, edit.path[:-1])[edit.path[-1]] = copy.deepcopy(edit.value)
    elif edit.op == "add":
        target = get(doc, edit.path)
        if edit.key is None:
            target.append(copy.deepcopy(edit.value))
        else:
            target[edit.key] = copy.deepcopy(edit.value)
    else:
        del get(doc, edit.path[:-1])[edit.path[-1]]


def _is_flow(node: yaml.Node) -> bool:
    return isinstance(node, yaml.CollectionNode) and bool(node.flow_style)


class _Text:
    """The file's text and the splices that implement one Edit on document `index`."""

    def __init__(self, text: str, index: int, layout: Layout) -> None:
        self.text = text
        self.index = index
        self.layout = layout

    # -- positions ---------------------------------------------------------------------------------
    def chain(self, path: Path) -> list[yaml.Node]:
        node = compose_documents(self.text)[self.index]
        nodes = [node]
        for p in path:
            if isinstance(node, yaml.MappingNode):
                node = next(v for k, v in node.value if k.value == str(p))
            else:
                node = node.value[int(p)]
            nodes.append(node)
        return nodes

    def eol(self, i: int) -> int:
        j = self.text.find("\n", i)
        return len(self.text) if j < 0 else j

    def line_start(self, i: int) -> int:
        return self.text.rfind("\n", 0, i) + 1

    def last(self, node: yaml.Node) -> int:
        """Where the node's content ends (block scalars and block collections end marks run further)."""
        if isinstance(node, yaml.ScalarNode):
            j = node.end_mark.index
            if node.style in ("|", ">"):
                while j > node.start_mark.index and self.text[j - 1] in " \t\r\n":
                    j -= 1
            return int(j)
        if _is_flow(node) or not node.value:
            return int(node.end_mark.index)
        tail = node.value[-1]
        return self.last(tail[1] if isinstance(node, yaml.MappingNode) else tail)

    def dash(self, seq: yaml.Node, i: int) -> int:
        j = seq.value[i].start_mark.index - 1
        while j >= 0 and self.text[j] in " \t\r\n":
            j -= 1
        if j < 0 or self.text[j] != "-":
            raise EditError("list item without its dash on the same line")
        return int(j)

    def splice(self, start: int, end: int, new: str) -> None:
        self.text = self.text[:start] + new + self.text[end:]

    def remove_lines(self, start: int, end: int) -> None:
        """Remove whole lines from the one holding `start` through the one holding `end`."""
        begin, stop = self.line_start(start), self.eol(end)
        if stop < len(self.text):
            stop += 1
        elif begin > 0:
            begin -= 1
        self.splice(begin, stop, "")

    # -- rendering values in place -------------------------------------------------------------------
    def value_lines(self, value: Any, col: int, inline_prefix: str) -> str:
        """`value` after `key:` or `-` at column `col`: on the same line, or as an indented block."""
        if is_inline(value):
            text = inline_text(value, flow=False)
            if text is not None:
                return f"{inline_prefix}{text}"
            header, lines = literal_block(value, col + self.layout.mapping) or ("", [])
            return f"{inline_prefix}{header}\n" + "\n".join(lines)
        indent = col + (self.layout.mapping if isinstance(value, dict) else self.layout.sequence)
        return "\n" + "\n".join(block_lines(value, indent, self.layout))

    def item_text(self, value: Any, col: int) -> str:
        """A list item at dash column `col`: `- ` and the value, continuation lines under the value."""
        if is_inline(value):
            text = inline_text(value, flow=False)
            if text is not None:
                return "- " + text
            header, lines = literal_block(value, col + 2) or ("", [])
            return "- " + header + "\n" + "\n".join(lines)
        lines = block_lines(value, col + 2, self.layout)
        return "- " + "\n".join([lines[0][col + 2 :], *lines[1:]])

    # -- edits -------------------------------------------------------------------------------------
    def apply(self, edit: Edit, after: Any) -> None:
        if edit.op == "set":
            self.set(edit.path, edit.value, after)
            return
        target = edit.path if edit.op == "add" else edit.path[:-1]
        nodes = self.chain(target)
        parent = nodes[-1]
        flows = [i for i, n in enumerate(nodes) if _is_flow(n)]
        if edit.op == "del" and len(parent.value) == 1:
            if not target:
                raise EditError("cannot empty a whole document")
            self.set(target, get(after, target), after)
        elif flows and flows[0] == len(nodes) - 1 and parent.value:
            self.edit_flow(parent, edit)
        elif flows:
            self.rewrite_flow(nodes[flows[0]], target[: flows[0]], after)
        elif not isinstance(parent, yaml.CollectionNode) or not parent.value:
            self.set(target, get(after, target), after)
        elif edit.op == "add" and isinstance(parent, yaml.MappingNode):
            col = parent.start_mark.column
            text = " " * col + key_text(edit.key) + ":" + self.value_lines(edit.value, col, " ")
            pos = self.eol(self.last(parent))
            self.splice(pos, pos, "\n" + text)
        elif edit.op == "add":
            col = parent.start_mark.column
            pos = self.eol(self.last(parent))
            self.splice(pos, pos, "\n" + " " * col + self.item_text(edit.value, col))
        elif isinstance(parent, yaml.MappingNode):
            self.delete_entry(
                parent, next(i for i, (k, _) in enumerate(parent.value) if k.value == str(edit.path[-1]))
            )
        else:
            i = int(edit.path[-1])
            item = parent.value[i]
            dash = self.dash(parent, i)
            if self.text[self.line_start(dash) : dash].strip():
                raise EditError("cannot remove a list item nested on its parent's line")
            self.remove_lines(dash, self.last(item))

    def edit_flow(self, parent: yaml.Node, edit: Edit) -> None:
        """Add or remove one member of a flow collection, leaving its other members as written."""
        mapping = isinstance(parent, yaml.MappingNode)
        members = [(k, v) for k, v in parent.value] if mapping else [(v, v) for v in parent.value]
        if edit.op == "add":
            sibling = members[-1][1]
            style = sibling.style if isinstance(sibling, yaml.ScalarNode) else None
            text = inline_text(edit.value, flow=True, style=style) if is_inline(edit.value) else None
            text = text if text is not None else flow_text(edit.value)
            if mapping:
                text = (inline_text(edit.key, flow=True) or "") + ": " + text
            pos = self.last(members[-1][1])
            self.splice(pos, pos, ", " + text)
            return
        keys = [k.value for k, _ in members] if mapping else [str(i) for i in range(len(members))]
        i = keys.index(str(edit.path[-1]))
        if i > 0:
            self.splice(self.last(members[i - 1][1]), self.last(members[i][1]), "")
        else:
            self.splice(members[0][0].start_mark.index, members[1][0].start_mark.index, "")

    def delete_entry(self, mapping: yaml.MappingNode, i: int) -> None:
        key, value = mapping.value[i]
        start = key.start_mark.index
        if not self.text[self.line_start(start) : start].strip():
            self.remove_lines(start, self.last(value))
        elif i + 1 < len(mapping.value):  # the first key of a list item, after its dash: `- name: x`
            self.splice(start, mapping.value[i + 1][0].start_mark.index, "")
        else:
            raise EditError("cannot remove the only key of a list item")

    def set(self, path: Path, value: Any, after: Any) -> None:
        if not path:
            raise EditError("cannot replace a whole document")
        nodes = self.chain(path)
        node, parent = nodes[-1], nodes[-2]
        flows = [i for i, n in enumerate(nodes[:-1]) if _is_flow(n)]
        if is_inline(value) and (isinstance(node, yaml.ScalarNode) or _is_flow(node)):
            if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
                self.replace_block_scalar(node, value, flow=bool(flows))
                return
            style = node.style if isinstance(node, yaml.ScalarNode) else None
            text = inline_text(value, flow=bool(flows), style=style)
            start, end = node.start_mark.index, node.end_mark.index
            empty = start == end  # `key:` with nothing after the colon
            if text is not None:
                self.splice(start, end, (" " if empty else "") + text)
                return
            col = self._column_of(parent, path[-1])
            header, lines = literal_block(value, col) or ("", [])
            self.splice(start, end, (" " if empty else "") + header)
            pos = self.eol(start)
            self.splice(pos, pos, "\n" + "\n".join(lines))
        elif flows:
            self.rewrite_flow(nodes[flows[0]], path[: flows[0]], after)
        elif _is_flow(node):
            self.splice(node.start_mark.index, node.end_mark.index, flow_text(value))
        elif isinstance(parent, yaml.MappingNode):
            key = next(k for k, _ in parent.value if k.value == str(path[-1]))
            col = key.start_mark.column
            self.splice(
                key.end_mark.index, self.eol(self.last(node)), ":" + self.value_lines(value, col, " ")
            )
        else:
            dash = self.dash(parent, int(path[-1]))
            col = dash - self.line_start(dash)
            self.splice(dash, self.eol(self.last(node)), self.item_text(value, col))

    def _column_of(self, parent: yaml.Node, key: str | int) -> int:
        """Content column of a literal block that replaces a one-line scalar."""
        if isinstance(parent, yaml.MappingNode):
            k = next(k for k, _ in parent.value if k.value == str(key))
            return int(k.start_mark.column) + self.layout.mapping
        dash = self.dash(parent, int(key))
        return dash - self.line_start(dash) + 2

    def replace_block_scalar(self, node: yaml.ScalarNode, value: Any, *, flow: bool) -> None:
        start = node.start_mark.index
        header_end = start + 1
        while header_end < len(self.text) and self.text[header_end] in "+-0123456789":
            header_end += 1
        content_start = self.eol(start) + 1
        content_end = self.eol(self.last(node)) if self.last(node) > header_end else self.eol(start)
        body = self.text[content_start:content_end].split("\n")
        first = next((line for line in body if line.strip()), "")
        indent = len(first) - len(first.lstrip(" ")) or self.layout.mapping
        block = literal_block(value, indent) if isinstance(value, str) and "\n" in value else None
        if block is None:
            text = inline_text(value, flow=flow)
            self.splice(start, content_end, text if text is not None else flow_text(value))
            return
        header, lines = block
        self.splice(start, content_end, header + self.text[header_end:content_start] + "\n".join(lines))

    def rewrite_flow(self, node: yaml.Node, path: Path, after: Any) -> None:
        self.splice(node.start_mark.index, node.end_mark.index, flow_text(get(after, path)))


def edit_document(text: str, index: int, changes: Sequence[Change], base: Path = ()) -> str:
    """`text` with `changes` made in document `index`, under `base` (a `kind: List` item's path).

    Raises EditError when a field cannot be located or the edit would not read back as intended."""
    bom = text.startswith("\ufeff")
    body = text[1:] if bom else text
    crlf = "\r\n" in body and body.count("\r\n") == body.count("\n")
    if crlf:
        body = body.replace("\r\n", "\n")
    try:
        docs = load_all(body)
        roots = compose_documents(body)
    except yaml.YAMLError as exc:
        raise EditError(f"not valid YAML: {' '.join(str(exc).split())}") from None
    if index >= len(docs):
        raise EditError(f"has no document {index + 1}")
    expected = copy.deepcopy(docs)
    editor = _Text(body, index, detect_layout(roots))
    # Removals last, later list items first: a removed item named by its Git index must not shift another.
    removals = sorted(
        (c for c in changes if c.delete),
        key=lambda c: [int(s.token) if s.token.isdigit() else -1 for s in c.steps],
        reverse=True,
    )
    ordered = [c for c in changes if not c.delete] + removals
    for change in ordered:
        change = Change(concrete_steps(base) + change.steps, change.value, change.delete)
        for edit in plan_edits(expected[index], change):
            apply_to_data(expected[index], edit)
            try:
                editor.apply(edit, expected[index])
            except (StopIteration, IndexError, KeyError, yaml.YAMLError) as exc:
                raise EditError(f"cannot edit {display(change.steps)} in place ({exc!r})") from None
    try:
        result = load_all(editor.text)
    except yaml.YAMLError:
        result = []
    if len(result) != len(expected) or not all(same(a, b) for a, b in zip(result, expected, strict=True)):
        raise EditError("the edited file would not read back as intended")
    out = editor.text.replace("\n", "\r\n") if crlf else editor.text
    return ("\ufeff" if bom else "") + out
