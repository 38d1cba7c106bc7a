"""The README's key table is generated from the bindings, and this test keeps it so.

After adding or changing a binding: `python3 tests/ui/test_readme_keys.py --write` rewrites the table
between the `keys:begin` / `keys:end` markers of README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from textual.keys import format_key  # noqa: E402

from gitops_tui.ui.app import GitopsApp  # noqa: E402

README = ROOT / "README.md"
BEGIN, END = (
    "<!-- keys:begin (generated: python3 tests/ui/test_readme_keys.py --write) -->",
    "<!-- keys:end -->",
)


def shown(keys: str) -> str:
    return " ".join(
        f"`{'enter' if k.strip() == 'enter' else format_key(k.strip())}`" for k in keys.split(",")
    )


def key_table() -> str:
    lines = ["| where | keys | action | binding id |", "| --- | --- | --- | --- |"]
    for group, bindings in GitopsApp.binding_groups():
        seen: set[str] = set()
        for binding in bindings:
            if not binding.description or binding.action in seen:
                continue
            seen.add(binding.action)
            action = binding.description + (f" — {binding.tooltip}" if binding.tooltip else "")
            keys = shown(binding.key).replace("|", "\\|")
            lines.append(f"| {group} | {keys} | {action} | `{binding.id or ''}` |")
    return "\n".join(lines)


def readme_table() -> str:
    text = README.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[start:end].strip()


def test_readme_key_table_matches_the_bindings() -> None:
    assert readme_table() == key_table(), "run: python3 tests/ui/test_readme_keys.py --write"


if __name__ == "__main__":
    if "--write" in sys.argv:
        text = README.read_text()
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        README.write_text(text[:start] + "\n" + key_table() + "\n" + text[end:])
    else:
        print(key_table())
