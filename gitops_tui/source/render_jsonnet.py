"""Jsonnet files of a directory app, evaluated as Argo CD evaluates them: go-jsonnet (the `_gojsonnet`
binding), with the Application's top-level arguments and external variables, and the app's directory
then `directory.jsonnet.libs` (relative to the repository root) as import paths. `*.libsonnet` files are
only ever imported. The output is one object, an array of objects, or a List (expanded by the caller).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import _gojsonnet

from gitops_tui.model import JsonnetSpec
from gitops_tui.source.argoenv import envsubst
from gitops_tui.source.errors import RenderError

# go-jsonnet's locations: "file.jsonnet:2:6-18" or "file.jsonnet:(1:1)-(3:4)"
_LOCATION = re.compile(r"^\s*(?P<file>[^\t\n]+?):\(?(?P<line>\d+):\d+")


def evaluate(path: Path, app_dir: Path, root: Path, spec: JsonnetSpec, env: dict[str, str]) -> list[Any]:
    """The documents `path` evaluates to. Raises RenderError("file:line: message")."""
    jpaths = [str(app_dir)]
    for lib in spec.libs:
        lib_dir = (root / lib.lstrip("/")).resolve()
        if not lib_dir.is_relative_to(root.resolve()):
            raise RenderError(f"directory.jsonnet.libs: {lib} is outside the repository")
        jpaths.append(str(lib_dir))
    kwargs: dict[str, Any] = {"jpathdir": jpaths}
    for key, entries in (("tla", spec.tlas), ("ext", spec.ext_vars)):
        plain = {n: envsubst(v, env) for n, v, code in entries if not code}
        code = {n: envsubst(v, env) for n, v, is_code in entries if is_code}
        kwargs[f"{key}_vars"], kwargs[f"{key}_codes"] = plain, code
    try:
        out = _gojsonnet.evaluate_file(str(path), **kwargs)
    except RuntimeError as exc:
        raise RenderError(_message(str(exc), path, root)) from None
    try:
        value = json.loads(out)
    except ValueError as exc:  # go-jsonnet prints JSON; this would be a binding fault
        raise RenderError(f"{_rel(path, root)}: output is not JSON: {exc}") from None
    return value if isinstance(value, list) else [value]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _message(text: str, path: Path, root: Path) -> str:
    """One line: where (file:line, relative to the repository) and what, from go-jsonnet's report."""
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else "evaluation failed"
    if first.startswith("RUNTIME ERROR: "):
        what = first.removeprefix("RUNTIME ERROR: ")
        where = next((m for m in map(_LOCATION.match, lines[1:]) if m), None)
    else:  # a static error: "file:2:6-7 Unexpected: ..." on the first line
        where = _LOCATION.match(first)
        what = first[where.end() :].lstrip("-0123456789 ") if where else first
    if where is None:
        return f"{_rel(path, root)}: {what}"
    return f"{_rel(Path(where.group('file')), root)}:{where.group('line')}: {what}"
