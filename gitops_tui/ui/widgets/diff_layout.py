"""What a diff shows, row by row: two texts compared line by line, then laid out side by side or unified,
with long unchanged runs folded. Plain Python; `DiffView` draws the rows.

The expensive part (`prepare`: splitting and line matching) runs once per document; `layout` is cheap and
runs again whenever a fold opens or the view switches between side-by-side and unified.
"""

from __future__ import annotations

import bisect
import difflib
import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from gitops_tui.ui.widgets.yaml_tokens import block_scalar_lines


class RowKind(enum.Enum):
    TITLE = "title"  # a document's heading (whole-app diffs)
    NOTE = "note"  # a remark: a document note, or who changed the next change
    ERROR = "error"
    FOLD = "fold"  # "⋯ 42 unchanged lines"
    EQUAL = "equal"
    DELETE = "delete"  # only on the left (Git)
    INSERT = "insert"  # only on the right (live)
    REPLACE = "replace"  # a changed line, left and right side by side


@dataclass(frozen=True)
class DiffDocument:
    """One pair of texts to compare. Line numbers in the annotation maps are 0-based."""

    title: str
    left: str
    right: str
    # Who last changed a line, by right-hand (live) line; shown above the change that holds the line.
    annotations: Mapping[int, str] = field(default_factory=dict)
    # The same for left-hand lines, for changes that exist only in Git (a field removed live).
    left_annotations: Mapping[int, str] = field(default_factory=dict)
    note: str = ""  # shown under the title, e.g. "not live (Missing)"
    error: str = ""  # the document could not be loaded; shown instead of the texts
    # Added to the line numbers shown, for texts that are an excerpt (a hunk of a commit's patch).
    left_offset: int = 0
    right_offset: int = 0


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of lines: equal on both sides, or one change (left i1:i2 became right j1:j2)."""

    equal: bool
    i1: int
    i2: int
    j1: int
    j2: int


@dataclass(frozen=True)
class PreparedDocument:
    doc: DiffDocument
    left: tuple[str, ...]
    right: tuple[str, ...]
    segments: tuple[Segment, ...]
    notes: Mapping[int, tuple[str, ...]]  # segment index of a change -> its annotations, in line order
    left_blocks: frozenset[int]  # lines inside YAML block scalars, highlighted as strings
    right_blocks: frozenset[int]

    @property
    def change_count(self) -> int:
        return sum(1 for s in self.segments if not s.equal)


_SMALL_GAP = 10_000  # lines x lines: below this, difflib is cheap enough to double-check the anchors


def _unique_anchors(
    left: Sequence[str], right: Sequence[str], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """Lines that occur exactly once on each side, longest run in the same order (patience diff)."""
    counts: dict[str, list[int]] = {}
    for i in range(alo, ahi):
        entry = counts.setdefault(left[i], [0, 0, i])
        entry[0] += 1
    for j in range(blo, bhi):
        found = counts.get(right[j])
        if found is not None:
            entry = found
            entry[1] += 1
            if entry[1] == 1:
                entry.append(j)
    candidates = sorted((e[2], e[3]) for e in counts.values() if e[0] == 1 and e[1] == 1)
    # longest increasing subsequence of the right-hand positions
    tails: list[int] = []
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(candidates)
    for index, (_, j) in enumerate(candidates):
        at = bisect.bisect_left(tails, j)
        if at == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[at] = j
            tail_index[at] = index
        previous[index] = tail_index[at - 1] if at else -1
    anchors: list[tuple[int, int]] = []
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        anchors.append(candidates[index])
        index = previous[index]
    anchors.reverse()
    return anchors


def _match(
    left: Sequence[str],
    right: Sequence[str],
    alo: int,
    ahi: int,
    blo: int,
    bhi: int,
    pairs: list[tuple[int, int]],
) -> None:
    """Append the matched (left, right) line pairs of the given ranges to `pairs`, in order."""
    while alo < ahi and blo < bhi and left[alo] == right[blo]:
        pairs.append((alo, blo))
        alo, blo = alo + 1, blo + 1
    tail: list[tuple[int, int]] = []
    while alo < ahi and blo < bhi and left[ahi - 1] == right[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
        tail.append((ahi, bhi))
    if alo < ahi and blo < bhi:
        anchors = _unique_anchors(left, right, alo, ahi, blo, bhi)
        anchored: list[tuple[int, int]] = []
        if anchors:
            i, j = alo, blo
            for ai, bj in anchors:
                _match(left, right, i, ai, j, bj, anchored)
                anchored.append((ai, bj))
                i, j = ai + 1, bj + 1
            _match(left, right, i, ahi, j, bhi, anchored)
        area = (ahi - alo) * (bhi - blo)
        if not anchors or area <= _SMALL_GAP:
            # No unique line to hold on to, or a gap small enough to check that the anchors did not lead
            # us astray (a unique line that moved from top to bottom strands every repeated line): difflib,
            # and keep whichever matches more. autojunk only when large, where it keeps the time bounded.
            matcher = difflib.SequenceMatcher(None, left[alo:ahi], right[blo:bhi], autojunk=area > 1_000_000)
            plain = [
                (alo + ai + k, blo + bj + k)
                for ai, bj, size in matcher.get_matching_blocks()
                for k in range(size)
            ]
            if len(plain) > len(anchored):
                anchored = plain
        pairs.extend(anchored)
    pairs.extend(reversed(tail))


def _segments(left: Sequence[str], right: Sequence[str]) -> tuple[Segment, ...]:
    """Equal runs and changes. Patience matching on lines unique to both sides first, then difflib in the
    gaps: YAML repeats lines ("- name: x", "protocol: TCP") so often that plain difflib is slow and, with
    autojunk, wrong on large objects."""
    pairs: list[tuple[int, int]] = []
    _match(left, right, 0, len(left), 0, len(right), pairs)
    pairs.append((len(left), len(right)))  # sentinel
    out: list[Segment] = []
    i = j = 0
    run_start: tuple[int, int] | None = None
    for pi, pj in pairs:
        if (pi, pj) != (i, j) or pi == len(left) and pj == len(right):
            if run_start is not None and (i, j) != run_start:
                out.append(Segment(True, run_start[0], i, run_start[1], j))
            run_start = None
            if pi > i or pj > j:
                out.append(Segment(False, i, pi, j, pj))
        if run_start is None:
            run_start = (pi, pj)
        i, j = pi + 1, pj + 1
    return tuple(out)


def _attach_notes(
    segments: Sequence[Segment], annotations: Mapping[int, str], left_annotations: Mapping[int, str]
) -> dict[int, tuple[str, ...]]:
    """Give each annotation to the change holding its line, else to the next change (a changed child of an
    unchanged key), else to the last change."""
    changes = [index for index, seg in enumerate(segments) if not seg.equal]
    if not changes:
        return {}
    found: dict[int, list[tuple[int, str]]] = {}

    def place(line: int, text: str, right: bool) -> None:
        target = changes[-1]
        for index in changes:
            seg = segments[index]
            lo, hi = (seg.j1, seg.j2) if right else (seg.i1, seg.i2)
            if line < hi or (lo == hi and line < lo + 1):
                target = index
                break
        found.setdefault(target, [])
        if all(existing != text for _, existing in found[target]):
            found[target].append((line, text))

    for line, text in sorted(annotations.items()):
        place(line, text, right=True)
    for line, text in sorted(left_annotations.items()):
        place(line, text, right=False)
    return {index: tuple(text for _, text in sorted(items)) for index, items in found.items()}


def prepare(doc: DiffDocument) -> PreparedDocument:
    left = tuple(doc.left.splitlines())
    right = tuple(doc.right.splitlines())
    segments = _segments(left, right) if not doc.error else ()
    return PreparedDocument(
        doc=doc,
        left=left,
        right=right,
        segments=segments,
        notes=_attach_notes(segments, doc.annotations, doc.left_annotations),
        left_blocks=block_scalar_lines(left),
        right_blocks=block_scalar_lines(right),
    )


@dataclass(frozen=True, slots=True)
class Row:
    kind: RowKind
    doc: int
    left: int | None = None  # line index on the left, if this row shows one
    right: int | None = None
    pair: tuple[int, int] | None = None  # (left, right) lines whose characters are compared
    change: int = -1  # which change (counted over all documents) the row belongs to
    fold: tuple[int, int] | None = None  # (document, segment) a FOLD row opens
    count: int = 0  # lines hidden by a FOLD row
    text: str = ""  # TITLE / NOTE / ERROR text


@dataclass(frozen=True)
class Layout:
    rows: tuple[Row, ...]
    change_starts: tuple[int, ...]  # row index where each change begins (its first note or line)
    document_starts: tuple[int, ...]  # row index of each document's first row

    def change_at(self, row: int) -> int:
        """The change a row is in, or the last one that starts before it (-1 if none)."""
        current = -1
        for index, start in enumerate(self.change_starts):
            if start > row:
                break
            current = index
        return current

    def document_at(self, row: int) -> int:
        current = 0
        for index, start in enumerate(self.document_starts):
            if start > row:
                break
            current = index
        return current


def _change_rows(prepared: PreparedDocument, seg: Segment, doc: int, change: int, unified: bool) -> list[Row]:
    rows: list[Row] = []
    left_count, right_count = seg.i2 - seg.i1, seg.j2 - seg.j1
    paired = min(left_count, right_count)
    if unified:
        for k in range(left_count):
            pair = (seg.i1 + k, seg.j1 + k) if k < paired else None
            rows.append(Row(RowKind.DELETE, doc, left=seg.i1 + k, pair=pair, change=change))
        for k in range(right_count):
            pair = (seg.i1 + k, seg.j1 + k) if k < paired else None
            rows.append(Row(RowKind.INSERT, doc, right=seg.j1 + k, pair=pair, change=change))
        return rows
    for k in range(max(left_count, right_count)):
        left = seg.i1 + k if k < left_count else None
        right = seg.j1 + k if k < right_count else None
        if left is not None and right is not None:
            rows.append(Row(RowKind.REPLACE, doc, left=left, right=right, pair=(left, right), change=change))
        elif left is not None:
            rows.append(Row(RowKind.DELETE, doc, left=left, change=change))
        else:
            rows.append(Row(RowKind.INSERT, doc, right=right, change=change))
    return rows


def _equal_rows(
    seg: Segment,
    doc: int,
    index: int,
    *,
    has_before: bool,
    has_after: bool,
    expanded: bool,
    context: int,
    min_fold: int,
) -> list[Row]:
    length = seg.i2 - seg.i1
    head = min(length, context) if has_before else 0
    tail = min(length - head, context) if has_after else 0
    hidden = length - head - tail
    if expanded or hidden < min_fold:
        head, tail, hidden = length, 0, 0
    rows = [Row(RowKind.EQUAL, doc, left=seg.i1 + k, right=seg.j1 + k) for k in range(head)]
    if hidden:
        fold = Row(
            RowKind.FOLD, doc, left=seg.i1 + head, right=seg.j1 + head, fold=(doc, index), count=hidden
        )
        rows.append(fold)
    start = length - tail
    rows.extend(Row(RowKind.EQUAL, doc, left=seg.i1 + k, right=seg.j1 + k) for k in range(start, length))
    return rows


def layout(
    documents: Sequence[PreparedDocument],
    *,
    unified: bool = False,
    expanded: Collection[tuple[int, int]] = (),
    titles: bool = True,
    context: int = 3,
    min_fold: int = 4,
) -> Layout:
    """The rows to draw. `expanded` holds the (document, segment) folds the user opened."""
    rows: list[Row] = []
    change_starts: list[int] = []
    document_starts: list[int] = []
    change = 0
    for doc_index, prepared in enumerate(documents):
        document_starts.append(len(rows))
        doc = prepared.doc
        if titles:
            rows.append(Row(RowKind.TITLE, doc_index, text=doc.title))
        if doc.note:
            rows.append(Row(RowKind.NOTE, doc_index, text=doc.note))
        if doc.error:
            rows.append(Row(RowKind.ERROR, doc_index, text=doc.error))
            continue
        if not any(not s.equal for s in prepared.segments):
            rows.append(Row(RowKind.NOTE, doc_index, text="no differences"))
        segments = prepared.segments
        for index, seg in enumerate(segments):
            if seg.equal:
                rows.extend(
                    _equal_rows(
                        seg,
                        doc_index,
                        index,
                        has_before=index > 0,
                        has_after=index < len(segments) - 1,
                        expanded=(doc_index, index) in expanded,
                        context=context,
                        min_fold=min_fold,
                    )
                )
                continue
            change_starts.append(len(rows))
            notes = prepared.notes.get(index, ())
            rows.extend(Row(RowKind.NOTE, doc_index, change=change, text=text) for text in notes)
            rows.extend(_change_rows(prepared, seg, doc_index, change, unified))
            change += 1
    return Layout(tuple(rows), tuple(change_starts), tuple(document_starts))


@lru_cache(maxsize=4096)
def char_changes(left: str, right: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """Character ranges that differ between two versions of a line, (left ranges, right ranges).

    Lines with little in common get no emphasis: the whole line changed, and speckled highlights would
    hide it.
    """
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    if matcher.ratio() < 0.4:
        return (), ()
    left_ranges: list[tuple[int, int]] = []
    right_ranges: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            left_ranges.append((i1, i2))
        if j2 > j1:
            right_ranges.append((j1, j2))
    return tuple(left_ranges), tuple(right_ranges)
