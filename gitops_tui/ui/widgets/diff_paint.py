"""Drawing one row of a `DiffView`: gutters, change colours, YAML tokens, changed characters, folds and
notes. The widget decides which rows are on screen and caches the strips; this module only paints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.strip import Strip

from gitops_tui.ui.widgets.diff_layout import PreparedDocument, Row, RowKind, char_changes
from gitops_tui.ui.widgets.yaml_tokens import tokenize


@dataclass(frozen=True)
class RowPainter:
    """Paints rows as the widget is set now: its styles by name, the documents, the width of line
    numbers, the horizontal scroll of the text, and side by side or unified."""

    style: Callable[[str], Style]
    prepared: Sequence[PreparedDocument]
    number_width: int
    text_x: int
    unified: bool

    def row(self, row: Row, width: int, is_cursor: bool) -> Strip:
        kind = row.kind
        if kind in (RowKind.TITLE, RowKind.NOTE, RowKind.ERROR, RowKind.FOLD):
            return self._banner(row, width, is_cursor)
        if self.unified:
            return self._unified(row, width, is_cursor)
        prepared = self.prepared[row.doc]
        left_width = (width - 1) // 2
        right_width = width - 1 - left_width
        emph_left: tuple[tuple[int, int], ...] = ()
        emph_right: tuple[tuple[int, int], ...] = ()
        if row.pair is not None:
            emph_left, emph_right = char_changes(prepared.left[row.pair[0]], prepared.right[row.pair[1]])
        removed = kind in (RowKind.DELETE, RowKind.REPLACE)
        added = kind in (RowKind.INSERT, RowKind.REPLACE)
        left = self._side(
            prepared, row.left, False, left_width, "removed" if removed else None, emph_left, is_cursor
        )
        right = self._side(
            prepared, row.right, True, right_width, "added" if added else None, emph_right, is_cursor
        )
        separator = Strip([RichSegment("│", self.style("separator"))])
        return Strip.join([left, separator, right])

    def _banner(self, row: Row, width: int, is_cursor: bool) -> Strip:
        if row.kind is RowKind.FOLD:
            plural = "s" if row.count != 1 else ""
            text = f"{'':>{self.number_width}} ⋯ {row.count} unchanged line{plural}"
            style = self.style("fold")
        elif row.kind is RowKind.TITLE:
            text, style = f" {row.text}", self.style("title")
        elif row.kind is RowKind.ERROR:
            text, style = f"{'':>{self.number_width}} ✗ {row.text}", self.style("error")
        else:
            text, style = (
                f"{'':>{self.number_width}} ✎ {row.text}",
                self.style("base") + self.style("note"),
            )
        if is_cursor:
            style = style + self.style("cursor")
        return Strip([RichSegment(text, style)]).crop(0, width).extend_cell_length(width, style)

    def _gutter(self, number: int | None, sign: str, base: Style, is_cursor: bool) -> list[RichSegment]:
        digits = f"{number + 1:>{self.number_width}}" if number is not None else " " * self.number_width
        lineno = base + self.style("lineno")
        if is_cursor:
            lineno = lineno + self.style("cursor")
        return [RichSegment(digits, lineno), RichSegment(f" {sign} ", base)]

    def _side(
        self,
        prepared: PreparedDocument,
        line: int | None,
        right: bool,
        width: int,
        change: str | None,
        emphasis: tuple[tuple[int, int], ...],
        is_cursor: bool,
    ) -> Strip:
        base = self.style("base")
        if line is None:
            filler = self.style("filler")
            gutter = self._gutter(None, " ", base, is_cursor)
            hatch = "╱" * max(0, width - self.number_width - 3)
            return Strip([*gutter, RichSegment(hatch, filler)]).crop(0, width).extend_cell_length(width, base)
        if change is not None:
            base = base + self.style(change)
        sign = ("+" if right else "-") if change is not None else " "
        offset = prepared.doc.right_offset if right else prepared.doc.left_offset
        gutter = self._gutter(line + offset, sign, base, is_cursor)
        lines = prepared.right if right else prepared.left
        blocks = prepared.right_blocks if right else prepared.left_blocks
        emph_style = self.style(f"{change}-emph") if change is not None and emphasis else None
        text_width = width - self.number_width - 3
        text = self._text(lines[line], line in blocks, base, emphasis, emph_style, text_width)
        return Strip([*gutter, *text]).crop(0, width).extend_cell_length(width, base)

    def _unified(self, row: Row, width: int, is_cursor: bool) -> Strip:
        prepared = self.prepared[row.doc]
        base = self.style("base")
        if row.kind is RowKind.DELETE:
            change: str | None = "removed"
            text_line, lines, blocks = row.left, prepared.left, prepared.left_blocks
        elif row.kind is RowKind.INSERT:
            change, text_line, lines, blocks = "added", row.right, prepared.right, prepared.right_blocks
        else:
            change, text_line, lines, blocks = None, row.right, prepared.right, prepared.right_blocks
        if change is not None:
            base = base + self.style(change)
        emphasis: tuple[tuple[int, int], ...] = ()
        if row.pair is not None:
            pair = char_changes(prepared.left[row.pair[0]], prepared.right[row.pair[1]])
            emphasis = pair[0] if row.kind is RowKind.DELETE else pair[1]
        sign = {"removed": "-", "added": "+"}.get(change or "", " ")
        lineno = base + self.style("lineno")
        if is_cursor:
            lineno = lineno + self.style("cursor")
        offsets = (prepared.doc.left_offset, prepared.doc.right_offset)
        numbers = " ".join(
            f"{n + offset + 1:>{self.number_width}}" if n is not None else " " * self.number_width
            for n, offset in zip((row.left, row.right), offsets, strict=True)
        )
        emph_style = self.style(f"{change}-emph") if change is not None and emphasis else None
        assert text_line is not None
        text_width = width - len(numbers) - 3
        text = self._text(lines[text_line], text_line in blocks, base, emphasis, emph_style, text_width)
        segments = [RichSegment(numbers, lineno), RichSegment(f" {sign} ", base), *text]
        return Strip(segments).crop(0, width).extend_cell_length(width, base)

    def _text(
        self,
        line: str,
        in_block: bool,
        base: Style,
        emphasis: tuple[tuple[int, int], ...],
        emph_style: Style | None,
        width: int,
    ) -> list[RichSegment]:
        """The visible slice of one line: YAML colours over the row background, changed characters on top."""
        if width <= 0:
            return []
        tokens = tokenize(line, in_block)
        bounds = {0, len(line)}
        for start, end, _ in tokens:
            bounds.update((start, end))
        for start, end in emphasis:
            bounds.update((start, end))
        edges = sorted(b for b in bounds if 0 <= b <= len(line))
        segments: list[RichSegment] = []
        token_index = 0
        for start, end in zip(edges, edges[1:], strict=False):
            style = base
            while token_index < len(tokens) and tokens[token_index][1] <= start:
                token_index += 1
            if token_index < len(tokens) and tokens[token_index][0] <= start < tokens[token_index][1]:
                style = style + self.style(tokens[token_index][2])
            if emph_style is not None and any(a <= start < b for a, b in emphasis):
                style = style + emph_style
            segments.append(RichSegment(line[start:end], style))
        strip = Strip(segments)
        overflow = strip.cell_length > self.text_x + width
        strip = strip.crop(self.text_x, self.text_x + width)
        if overflow and width > 1:
            ellipsis = Strip([RichSegment("…", base + self.style("punct"))])
            strip = Strip.join([strip.crop(0, width - 1), ellipsis])
        return list(strip)
