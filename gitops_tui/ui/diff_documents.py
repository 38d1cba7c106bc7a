"""A resource's detail (Git, dry run, live) as the document the diff view compares, with who changed what.

Git is shown as the server would store it when a dry run is available (defaults filled in, so only real
drift differs), else as rendered. Secret values arrive already masked from the workspace.
"""

from __future__ import annotations

from collections import defaultdict

from gitops_tui.model import DiffMode, ResourceDetail, SyncStatus
from gitops_tui.ui.cells import describe_drift
from gitops_tui.ui.widgets.diff_layout import DiffDocument
from gitops_tui.ui.yaml_text import pointer_lines, to_yaml

_SYNC_NOTES = {
    SyncStatus.MISSING: "in Git but not live: a sync would create it",
    SyncStatus.REQUIRES_PRUNING: "live but no longer in Git: a sync with prune would delete it",
}


def resource_document(detail: ResourceDetail, now: float) -> DiffDocument:
    status = detail.status
    left_object = detail.predicted if detail.predicted is not None else detail.git
    left, right = to_yaml(left_object), to_yaml(detail.live)
    paths = [d.path for d in status.drift]
    on_right = pointer_lines(right, paths)
    on_left = pointer_lines(left, [p for p in paths if p not in on_right])
    annotations: dict[int, list[str]] = defaultdict(list)
    left_annotations: dict[int, list[str]] = defaultdict(list)
    for drift in status.drift:
        if drift.path in on_right:
            annotations[on_right[drift.path]].append(describe_drift(drift, now))
        elif drift.path in on_left:
            left_annotations[on_left[drift.path]].append(describe_drift(drift, now))
    mode = "dry run" if detail.predicted is not None else str(status.mode)
    if status.mode is DiffMode.CLIENT_SIDE and detail.predicted is None:
        mode = "client-side"
    title = f"{detail.key.display()}  ·  {status.sync}  ·  {mode}"
    notes = [n for n in (_SYNC_NOTES.get(status.sync, ""), status.note) if n]
    if status.needs_replace:
        notes.append("the server refuses to merge this change: a sync must replace the object")
    return DiffDocument(
        title=title,
        left=left,
        right=right,
        annotations={line: "; ".join(texts) for line, texts in annotations.items()},
        left_annotations={line: "; ".join(texts) for line, texts in left_annotations.items()},
        note=" · ".join(notes),
        error=status.error if not left and not right else "",
    )


def error_document(title: str, message: str) -> DiffDocument:
    return DiffDocument(title=title, left="", right="", error=message)
