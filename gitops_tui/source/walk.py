"""Which files the source side reads: walking a repository or an app directory, and Argo CD's globs.

Hidden entries (`.git`, `.github`, editor swap files) and vendored trees are never read: they are not
desired state, and a `node_modules` can hold more files than the whole repository.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
SKIP_DIRS = frozenset({"node_modules", "vendor", "__pycache__"})
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def _keep_dir(name: str) -> bool:
    return not name.startswith(".") and name not in SKIP_DIRS


def walk_dirs(top: Path) -> Iterator[tuple[Path, list[str], list[str]]]:
    """os.walk in sorted order, without hidden or vendored directories and without following symlinks.

    Callers may prune further by removing names from the yielded directory list.
    """
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if _keep_dir(d))
        yield Path(dirpath), dirnames, sorted(f for f in filenames if not f.startswith("."))


def manifest_files(
    app_dir: Path, *, recurse: bool, suffixes: tuple[str, ...] = MANIFEST_SUFFIXES
) -> Iterator[Path]:
    """YAML and JSON files (or `suffixes`) under an app directory, in a stable order (directory by
    directory, by name)."""
    for dirpath, dirnames, filenames in walk_dirs(app_dir):
        if not recurse:
            dirnames.clear()
        for name in filenames:
            if name.endswith(suffixes):
                yield dirpath / name


def find_kustomization(directory: Path) -> Path | None:
    for name in KUSTOMIZATION_FILES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def glob_matches(pattern: str, path: str) -> bool:
    """Argo CD's `directory.include`/`exclude` match (gobwas/glob without separators): `*` and `?` also
    match `/`, `[abc]` and `{a,b}` alternatives work, the pattern must match the whole relative path."""
    return _compile(pattern).fullmatch(path) is not None


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out) + ")" * depth, re.DOTALL)
    except re.error:  # an odd character class: match it literally rather than fail the app
        return re.compile(re.escape(pattern))
