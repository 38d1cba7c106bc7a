"""A commit's patch (`git show` / unified diff text) as diff documents: one per hunk, with real line numbers,
so the History screen shows commits side by side with the same widget as the live diff."""

from __future__ import annotations

import re

from gitops_tui.ui.widgets.diff_layout import DiffDocument

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")


def _file_name(header: list[str]) -> str:
    old = new = ""
    for line in header:
        if line.startswith("--- "):
            old = line[4:].removeprefix("a/")
        elif line.startswith("+++ "):
            new = line[4:].removeprefix("b/")
        elif line.startswith("diff --git ") and not new:
            parts = line.split(" b/", 1)
            new = parts[1] if len(parts) == 2 else line
    if new == "/dev/null":
        return f"{old} (deleted)"
    if old == "/dev/null":
        return f"{new} (new file)"
    return new or old or "?"


def patch_documents(patch: str) -> list[DiffDocument]:
    """Hunks of a unified diff, in order. Text before the first `diff --git` (the commit header) is skipped."""
    documents: list[DiffDocument] = []
    header: list[str] = []
    name = ""
    hunk: tuple[int, int, str] | None = None
    left: list[str] = []
    right: list[str] = []
    notes: list[str] = []

    def flush() -> None:
        nonlocal hunk
        if hunk is not None:
            old_start, new_start, section = hunk
            title = f"{name}  @@ -{old_start} +{new_start} @@" + (f" {section}" if section else "")
            documents.append(
                DiffDocument(
                    title=title,
                    left="\n".join(left),
                    right="\n".join(right),
                    note=" · ".join(notes),
                    left_offset=max(0, old_start - 1),
                    right_offset=max(0, new_start - 1),
                )
            )
        hunk = None
        left.clear()
        right.clear()
        notes.clear()

    in_file = False
    for line in patch.splitlines():
        if line.startswith("diff --git "):
            flush()
            header = [line]
            in_file = True
            name = _file_name(header)
            continue
        if not in_file:
            continue
        match = _HUNK.match(line)
        if match:
            flush()
            name = _file_name(header)
            hunk = (int(match.group(1)), int(match.group(3)), match.group(5).strip())
            continue
        if hunk is None:
            header.append(line)
            if line.startswith("Binary files"):
                documents.append(DiffDocument(title=_file_name(header), left="", right="", note=line))
            continue
        if line.startswith("\\"):
            notes.append(line.lstrip("\\ ").strip())
        elif line.startswith("-"):
            left.append(line[1:])
        elif line.startswith("+"):
            right.append(line[1:])
        else:
            left.append(line[1:])
            right.append(line[1:])
    flush()
    return documents
