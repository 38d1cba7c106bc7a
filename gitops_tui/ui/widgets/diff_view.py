"""Side-by-side (or unified) diff of YAML texts, drawn with Textual's Line API.

Only the rows on screen are drawn, so a resource of thousands of lines opens and scrolls as fast as a small
one. Git is on the left, live on the right; both sides scroll together because they are one widget. Line
matching, folding and the row model live in `diff_layout`, painting a row in `diff_paint`; this module
holds the state (cursor, scroll, folds, unified or not) and the keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from gitops_tui.ui.widgets.diff_layout import (
    DiffDocument,
    Layout,
    PreparedDocument,
    Row,
    RowKind,
    layout,
    prepare,
)
from gitops_tui.ui.widgets.diff_paint import RowPainter
from gitops_tui.ui.widgets.yaml_tokens import COMMENT, KEY, LITERAL, NUMBER, PUNCT, STRING

_TOKEN_KINDS = (KEY, STRING, NUMBER, LITERAL, COMMENT, PUNCT)
_STRIP_CACHE_LIMIT = 4000


class DiffView(ScrollView, can_focus=True):
    """Compares pairs of texts (`DiffDocument`), one after another, Git left and live right."""

    BINDINGS = [
        Binding("n", "next_change", "Next change", id="diff.next_change", tooltip="Jump to the next change"),
        Binding(
            "N",
            "previous_change",
            "Prev change",
            id="diff.previous_change",
            tooltip="Jump to the previous change",
        ),
        Binding("u", "toggle_unified", "Unified", id="diff.toggle_unified", tooltip="Side by side / unified"),
        Binding("enter", "expand", "Expand", id="diff.expand", tooltip="Show the folded unchanged lines"),
        Binding(
            "e", "toggle_folds", "Expand all", id="diff.toggle_folds", tooltip="Expand or fold every run"
        ),
        Binding("j,down", "cursor_down", "Down", id="diff.down", show=False),
        Binding("k,up", "cursor_up", "Up", id="diff.up", show=False),
        Binding("g,home", "first", "Top", id="diff.top", show=False),
        Binding("G,end", "last", "Bottom", id="diff.bottom", show=False),
        Binding("pagedown,ctrl+d", "page_down", "Page down", id="diff.page_down", show=False),
        Binding("pageup,ctrl+u", "page_up", "Page up", id="diff.page_up", show=False),
        Binding("right", "shift_right", "Scroll right", id="diff.right", show=False),
        Binding("left", "shift_left", "Scroll left", id="diff.left", show=False),
    ]

    COMPONENT_CLASSES = {
        "diff-view--header",
        "diff-view--title",
        "diff-view--note",
        "diff-view--error",
        "diff-view--fold",
        "diff-view--lineno",
        "diff-view--removed",
        "diff-view--added",
        "diff-view--removed-emph",
        "diff-view--added-emph",
        "diff-view--filler",
        "diff-view--cursor",
        "diff-view--separator",
        *(f"diff-view--{kind}" for kind in _TOKEN_KINDS),
    }

    DEFAULT_CSS = """
    DiffView {
        background: $surface;
        overflow-x: hidden;
        height: 1fr;
        & > .diff-view--header { background: $panel; color: $foreground; text-style: bold; }
        & > .diff-view--title { background: $primary 35%; color: $foreground; text-style: bold; }
        & > .diff-view--note { color: $text-warning; text-style: italic; }
        & > .diff-view--error { color: $text-error; text-style: bold; }
        & > .diff-view--fold { background: $boost; color: $text-muted; }
        & > .diff-view--lineno { color: $text-muted; }
        & > .diff-view--removed { background: $error 18%; }
        & > .diff-view--added { background: $success 18%; }
        & > .diff-view--removed-emph { background: $error 50%; text-style: bold; }
        & > .diff-view--added-emph { background: $success 50%; text-style: bold; }
        & > .diff-view--filler { color: $foreground 12%; }
        & > .diff-view--cursor { background: $accent 30%; }
        & > .diff-view--separator { color: $foreground 25%; }
        & > .diff-view--key { color: $text-primary; }
        & > .diff-view--string { color: $foreground; }
        & > .diff-view--number { color: $text-warning; }
        & > .diff-view--literal { color: $text-accent; }
        & > .diff-view--comment { color: $text-muted; text-style: italic; }
        & > .diff-view--punct { color: $text-muted; }
    }
    """

    @dataclass
    class DocumentEntered(Message):
        """The cursor moved into another document (whole-app diffs keep their jump list in step)."""

        diff_view: DiffView
        index: int

        @property
        def control(self) -> DiffView:
            return self.diff_view

    def __init__(
        self,
        documents: Sequence[DiffDocument] = (),
        *,
        left_label: str = "Git",
        right_label: str = "Live",
        unified: bool = False,
        titles: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.left_label = left_label
        self.right_label = right_label
        self.unified = unified
        self.titles = titles
        self.cursor = 0
        self._text_x = 0
        self._prepared: list[PreparedDocument] = []
        self._expanded: set[tuple[int, int]] = set()
        self._layout = Layout((), (), ())
        self._number_width = 2
        self._styles: dict[str, Style] = {}
        self._strips: dict[tuple[int, int, int, bool], Strip] = {}
        self._document = -1
        if documents:
            self.set_documents(documents)

    # -- public API --------------------------------------------------------------------------------------
    @property
    def rows(self) -> tuple[Row, ...]:
        return self._layout.rows

    @property
    def change_count(self) -> int:
        return len(self._layout.change_starts)

    @property
    def current_change(self) -> int:
        """The change under (or last above) the cursor, -1 before the first."""
        return self._layout.change_at(self.cursor)

    @property
    def document_count(self) -> int:
        return len(self._prepared)

    def set_documents(self, documents: Sequence[DiffDocument]) -> None:
        """Show new texts. The cursor stays on the same document and line where it still exists."""
        anchor = self._anchor()
        self._prepared = [prepare(doc) for doc in documents]
        widest = max(
            (max(len(p.left) + p.doc.left_offset, len(p.right) + p.doc.right_offset) for p in self._prepared),
            default=1,
        )
        self._number_width = max(2, len(str(widest)))
        self._expanded.clear()
        self._relayout(anchor)

    def goto_document(self, index: int) -> None:
        starts = self._layout.document_starts
        if 0 <= index < len(starts):
            self._move_cursor(starts[index], top=True)

    def expand_all(self, expand: bool = True) -> None:
        anchor = self._anchor()
        self._expanded.clear()
        if expand:
            self._expanded.update(
                (d, s) for d, p in enumerate(self._prepared) for s, seg in enumerate(p.segments) if seg.equal
            )
        self._relayout(anchor)

    # -- actions -------------------------------------------------------------------------------------------
    def action_next_change(self) -> None:
        following = [start for start in self._layout.change_starts if start > self.cursor]
        if following:
            self._move_cursor(following[0], top=True)
        else:
            self.notify("No more changes below", timeout=2)

    def action_previous_change(self) -> None:
        current = self.current_change
        starts = self._layout.change_starts
        if current >= 0 and starts[current] < self.cursor:
            self._move_cursor(starts[current], top=True)
        elif current > 0:
            self._move_cursor(starts[current - 1], top=True)
        else:
            self.notify("No more changes above", timeout=2)

    def action_toggle_unified(self) -> None:
        anchor = self._anchor()
        self.unified = not self.unified
        self._relayout(anchor)

    def action_expand(self) -> None:
        rows = self._layout.rows
        if 0 <= self.cursor < len(rows) and rows[self.cursor].fold is not None:
            fold = rows[self.cursor].fold
            assert fold is not None
            self._expanded.add(fold)
            self._relayout(None)

    def action_toggle_folds(self) -> None:
        self.expand_all(any(row.kind is RowKind.FOLD for row in self._layout.rows))

    def action_cursor_down(self) -> None:
        self._move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self._move_cursor(0)

    def action_last(self) -> None:
        self._move_cursor(len(self._layout.rows) - 1)

    def action_page_down(self) -> None:
        self._move_cursor(self.cursor + self._body_height)

    def action_page_up(self) -> None:
        self._move_cursor(self.cursor - self._body_height)

    def action_shift_right(self) -> None:
        self._text_x += 8
        self._changed()

    def action_shift_left(self) -> None:
        self._text_x = max(0, self._text_x - 8)
        self._changed()

    async def _on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        row = int(self.scroll_offset.y) + event.y - 1
        if row < len(self._layout.rows):
            self._move_cursor(row)
            self.action_expand()

    # -- cursor and layout ---------------------------------------------------------------------------------
    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _anchor(self) -> Row | None:
        rows = self._layout.rows
        return rows[self.cursor] if 0 <= self.cursor < len(rows) else None

    def _find(self, anchor: Row | None) -> int:
        if anchor is None:
            return 0
        rows = self._layout.rows
        for index, row in enumerate(rows):
            if row.doc != anchor.doc:
                continue
            if anchor.fold is not None and row.fold == anchor.fold:
                return index
            if anchor.left is not None and row.left == anchor.left and row.kind is not RowKind.FOLD:
                return index
            if anchor.right is not None and row.right == anchor.right and row.kind is not RowKind.FOLD:
                return index
            if anchor.text and row.kind is anchor.kind and row.text == anchor.text:
                return index
        starts = self._layout.document_starts
        return starts[anchor.doc] if anchor.doc < len(starts) else 0

    def _relayout(self, anchor: Row | None) -> None:
        self._layout = layout(
            self._prepared, unified=self.unified, expanded=self._expanded, titles=self.titles
        )
        self.virtual_size = Size(0, len(self._layout.rows) + 1)
        target = self._find(anchor) if anchor is not None else min(self.cursor, len(self._layout.rows) - 1)
        self._changed()
        self._move_cursor(max(0, target))

    def _move_cursor(self, row: int, *, top: bool = False) -> None:
        count = len(self._layout.rows)
        row = max(0, min(row, count - 1)) if count else 0
        previous, self.cursor = self.cursor, row
        height = self._body_height
        scroll_y = int(self.scroll_offset.y)
        if top:
            # leave a little context above a change we jumped to
            new_y = max(0, row - min(3, height // 4))
        elif row < scroll_y:
            new_y = row
        elif row >= scroll_y + height:
            new_y = row - height + 1
        else:
            new_y = scroll_y
        if new_y != scroll_y:
            self.scroll_to(y=new_y, animate=False, immediate=True)
        if previous != row:
            self._strips.clear()
            self.refresh()
        document = self._layout.document_at(row) if count else -1
        if document != self._document:
            self._document = document
            if document >= 0:
                self.post_message(self.DocumentEntered(self, document))

    def _changed(self) -> None:
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def on_resize(self) -> None:
        self._strips.clear()

    # -- drawing -------------------------------------------------------------------------------------------
    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                self._styles[name] = style = self.rich_style
                return style
            full = self.get_component_rich_style(f"diff-view--{name}")
            if name in _TOKEN_KINDS or name == "lineno":
                # laid over a row's own background: keep only the colour and text style
                style = Style(color=full.color, bold=full.bold, italic=full.italic)
            elif name in ("cursor", "removed-emph", "added-emph"):
                style = Style(bgcolor=full.bgcolor, bold=full.bold)
            else:
                style = full
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = int(self.scroll_offset.y) + y - 1
        rows = self._layout.rows
        if index >= len(rows):
            return Strip.blank(width, self._style("base"))
        key = (index, width, self._text_x, index == self.cursor)
        strip = self._strips.get(key)
        if strip is None:
            if len(self._strips) > _STRIP_CACHE_LIMIT:
                self._strips.clear()
            painter = RowPainter(self._style, self._prepared, self._number_width, self._text_x, self.unified)
            strip = painter.row(rows[index], width, index == self.cursor)
            self._strips[key] = strip
        return strip

    def _header(self, width: int) -> Strip:
        style = self._style("header")
        total = self.change_count
        current = self.current_change
        if not total:
            counter = " no changes "
        elif current < 0:
            counter = f" {total} change{'s' if total != 1 else ''} "
        else:
            counter = f" change {current + 1}/{total} "
        if self.unified:
            label = f" {self.left_label} → {self.right_label} (unified)"
            text = label[: max(0, width - len(counter))].ljust(max(0, width - len(counter))) + counter
            return Strip([RichSegment(text[:width], style)]).extend_cell_length(width, style)
        left_width = (width - 1) // 2
        right_width = width - 1 - left_width
        left = f" {self.left_label}"[:left_width].ljust(left_width)
        right_label = f" {self.right_label}"
        right = right_label[: max(0, right_width - len(counter))].ljust(max(0, right_width - len(counter)))
        right = (right + counter)[:right_width]
        return Strip(
            [RichSegment(left, style), RichSegment("│", style), RichSegment(right, style)]
        ).extend_cell_length(width, style)
