"""What a GitRepository's artifact leaves out, as source-controller builds it (fluxcd/pkg sourceignore):
its default exclusions (VCS files, images and archives, CI configuration, `.sops.yaml`...) and the
`.sourceignore` at the repository's root, gitignore syntax (later lines win, `!` re-includes, a leading or
inner "/" anchors to the root, a trailing "/" matches directories only, `**` any depth; nothing under an
excluded directory comes back). A Kustomization
built from that artifact sees neither: a generated kustomization does not list them, and a reference to
one fails as it fails in Flux.

Not read: `.sourceignore` files below the root and a GitRepository's `spec.ignore` (said in a note).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from gitops_tui.engine.globs import doublestar_match, path_match

IGNORE_FILE = ".sourceignore"
_DEFAULTS = (
    ".git/,.gitignore,.gitmodules,.gitattributes",
    "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip",
    ".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,cloudbuild.yaml,"
    "codeship-services.yml,codeship-steps.yml",
    "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml",
)


@dataclass(frozen=True)
class _Pattern:
    segments: tuple[str, ...]
    negate: bool
    dir_only: bool
    anchored: bool

    def matches(self, parts: list[str], is_dir: bool) -> bool:
        """Whether this very path matches (its directories are asked one by one by `ignored`)."""
        if self.dir_only and not is_dir:
            return False
        if self.anchored:
            return _segments(self.segments, parts)
        if len(self.segments) == 1:
            return bool(path_match(self.segments[0], parts[-1]))
        return any(_segments(self.segments, parts[i:]) for i in range(len(parts)))


def _segments(pattern: tuple[str, ...], parts: list[str]) -> bool:
    return doublestar_match("/".join(pattern), "/".join(parts))


def _parse(line: str) -> _Pattern | None:
    text = line.rstrip("\n").rstrip()
    if not text or text.startswith("#"):
        return None
    negate = text.startswith("!")
    text = text[1:] if negate else text
    dir_only = text.endswith("/")
    text = text.rstrip("/")
    anchored = text.startswith("/") or "/" in text
    text = text.lstrip("/")
    if not text:
        return None
    return _Pattern(tuple(text.split("/")), negate, dir_only, anchored)


@lru_cache(maxsize=64)
def _patterns(extra: str) -> tuple[_Pattern, ...]:
    lines = [p for group in _DEFAULTS for p in group.split(",")] + extra.splitlines()
    return tuple(p for p in (_parse(line) for line in lines) if p is not None)


class SourceIgnore:
    """The exclusions of one source root."""

    def __init__(self, root: Path) -> None:
        try:
            extra = (root / IGNORE_FILE).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            extra = ""
        self.patterns = _patterns(extra)

    def ignored(self, rel: str, is_dir: bool) -> bool:
        parts = [p for p in rel.split("/") if p and p != "."]
        if not parts:
            return False
        # As git: a path under an excluded directory stays excluded; otherwise its last matching line decides.
        for end in range(1, len(parts) + 1):
            if self._decide(parts[:end], is_dir if end == len(parts) else True):
                return True
        return False

    def _decide(self, parts: list[str], is_dir: bool) -> bool:
        for pattern in reversed(self.patterns):
            if pattern.matches(parts, is_dir):
                return not pattern.negate
        return False
