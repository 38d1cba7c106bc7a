"""A small line-at-a-time YAML highlighter for the diff view.

Pygments' YAML lexer needs the whole document and is slow on thousands of lines; the diff view draws only the
lines on screen, so it asks for one line at a time. Block scalars (``key: |``) are the one construct whose
meaning depends on earlier lines: `block_scalar_lines` finds them once per document so their content is shown
as a string rather than guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Token kinds; the diff view maps each to a component class (diff-view--<kind>).
KEY = "key"
STRING = "string"
NUMBER = "number"
LITERAL = "literal"  # true/false/null
COMMENT = "comment"
PUNCT = "punct"  # list dashes, colons, block indicators, {} []

Span = tuple[int, int, str]

_DASHES = re.compile(r"(\s*)((?:-(?:\s+|$))*)")
_KEY = re.compile(r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'|[^\s#'\"][^#]*?)(\s*:)(?=\s|$)")
_NUMBER = re.compile(
    r"[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf)|\.nan"
)
_LITERALS = frozenset(
    {"true", "false", "True", "False", "null", "Null", "NULL", "~", "yes", "no", "on", "off"}
)
_BLOCK_INDICATOR = re.compile(r"[|>][-+1-9]*")
_BLOCK_START = re.compile(r"(?:^|:\s|^\s*-\s)\s*[|>][-+1-9]*\s*$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def block_scalar_lines(lines: Sequence[str]) -> frozenset[int]:
    """Indexes of the lines that are the content of a block scalar (`|`, `>` and their variants)."""
    inside: set[int] = set()
    i, count = 0, len(lines)
    while i < count:
        line = lines[i]
        if "|" in line or ">" in line:
            stripped = line.lstrip(" -")
            if _BLOCK_START.search(line) and not stripped.startswith("#"):
                # content must be indented deeper than the key (or than the dash for `- |`)
                column = _indent(line) if stripped[:1] in "|>" else len(line) - len(stripped)
                j = i + 1
                while j < count and (not lines[j].strip() or _indent(lines[j]) > column):
                    inside.add(j)
                    j += 1
                i = j
                continue
        i += 1
    return frozenset(inside)


def _value_spans(line: str, start: int) -> list[Span]:
    """Spans for a scalar value (with an optional trailing comment) beginning at `start`."""
    spans: list[Span] = []
    while start < len(line) and line[start] == " ":
        start += 1
    if start >= len(line):
        return spans
    rest = line[start:]
    if rest.startswith("#"):
        return [(start, len(line), COMMENT)]
    end = len(line)
    if rest[0] in "\"'":
        quote = rest[0]
        close = 1
        while close < len(rest):
            if rest[close] == "\\" and quote == '"':
                close += 2
                continue
            if rest[close] == quote:
                if quote == "'" and rest[close + 1 : close + 2] == "'":
                    close += 2
                    continue
                break
            close += 1
        value_end = min(start + close + 1, end)
        spans.append((start, value_end, STRING))
        comment = line.find(" #", value_end)
        if comment >= 0:
            spans.append((comment + 1, end, COMMENT))
        return spans
    comment = line.find(" #", start)
    value_end = comment if comment >= 0 else end
    value = line[start:value_end].rstrip()
    if value:
        stop = start + len(value)
        if value in _LITERALS:
            kind = LITERAL
        elif _NUMBER.fullmatch(value):
            kind = NUMBER
        elif _BLOCK_INDICATOR.fullmatch(value) or value in ("{}", "[]"):
            kind = PUNCT
        else:
            kind = STRING
        spans.append((start, stop, kind))
    if comment >= 0:
        spans.append((comment + 1, end, COMMENT))
    return spans


def tokenize(line: str, in_block: bool = False) -> list[Span]:
    """Spans (start, end, kind) covering the highlighted parts of one YAML line, in order."""
    if in_block:
        start = _indent(line)
        return [(start, len(line), STRING)] if start < len(line) else []
    match = _DASHES.match(line)
    assert match is not None  # the pattern matches the empty string
    spans: list[Span] = []
    pos = match.end(1)
    for dash in re.finditer(r"-", match.group(2)):
        spans.append((pos + dash.start(), pos + dash.start() + 1, PUNCT))
    pos = match.end()
    if pos >= len(line):
        return spans
    if line[pos] == "#":
        spans.append((pos, len(line), COMMENT))
        return spans
    key = _KEY.match(line, pos)
    if key is not None:
        spans.append((key.start(1), key.end(1), KEY))
        spans.append((key.end(2) - 1, key.end(2), PUNCT))
        pos = key.end()
    spans.extend(_value_spans(line, pos))
    return spans
