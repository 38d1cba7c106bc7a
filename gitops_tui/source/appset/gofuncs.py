"""Making Helm's Go template engine run templates with the functions Argo CD's controller has, no more.

Argo CD executes `goTemplate` strings with text/template + sprig's generic functions, minus `env`,
`expandenv` and `getHostByName`, plus its own `normalize`, `slugify`, `toYaml`, `fromYaml` and
`fromYamlArray`. Helm's engine has the same sprig (v3.3.0 in both) but a different set on top. So before a
template reaches Helm:

- a function Helm has and Argo does not (`include`, `tpl`, `required`, `lookup`, `getHostByName`, the TOML
  and JSON decoders...) is the parse error Argo gives (`function "include" not defined`), never a call;
- `normalize X` becomes `include "__argocd_normalize" X`, a named template of sprig calls that does exactly
  what Argo's SanitizeName does (lower-case, `[^-a-z0-9.]` to `-`, first 253 bytes, `-` and `.` trimmed);
- `slugify A B C` becomes `list A B C | include "__argocd_slugify"`: Argo's SlugifyName over its argument
  list (gosimple/slug on an already sanitized name needs no transliteration, so a few regex replacements
  and the smart truncation are exact).

Finding function names needs Go's lexical rules only (strings, raw strings, char literals, comments,
fields and variables are not function names); the template itself is parsed and run by Go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEYWORDS = frozenset(
    {
        "if",
        "else",
        "end",
        "range",
        "with",
        "define",
        "template",
        "block",
        "break",
        "continue",
        "nil",
        "true",
        "false",
    }
)
# Helm's engine has these, Argo CD's controller does not (sprig's getHostByName is removed by Argo only)
HELM_ONLY = frozenset(
    {
        "include",
        "tpl",
        "required",
        "lookup",
        "getHostByName",
        "toToml",
        "mustToToml",
        "fromToml",
        "mustToYaml",
        "toYamlPretty",
        "fromJson",
        "fromJsonArray",
    }
)
NORMALIZE = "__argocd_normalize"
SLUGIFY = "__argocd_slugify"

# Argo's SlugifyName(args...): the last argument is the name, a first of several the maximum length (50),
# a second of three the smart-truncation flag (true); the name is sanitized, then gosimple/slug.Make.
HELPERS = {
    NORMALIZE: '{{- trimAll "-." (trunc 253 (regexReplaceAll "[^-a-z0-9.]" (lower .) "-")) -}}',
    SLUGIFY: """
{{- $n := len . -}}{{- $max := 50 -}}{{- $smart := true -}}{{- $name := "" -}}
{{- range $i, $a := . -}}
  {{- if eq $i (sub $n 1) -}}
    {{- if not (kindIs "string" $a) }}{{ fail (printf "error calling slugify: interface conversion: interface {} is %T, not string" $a) }}{{ end -}}
    {{- $name = $a -}}
  {{- else if eq $i 0 -}}
    {{- if not (kindIs "int" $a) }}{{ fail (printf "error calling slugify: interface conversion: interface {} is %T, not int" $a) }}{{ end -}}
    {{- $max = $a -}}
  {{- else if eq $i 1 -}}
    {{- if not (kindIs "bool" $a) }}{{ fail (printf "error calling slugify: interface conversion: interface {} is %T, not bool" $a) }}{{ end -}}
    {{- $smart = $a -}}
  {{- end -}}
{{- end -}}
{{- $s := trimAll "-." (trunc 253 (regexReplaceAll "[^-a-z0-9.]" (lower $name) "-")) -}}
{{- if and (not $smart) (ge (len $s) $max) }}{{ $s = trunc $max $s }}{{ end -}}
{{- $s = trimAll "-_" (regexReplaceAll "-+" (regexReplaceAll "[^a-zA-Z0-9-_]" $s "-") "-") -}}
{{- if and (gt $max 0) $smart (gt (len $s) $max) -}}
  {{- $cut := printf "^(.{0,%d})-" $max -}}
  {{- if regexMatch $cut $s }}{{ $s = regexReplaceAll (printf "%s.*$" $cut) $s "${1}" }}{{ else }}{{ $s = trunc $max $s }}{{ end -}}
{{- end -}}
{{- $s -}}
""",
}


class UnknownFunction(ValueError):
    """A function Argo CD's controller does not define (the parse error it would give)."""


@dataclass(frozen=True)
class Prepared:
    text: str  # the template as Helm's engine gets it
    helpers: frozenset[str]  # the named templates it calls


@dataclass(frozen=True)
class _Func:
    name: str
    start: int
    end: int
    command_end: int  # where the command this name heads ends (`|`, `)` or the action's end)


def prepare(template: str) -> Prepared:
    """The template with Argo's functions rewritten; raises UnknownFunction for one Argo does not have."""
    edits: list[tuple[int, int, str]] = []
    helpers: set[str] = set()
    for func in _functions(template):
        if func.name in HELM_ONLY:
            raise UnknownFunction(f'function "{func.name}" not defined')
        if func.name == "normalize":
            edits.append((func.start, func.end, f'include "{NORMALIZE}"'))
            helpers.add(NORMALIZE)
        elif func.name == "slugify":
            edits.append((func.start, func.end, "list"))
            edits.append((func.command_end, func.command_end, f' | include "{SLUGIFY}"'))
            helpers.add(SLUGIFY)
    text = template
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return Prepared(text, frozenset(helpers))


def restore_names(message: str) -> str:
    """Helm's error text with the rewritten calls spelled as the user wrote them."""
    message = message.replace(f'include "{NORMALIZE}"', "normalize")
    return re.sub(rf'list ([^|>]*?)\s*\| include "{SLUGIFY}"', r"slugify \1", message)


def _functions(text: str) -> list[_Func]:
    found: list[_Func] = []
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return found
        pos = _scan_action(text, start + 2, found)


def _scan_action(text: str, i: int, found: list[_Func]) -> int:
    """Scan one action from just after its `{{`; returns the index just after its `}}`."""
    n = len(text)
    if text.startswith("- ", i) or (text.startswith("-", i) and i + 1 < n and text[i + 1] in "\t\r\n"):
        i += 2
    comment = i
    while comment < n and text[comment] in " \t\r\n":
        comment += 1
    if text.startswith("/*", comment):
        close = text.find("*/", comment + 2)
        if close < 0:
            return n
        end = text.find("}}", close + 2)
        return n if end < 0 else end + 2
    while i < n:
        c = text[i]
        if text.startswith("}}", i):
            return i + 2
        if c in "\"'`":
            i = _skip_quoted(text, i)
            continue
        if c.isdigit():
            i = _skip_number(text, i)
            continue
        if c.isalpha() or c == "_":
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            word = text[i:j]
            before = text[i - 1] if i else ""
            if before not in (".", "$") and word not in _KEYWORDS:
                found.append(_Func(word, i, j, _command_end(text, j)))
            i = j
            continue
        i += 1
    return n


def _skip_quoted(text: str, i: int) -> int:
    quote = text[i]
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and quote != "`":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        if text[j] == "\n" and quote != "`":
            return j
        j += 1
    return j


def _skip_number(text: str, i: int) -> int:
    j = i + 1
    while j < len(text) and (
        text[j].isalnum() or text[j] in "_." or (text[j] in "+-" and text[j - 1] in "eEpP")
    ):
        j += 1
    return j


def _command_end(text: str, i: int) -> int:
    """The end of the command whose head ends at `i`: the next `|` or unmatched `)` at this nesting level,
    or the action's closing delimiter (before a ` -}}` trim marker)."""
    depth = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "\"'`":
            i = _skip_quoted(text, i)
            continue
        if text.startswith("}}", i):
            if i >= 2 and text[i - 1] == "-" and text[i - 2] in " \t\r\n":
                return i - 2
            return i
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return i
            depth -= 1
        elif c == "|" and depth == 0:
            return i
        i += 1
    return n
