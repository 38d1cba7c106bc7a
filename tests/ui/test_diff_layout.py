"""The diff's row model: matching, folding, notes, unified layout, character emphasis, YAML tokens."""

from __future__ import annotations

import difflib

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gitops_tui.ui.widgets.diff_layout import DiffDocument, RowKind, char_changes, layout, prepare
from gitops_tui.ui.widgets.yaml_tokens import (
    COMMENT,
    KEY,
    LITERAL,
    NUMBER,
    PUNCT,
    STRING,
    block_scalar_lines,
    tokenize,
)
from gitops_tui.ui.yaml_text import pointer_lines, to_yaml


def lines(count: int, prefix: str = "k") -> list[str]:
    return [f"{prefix}{i}: v{i}" for i in range(count)]


def doc(left: list[str], right: list[str], **kw) -> DiffDocument:
    return DiffDocument("t", "\n".join(left), "\n".join(right), **kw)


def test_identical_texts_fold_into_one_row_with_a_no_differences_note() -> None:
    text = lines(20)
    result = layout([prepare(doc(text, text))])
    kinds = [r.kind for r in result.rows]
    assert kinds == [RowKind.TITLE, RowKind.NOTE, RowKind.FOLD]
    assert result.rows[1].text == "no differences"
    assert result.rows[2].count == 20
    assert result.change_starts == ()


def test_one_changed_line_keeps_three_lines_of_context_and_folds_the_rest() -> None:
    left = lines(30)
    right = list(left)
    right[15] = "k15: changed"
    result = layout([prepare(doc(left, right))], titles=False)
    kinds = [r.kind for r in result.rows]
    assert kinds == [RowKind.FOLD, *[RowKind.EQUAL] * 3, RowKind.REPLACE, *[RowKind.EQUAL] * 3, RowKind.FOLD]
    assert result.rows[0].count == 12 and result.rows[-1].count == 11
    replaced = result.rows[4]
    assert (replaced.left, replaced.right, replaced.pair) == (15, 15, (15, 15))
    assert result.change_starts == (4,)


def test_short_unchanged_runs_are_not_folded() -> None:
    left = lines(8)
    right = list(left)
    right[0] = "k0: x"
    right[7] = "k7: x"
    result = layout([prepare(doc(left, right))], titles=False)
    assert RowKind.FOLD not in [r.kind for r in result.rows]
    assert len(result.change_starts) == 2


def test_expanding_a_fold_shows_every_hidden_line() -> None:
    left = lines(30)
    right = list(left)
    right[15] = "k15: changed"
    prepared = [prepare(doc(left, right))]
    folded = layout(prepared, titles=False)
    fold = folded.rows[0].fold
    assert fold is not None
    opened = layout(prepared, titles=False, expanded={fold})
    assert len(opened.rows) == len(folded.rows) + 12 - 1
    assert opened.rows[0].kind is RowKind.EQUAL and opened.rows[0].left == 0


def test_unequal_replace_pairs_lines_and_pads_the_shorter_side() -> None:
    left = ["a: 1", "b: 2", "c: 3"]
    right = ["a: 1", "b: 20", "b2: 21", "b3: 22", "c: 3"]
    result = layout([prepare(doc(left, right))], titles=False)
    kinds = [r.kind for r in result.rows]
    assert kinds == [RowKind.EQUAL, RowKind.REPLACE, RowKind.INSERT, RowKind.INSERT, RowKind.EQUAL]
    assert result.rows[2].left is None and result.rows[2].right == 2


def test_unified_layout_lists_removals_before_additions_and_keeps_pairs() -> None:
    left = ["a: 1", "b: 2", "c: 3"]
    right = ["a: 1", "b: 20", "c: 3"]
    result = layout([prepare(doc(left, right))], titles=False, unified=True)
    kinds = [r.kind for r in result.rows]
    assert kinds == [RowKind.EQUAL, RowKind.DELETE, RowKind.INSERT, RowKind.EQUAL]
    assert result.rows[1].pair == result.rows[2].pair == (1, 1)


def test_annotations_are_placed_above_their_change_even_from_an_unchanged_parent_line() -> None:
    left = ["spec:", "  replicas: 2", "  paused: false", "x: 1"]
    right = ["spec:", "  replicas: 5", "  paused: false", "x: 2"]
    notes = {0: "/spec ← helm", 1: "/spec/replicas ← kubectl-scale", 3: "/x ← kubectl-edit"}
    result = layout([prepare(doc(left, right, annotations=notes))], titles=False)
    texts = [(r.kind, r.text) for r in result.rows if r.kind is RowKind.NOTE]
    assert texts == [
        (RowKind.NOTE, "/spec ← helm"),
        (RowKind.NOTE, "/spec/replicas ← kubectl-scale"),
        (RowKind.NOTE, "/x ← kubectl-edit"),
    ]
    # each change starts at its first note
    assert [result.rows[i].kind for i in result.change_starts] == [RowKind.NOTE, RowKind.NOTE]


def test_left_only_annotation_goes_to_a_removal() -> None:
    left = ["a: 1", "b: 2", "c: 3"]
    right = ["a: 1", "c: 3"]
    result = layout([prepare(doc(left, right, left_annotations={1: "/b removed live"}))], titles=False)
    assert [r.text for r in result.rows if r.kind is RowKind.NOTE] == ["/b removed live"]


def test_documents_are_laid_out_one_after_another_with_global_change_numbers() -> None:
    first = doc(["a: 1"], ["a: 2"])
    second = DiffDocument("second", "b: 1\nc: 1", "b: 2\nc: 2", note="3 fields drifted")
    failed = DiffDocument("third", "", "", error="connection refused")
    result = layout([prepare(first), prepare(second), prepare(failed)])
    assert len(result.document_starts) == 3
    assert [result.rows[i].kind for i in result.document_starts] == [RowKind.TITLE] * 3
    assert [r.change for r in result.rows if r.kind is RowKind.REPLACE] == [0, 1, 1]
    assert result.rows[-1].kind is RowKind.ERROR
    assert result.document_at(result.change_starts[1]) == 1


def test_missing_object_is_one_removal_of_every_git_line() -> None:
    result = layout([prepare(DiffDocument("t", "a: 1\nb: 2\n", ""))], titles=False)
    assert [r.kind for r in result.rows] == [RowKind.DELETE, RowKind.DELETE]


def test_char_changes_emphasise_only_the_changed_characters() -> None:
    left, right = char_changes("    image: nginx:1.25.3", "    image: nginx:1.27.0")
    assert [("    image: nginx:1.25.3"[a:b]) for a, b in left] == ["5", "3"]
    assert [("    image: nginx:1.27.0"[a:b]) for a, b in right] == ["7", "0"]
    assert char_changes("completely: different", "xyz") == ((), ())


def test_tokenize_yaml_lines() -> None:
    def kinds(line: str) -> list[tuple[str, str]]:
        return [(line[a:b], k) for a, b, k in tokenize(line)]

    assert kinds("  replicas: 3") == [("replicas", KEY), (":", PUNCT), ("3", NUMBER)]
    assert kinds("- name: web  # the app") == [
        ("-", PUNCT),
        ("name", KEY),
        (":", PUNCT),
        ("web", STRING),
        ("# the app", COMMENT),
    ]
    assert kinds("    enabled: true") == [("enabled", KEY), (":", PUNCT), ("true", LITERAL)]
    assert kinds("  url: 'http://x:80/#a'") == [("url", KEY), (":", PUNCT), ("'http://x:80/#a'", STRING)]
    assert kinds("  - http://example.com") == [("-", PUNCT), ("http://example.com", STRING)]
    assert kinds("# header") == [("# header", COMMENT)]
    assert kinds("  script: |-") == [("script", KEY), (":", PUNCT), ("|-", PUNCT)]
    assert tokenize("    line two: x", in_block=True) == [(4, 15, STRING)]


def test_block_scalar_content_is_found() -> None:
    text = ["data:", "  script: |", "    echo a: b", "", "    echo c", "  other: 1", "- |", "  x: y", "- z"]
    assert block_scalar_lines(text) == frozenset({2, 3, 4, 7})


def test_yaml_text_writes_multiline_strings_as_blocks_and_finds_pointers() -> None:
    text = to_yaml({"data": {"run.sh": "echo 1\necho 2\n"}, "spec": {"ports": [{"port": 80}, {"port": 443}]}})
    assert "run.sh: |\n    echo 1\n    echo 2\n" in text
    found = pointer_lines(text, ["/spec/ports/1/port", "/data/run.sh", "/nope", "/spec/ports/9"])
    assert found == {"/spec/ports/1/port": 7, "/data/run.sh": 1}
    assert to_yaml(None) == ""


@settings(max_examples=300, deadline=None)
@example(left=["b: 2", "a: 1", "a: 1", "a: 1"], right=["a: 1", "a: 1", "a: 1", "b: 2"])  # a moved unique line
@given(
    st.lists(st.sampled_from(["a: 1", "b: 2", "- x", "  y: 3", "z", ""]), max_size=40),
    st.lists(st.sampled_from(["a: 1", "b: 2", "- x", "  y: 4", "w", ""]), max_size=40),
)
def test_segments_cover_both_texts_and_equal_runs_are_equal(left: list[str], right: list[str]) -> None:
    prepared = prepare(DiffDocument("t", "\n".join(left), "\n".join(right)))
    left, right = list(prepared.left), list(prepared.right)
    i = j = 0
    previous_equal: bool | None = None
    for seg in prepared.segments:
        assert (seg.i1, seg.j1) == (i, j)
        assert seg.equal is not previous_equal
        if seg.equal:
            assert left[seg.i1 : seg.i2] == right[seg.j1 : seg.j2] and seg.i2 > seg.i1
        else:
            assert seg.i2 > seg.i1 or seg.j2 > seg.j1
        i, j, previous_equal = seg.i2, seg.j2, seg.equal
    assert (i, j) == (len(left), len(right))
    # as good as difflib at matching: never fewer matched lines than half of what difflib finds
    matched = sum(s.i2 - s.i1 for s in prepared.segments if s.equal)
    best = sum(
        b.size for b in difflib.SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks()
    )
    assert matched * 2 >= best


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["yes", "1.0", "- x", "a: b", "#c", "'q'", '"d"', "~", "", " lead", "tab\there", "é"]),
)
_keys = st.one_of(st.text(max_size=8), st.sampled_from(["on", "null", "1", "a: b", "-", "?"]))
_data = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(_data)
@example(["\n"])  # only newlines: once written as a literal block, which reads back as ""
@example({"k": "\n\n"})
def test_display_yaml_reads_back_as_the_same_object(obj: object) -> None:
    assert yaml.safe_load(to_yaml(obj) or "null") == obj


def _has_odd_key(obj: object) -> bool:
    """Empty keys or keys with line-break characters: libyaml writes them as `? key`, we as `"key": v`."""
    if isinstance(obj, dict):
        odd = any(k == "" or (isinstance(k, str) and not k.isprintable()) for k in obj)
        return odd or any(_has_odd_key(v) for v in obj.values())
    return isinstance(obj, list) and any(_has_odd_key(v) for v in obj)


@settings(max_examples=300, deadline=None)
@given(_data.filter(lambda o: "\n" not in repr(o) and "\\n" not in repr(o)))
def test_display_yaml_is_what_libyaml_safe_dump_writes_for_single_line_strings(obj: object) -> None:
    if obj is None or _has_odd_key(obj):
        return
    expected = yaml.dump(obj, Dumper=yaml.CSafeDumper, sort_keys=False, width=1_000_000, allow_unicode=True)
    assert to_yaml(obj) == expected.removesuffix("...\n")
