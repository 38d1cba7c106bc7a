"""What an adopt will do: which files change and how, in words an operator reads before confirming."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gitops_tui.model import DriftField, GitopsError, ResourceKey
from gitops_tui.source.adopt.fieldpath import display, steps_of

_MAX_VALUE = 60


class AdoptRefused(GitopsError):
    """Why live values cannot (or must not) be written into Git."""


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the repository root, posix
    before: str  # "" for a new file
    after: str


@dataclass(frozen=True)
class AdoptPlan:
    app: str
    key: ResourceKey
    fields: tuple[DriftField, ...]
    changes: tuple[FileChange, ...]
    summary: tuple[str, ...]  # "web/deployment.yaml: spec.replicas 2 → 5"


def field_name(drift: DriftField) -> str:
    return display(steps_of(drift))


def show(value: Any) -> str:
    """A value short enough for one summary line."""
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    first, _, more = text.partition("\n")
    if more:
        first += " …"
    return first if len(first) <= _MAX_VALUE else first[: _MAX_VALUE - 1] + "…"


def summary_line(file: str, what: str, before: Any, after: Any) -> str:
    return f"{file}: {what} {show(before)} → {show(after)}"


def read_text(root: Path, rel: str) -> str:
    """A file's exact text (line endings and BOM kept); "" when it does not exist."""
    path = root / rel
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError:
        raise AdoptRefused(f"{rel} is not UTF-8 text") from None
    except OSError as exc:
        raise AdoptRefused(f"{rel}: {exc.strerror or exc}") from None
