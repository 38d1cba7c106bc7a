"""What the git generator sees of a repository: its directories and its files, as Argo CD's repo server
lists them from a checkout.

- Directories (the directory generator): every directory but the root, depth first with names in byte
  order (Go's filepath.WalkDir), without hidden ones (`.git`, `.github`: Argo skips a directory whose name
  starts with `.`, and everything under it) and without symlinks (WalkDir does not follow them). A working
  tree can hold empty directories, which a Git checkout cannot: one with no file below it is left out.
- Files (the files generator): every file of the tree but `.git`, hidden ones included (`git ls-files` lists
  them), matched with a pathspec.

The walk for directories only enters directories some include pattern can still match, so a large tree
costs what the patterns reach, not its size.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import gitops_tui.source.appset.globs as globs


@dataclass(frozen=True)
class DirPattern:
    path: str
    exclude: bool


@dataclass
class Tree:
    """One repository checkout, walked lazily and at most once per expansion."""

    root: Path
    _files: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def directories(self, patterns: Sequence[DirPattern]) -> tuple[list[str], list[str]]:
        """The directories the patterns select (Argo's filterApps: included by one and excluded by none),
        in walk order, and the patterns that are malformed (they match nothing, as in Argo)."""
        includes: list[re.Pattern[str]] = []
        excludes: list[re.Pattern[str]] = []
        bad: list[str] = []
        prune: list[list[re.Pattern[str]] | None] = []
        for p in patterns:
            try:
                compiled = globs.go_path_pattern(p.path)
            except globs.BadPattern:
                bad.append(p.path)
                continue
            if p.exclude:
                excludes.append(compiled)
                continue
            includes.append(compiled)
            prune.append(_segments(p.path))
        if not includes:
            return [], bad
        selected: list[str] = []
        for rel in self._walk_dirs(prune):
            included = any(c.fullmatch(rel) for c in includes) and not any(c.fullmatch(rel) for c in excludes)
            if included and _has_file(self.root / rel):
                selected.append(rel)
        return selected, bad

    def _walk_dirs(self, prune: Sequence[list[re.Pattern[str]] | None]) -> Iterator[str]:
        unbounded = any(p is None for p in prune)
        depth = 0 if unbounded else max(len(p) for p in prune if p is not None)

        def could_match(parts: list[str]) -> bool:
            if unbounded:
                return True
            for segs in prune:
                if (
                    segs is not None
                    and len(segs) > len(parts)
                    and all(s.fullmatch(x) for s, x in zip(segs, parts, strict=False))
                ):
                    return True
            return False

        def walk(directory: Path, parts: list[str]) -> Iterator[str]:
            try:
                entries = sorted(os.scandir(directory), key=lambda e: e.name)
            except OSError:
                return
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
                    continue
                sub = [*parts, entry.name]
                yield "/".join(sub)
                if (unbounded or len(sub) < depth) and could_match(sub):
                    yield from walk(Path(entry.path), sub)

        yield from walk(self.root, [])

    def files(self, under: str = "") -> list[str]:
        """Every file below `under` (repository-relative, `/`-separated), `.git` left out."""
        if under not in self._files:
            found: list[str] = []
            top = self.root / under if under else self.root
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = sorted(d for d in dirnames if d != ".git")
                rel = os.path.relpath(dirpath, self.root)
                prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
                found.extend(prefix + name for name in sorted(filenames))
                # a symlink to a directory is a file to git (a link), not a directory to enter
                for d in list(dirnames):
                    if os.path.islink(os.path.join(dirpath, d)):
                        dirnames.remove(d)
                        found.append(prefix + d)
            if under and (self.root / under).is_file():
                found.append(under)
            self._files[under] = found
        return self._files[under]

    def matching_files(self, pattern: str) -> list[str]:
        """`git ls-files -- <pattern>`: raises globs.BadPattern for a pattern outside the repository. Only
        the directory the pattern's literal beginning names is walked."""
        spec = globs.normalize_pathspec(pattern)
        return [f for f in self.files(globs.literal_prefix(spec)) if globs.pathspec_match(spec, f)]


def _segments(pattern: str) -> list[re.Pattern[str]] | None:
    """The pattern's per-directory parts, to prune the walk; None when `\\` makes splitting on `/` unsafe."""
    if "\\" in pattern:
        return None
    try:
        return [globs.go_path_pattern(part) for part in pattern.split("/")]
    except globs.BadPattern:
        return None


def _has_file(directory: Path) -> bool:
    """Whether Git could hold this directory: a file (or link) somewhere below it."""
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != ".git":
                    stack.append(Path(entry.path))
            else:
                return True
    return False
