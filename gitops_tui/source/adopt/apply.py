"""Writing a planned adopt (and putting the files back), and the message it is committed with.

`apply_adopt` writes exactly the planned texts, and only if no file changed on disk since planning: the
operator may be editing the same files, and their work must never be overwritten.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from gitops_tui.source.adopt.plan import AdoptPlan, AdoptRefused, field_name, read_text

_MAX_SUBJECT = 100


def _write(path: Path, text: str) -> None:
    """Replace the file in one step, so that a reader (the reconcile loop) never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(text.encode("utf-8"))
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_unchanged(root: Path, expected: Sequence[tuple[str, str]]) -> None:
    """Every file still reads `text` ("" meaning: does not exist)."""
    for rel, text in expected:
        changed = (root / rel).exists() if text == "" else read_text(root, rel) != text
        if changed:
            raise AdoptRefused(f"{rel}: file changed since the adopt was planned; plan it again")


def apply_adopt(root: Path, plan: AdoptPlan) -> list[str]:
    """Write the planned texts; the paths written (relative to the root). Nothing is written unless
    every file still reads as it did when planned (AdoptRefused "file changed since…")."""
    root = Path(root)
    _check_unchanged(root, [(c.path, c.before) for c in plan.changes])
    try:
        for change in plan.changes:
            _write(root / change.path, change.after)
    except OSError as exc:
        raise AdoptRefused(f"cannot write {exc.filename or 'a file'}: {exc.strerror or exc}") from None
    return [c.path for c in plan.changes]


def undo_adopt(root: Path, plan: AdoptPlan) -> list[str]:
    """Put back what `apply_adopt` replaced (a failed verification); files added are removed. Refuses if
    a file changed after it was written."""
    root = Path(root)
    _check_unchanged(root, [(c.path, c.after) for c in plan.changes])
    for change in plan.changes:
        if change.before == "":
            (root / change.path).unlink(missing_ok=True)
        else:
            _write(root / change.path, change.before)
    return [c.path for c in plan.changes]


def adopt_message(plan: AdoptPlan, reason: str) -> str:
    """`adopt: Deployment/web spec.replicas, …`, a blank line, then the operator's reason."""
    names = [field_name(f) for f in plan.fields]
    subject = f"adopt: {plan.key.kind}/{plan.key.name} " + ", ".join(names)
    if len(subject) > _MAX_SUBJECT and len(names) > 1:
        subject = f"adopt: {plan.key.kind}/{plan.key.name} {names[0]} and {len(names) - 1} more fields"
    body = reason.strip()
    return f"{subject}\n\n{body}\n" if body else f"{subject}\n"
