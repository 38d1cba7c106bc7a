"""Secret values out of Git patches: a commit that touched a Secret manifest shows which keys changed, never
their values (the History screen, `history`, the revert preview). The same holds for Kustomize's
`secretGenerator`: its `literals` (`password=...`) are masked after the `=`, and the files it reads
(`files`, `envs`) are masked whole.

Each file's full text before and after is read from Git and parsed; the lines holding the values of a
Secret's `data`/`stringData` entries are known from the parser's marks, and those lines of the patch are
masked (stable per value, so a changed value still shows as changed). A file that does not parse but
mentions a Secret has all its lines masked: better blind than leaking.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Collection

import yaml

from gitops_tui.engine.secrets import mask_value

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_SECRET_HINT = re.compile(r"^\s*['\"]?kind['\"]?\s*:\s*['\"]?Secret(Generator)?['\"]?\s*$", re.MULTILINE)
_YAML_SUFFIXES = (".yaml", ".yml", ".json")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# line number (1-based) -> column where the value starts (0 for a continuation line of a block scalar)
SecretLines = dict[int, int]
EVERY_LINE: SecretLines = {-1: 0}  # marker: mask every line of the file


def secret_lines(text: str) -> SecretLines:
    """Where the values of Secret data, and of secretGenerator literals, are in a YAML text (possibly
    several documents)."""
    generator = "secretGenerator" in text or "SecretGenerator" in text
    if not _SECRET_HINT.search(text) and not generator:
        return {}
    try:
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError:
        return EVERY_LINE
    found: SecretLines = {}
    for doc in documents:
        if not isinstance(doc, yaml.MappingNode):
            continue
        fields = {k.value: v for k, v in doc.value if isinstance(k, yaml.ScalarNode)}
        kind = fields.get("kind")
        if generator:
            _mark_literals(found, fields.get("secretGenerator"))
            if isinstance(kind, yaml.ScalarNode) and kind.value == "SecretGenerator":
                _mark_generator(found, doc)  # a builtin generator's own config (`generators: [gen.yaml]`)
        if not (isinstance(kind, yaml.ScalarNode) and kind.value == "Secret"):
            continue
        for name in ("data", "stringData"):
            values = fields.get(name)
            if isinstance(values, yaml.MappingNode):
                for _key, value in values.value:
                    _mark(found, value)
            elif values is not None:
                _mark(found, values)
    return found


def _mark(found: SecretLines, node: yaml.Node) -> None:
    first, last = node.start_mark.line, node.end_mark.line
    if node.end_mark.column == 0 and last > first:
        last -= 1  # a block scalar ends at the start of the next line
    found[first + 1] = node.start_mark.column
    for line in range(first + 2, last + 2):
        found[line] = 0


def _mark_literals(found: SecretLines, generators: yaml.Node | None) -> None:
    """`- password=s3cret` in a secretGenerator's literals: the value after the `=` (the whole entry when
    it spans lines or has no `=`)."""
    if not isinstance(generators, yaml.SequenceNode):
        return
    for gen in generators.value:
        _mark_generator(found, gen)


def _mark_generator(found: SecretLines, gen: yaml.Node) -> None:
    if not isinstance(gen, yaml.MappingNode):
        return
    for key, value in gen.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value == "literals"):
            continue
        if isinstance(value, yaml.SequenceNode) and value.flow_style:
            _mark(found, value)  # `[password=a, user=b]`: one line, several values, all masked
            continue
        for literal in value.value if isinstance(value, yaml.SequenceNode) else [value]:
            one_line = literal.start_mark.line == literal.end_mark.line
            if isinstance(literal, yaml.ScalarNode) and one_line and "=" in literal.value:
                quote = 1 if literal.style in ("'", '"') else 0
                column = literal.start_mark.column + quote + literal.value.index("=") + 1
                line = literal.start_mark.line + 1
                found[line] = min(found.get(line, column), column)  # two on a line: mask from the first
            else:
                _mark(found, literal)


def generator_inputs(kustomizations: dict[str, str]) -> set[str]:
    """The files that secretGenerators read (`files`, `envs`, `env`), from kustomization path -> text."""
    found: set[str] = set()
    for path, text in kustomizations.items():
        found |= _generator_files(text, posixpath.dirname(path))
    return found


def _generator_files(text: str, directory: str) -> set[str]:
    """The files the secretGenerators of one kustomization text (in `directory`) read."""
    try:
        docs = [d for d in yaml.load_all(text, Loader=_Loader) if isinstance(d, dict)]
    except yaml.YAMLError:
        return set()
    files = set()
    for doc in docs:
        for gen in doc.get("secretGenerator") or ():
            if not isinstance(gen, dict):
                continue
            entries = [*(gen.get("files") or ()), *(gen.get("envs") or ()), gen.get("env")]
            for entry in entries:
                if isinstance(entry, str) and entry:
                    rel = entry.split("=", 1)[-1]  # "key=path"
                    files.add(posixpath.normpath(posixpath.join(directory, rel)))
    return files


def _mask_line(content: str, column: int | None) -> str:
    if column is None:
        return content
    if column <= 0:
        indent = len(content) - len(content.lstrip())
        return content[:indent] + mask_value(content.strip()) if content.strip() else content
    return content[:column] + mask_value(content[column:].strip())


def mask_patch(
    patch: str,
    read_old: Callable[[str], str],
    read_new: Callable[[str], str],
    secret_files: Collection[str] = (),
) -> str:
    """`patch` (git's unified diff) with Secret values masked. `read_old(path)` / `read_new(path)` give a
    file's full text on each side ("" when it does not exist there); `secret_files` are masked whole (the
    inputs of secretGenerators, on either side)."""
    # Which files to look into is decided from the files, not from the patch: a hunk rarely shows the
    # `kind: Secret` line three lines of context away. YAML and JSON files are read; others only matter
    # when a secretGenerator reads them (`secret_files`).
    touched = {line[6:].strip() for line in patch.splitlines() if line.startswith(("--- a/", "+++ b/"))}
    if not any(t.endswith(_YAML_SUFFIXES) or t in secret_files or _is_kustomization(t) for t in touched):
        return patch
    out: list[str] = []
    old_lines: SecretLines = {}
    new_lines: SecretLines = {}
    old_no = new_no = 0
    in_hunk = False
    for line in patch.splitlines(keepends=True):
        body, nl = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if body.startswith("diff --git "):
            in_hunk = False
            old_lines, new_lines = {}, {}
            out.append(line)
            continue
        if not in_hunk and body.startswith("--- "):
            old_lines = _lines_of(body[4:], "a/", read_old, secret_files)
            out.append(line)
            continue
        if not in_hunk and body.startswith("+++ "):
            new_lines = _lines_of(body[4:], "b/", read_new, secret_files)
            out.append(line)
            continue
        hunk = _HUNK.match(body)
        if hunk:
            in_hunk = True
            old_no, new_no = int(hunk.group(1)), int(hunk.group(2))
            out.append(line)
            continue
        if not in_hunk or not body or body[0] not in " +-":
            out.append(line)
            continue
        sign, content = body[0], body[1:]
        if sign == "-":
            out.append(sign + _mask_line(content, _column(old_lines, old_no)) + nl)
            old_no += 1
        elif sign == "+":
            out.append(sign + _mask_line(content, _column(new_lines, new_no)) + nl)
            new_no += 1
        else:
            column = _column(old_lines, old_no)
            if column is None:
                column = _column(new_lines, new_no)
            out.append(sign + _mask_line(content, column) + nl)
            old_no += 1
            new_no += 1
    return "".join(out)


def _column(lines: SecretLines, number: int) -> int | None:
    if lines is EVERY_LINE or -1 in lines:
        return 0
    return lines.get(number)


def _is_kustomization(path: str) -> bool:
    return posixpath.basename(path) in KUSTOMIZATIONS


def _lines_of(
    name: str, prefix: str, read: Callable[[str], str], secret_files: Collection[str]
) -> SecretLines:
    name = name.strip()
    if name == "/dev/null":
        return {}
    if name.startswith('"'):  # a quoted path: git escapes unusual names; read them as they are
        name = name.strip('"')
    path = name[len(prefix) :] if name.startswith(prefix) else name
    if path in secret_files:
        return EVERY_LINE
    try:
        text = read(path)
    except Exception:  # noqa: BLE001 - a file we cannot read back is masked whole, never shown raw
        return EVERY_LINE
    return secret_lines(text)
