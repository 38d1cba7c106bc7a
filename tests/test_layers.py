"""The engine knows no screen: nothing outside gitops_tui/ui imports Textual (STYLE habit 1)."""

import ast
import pathlib
import subprocess
import sys

PKG = pathlib.Path(__file__).resolve().parent.parent / "gitops_tui"


def _imports(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_textual_outside_ui():
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG)
        if rel.parts[0] == "ui" or rel.name == "cli.py":
            continue
        for name in _imports(path):
            if name == "textual" or name.startswith("textual.") or name.startswith("gitops_tui.ui"):
                offenders.append(f"{rel}: {name}")
    assert offenders == []


def test_engine_import_loads_no_textual():
    code = (
        "import sys, gitops_tui.model, gitops_tui.engine;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('textual', 'kubernetes', 'git')];"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_contracts_hold():
    result = subprocess.run(
        ["lint-imports", "--config", str(PKG.parent / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=PKG.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
