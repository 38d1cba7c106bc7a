"""What a GitRepository's artifact leaves out, as source-controller builds it (fluxcd/pkg sourceignore):
its default exclusions (VCS files, images and archives, CI configuration, `.sops.yaml`...) and the
`.sourceignore` at the repository's root, gitignore syntax (later lines win, `!` re-includes, a leading or
inner "/" anchors to the root, a trailing "/" matches directories only, `**` any depth). A Kustomization
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
        """Whether the path, or a directory above it, matches."""
        for end in range(1, len(parts) + 1):
            if self.dir_only and end == len(parts) and not is_dir:
                continue
            head = parts[:end]
            if self.anchored:
                if _segments(self.segments, head):
                    return True
            elif len(self.segments) == 1:
                if path_match(self.segments[0], head[-1]):
                    return True
            elif any(_segments(self.segments, head[i:]) for i in range(len(head))):
                return True
        return False


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
        for pattern in reversed(self.patterns):
            if pattern.matches(parts, is_dir):
                return not pattern.negate
        return False
