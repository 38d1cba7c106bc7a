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
        if rel.parts[0] == "ui" or rel.as_posix() == "cli/run.py":  # the TUI is built there
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


def _circles() -> list[list[str]]:
    """Every set of modules that import one another round a circle (strongly connected, Tarjan), counting
    the imports made only for type checking too: a circle there is a circle in the design."""
    import grimp

    graph = grimp.build_graph(
        "gitops_tui", include_external_packages=False, exclude_type_checking_imports=False
    )
    edges = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # iterative deepening is not needed: the package is a few hundred modules
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for module in sorted(edges):
        if module not in index:
            visit(module)
    return circles


def test_no_import_circle_between_modules():
    assert _circles() == []
