"""Plans and results in plain lines of text: what the CLI prints and what a confirm dialog can show.
Values are never shown for Secrets (drift values are already masked by the engine)."""

from __future__ import annotations

import json
import time
from typing import Any

from gitops_tui.actions.adopt import AdoptResult
from gitops_tui.actions.revert import RevertPlan, RevertResult
from gitops_tui.actions.sync import ChangeResult, SyncResult
from gitops_tui.engine.syncplan import PlannedChange, SyncPlan
from gitops_tui.model import Commit
from gitops_tui.source.adopt import AdoptPlan

_WIDTH = 50


def _short(value: Any, width: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def plan_lines(plan: SyncPlan) -> list[str]:
    head = (
        f"sync {plan.app}: {plan.count('create')} to create, {plan.count('update')} to update, "
        f"{plan.count('prune')} to prune"
    )
    lines = [head]
    for change in plan.changes:
        lines.extend(change_lines(change))
    for key in plan.skipped_prunes:
        lines.append(f"  skip     {key.display():<{_WIDTH}} not in Git (prune not asked for or disabled)")
    if plan.blocked_reason:
        lines.append(f"  blocked: {plan.blocked_reason}")
    return lines


def change_lines(change: PlannedChange) -> list[str]:
    wave = f"  wave {change.wave}" if change.wave else ""
    lines = [f"  {change.action:<8} {change.key.display():<{_WIDTH}}{wave}".rstrip()]
    for d in change.drift:
        lines.append(f"      {d.path}: live {_short(d.live)} → git {_short(d.git)}")
    for t in change.taken_over:
        lines.append(f"      takes over {t.path} from {t.manager}")
    for path in change.immutable:
        lines.append(f"      WILL FAIL: {path} cannot be changed in place (the object must be replaced)")
    if change.needs_replace and not change.immutable:
        lines.append("      WILL FAIL: the server refuses this change in place (the object must be replaced)")
    return lines


def result_line(result: ChangeResult) -> str:
    mark = "ok    " if result.ok else "FAILED"
    return f"  {mark} {result.action:<8} {result.key.display():<{_WIDTH}} {result.message}".rstrip()


def sync_summary(result: SyncResult) -> str:
    pruned = sum(1 for r in result.applied if r.action == "prune")
    applied = len(result.applied) - pruned
    verb = "would apply" if result.dry_run else "applied"
    text = f"{result.app}: {applied} {verb}"
    if pruned:  # a prune deletes: say so, never count it as "applied"
        text += f", {pruned} {'would be deleted' if result.dry_run else 'deleted'}"
    text += f", {len(result.failed)} failed"
    return text + (f"; {result.aborted}" if result.aborted else "")


def age(timestamp: float, now: float | None = None) -> str:
    seconds = max(0, int((now if now is not None else time.time()) - timestamp))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def commit_json(commit: Commit, now: float | None = None) -> dict[str, Any]:
    return {
        "sha": commit.sha,
        "short": commit.short,
        "author": commit.author,
        "email": commit.email,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(commit.timestamp)),
        "age": age(commit.timestamp, now),
        "summary": commit.summary,
        "message": commit.message,
        "files": list(commit.files),
    }


def history_lines(commits: list[Commit], now: float | None = None) -> list[str]:
    width = max((len(c.author) for c in commits), default=6)
    return [f"{c.short}  {c.author:<{width}}  {age(c.timestamp, now):>8}  {c.summary}" for c in commits]


def revert_plan_lines(plan: RevertPlan) -> list[str]:
    c = plan.commit
    lines = [f"revert {c.short} {c.summary!r} by {c.author} ({age(c.timestamp)})"]
    lines.append("files: " + (", ".join(plan.files) or "none"))
    if plan.conflicts:
        lines.append("the revert's effect cannot be shown: it conflicts with later changes")
    elif not plan.apps:
        lines.append("no app renders differently after this revert")
    for effect in plan.apps:
        if effect.error:
            lines.append(f"app {effect.app}: {effect.error}")
            continue
        if effect.gone:
            lines.append(
                f"app {effect.app}: no longer declared in Git after the revert; not synced, and its "
                f"{len(effect.changes)} live object(s) stay until deleted by hand"
            )
            continue
        counts = {
            a: sum(1 for ch in effect.changes if ch.action == a) for a in ("create", "update", "delete")
        }
        lines.append(
            f"app {effect.app}: {counts['create']} created, {counts['update']} changed, "
            f"{counts['delete']} removed in Git"
        )
        for change in effect.changes:
            lines.extend(change.diff.rstrip("\n").splitlines())
    if plan.blocked_reason:
        lines.append(f"refused: {plan.blocked_reason}")
    return lines


def revert_result_lines(result: RevertResult) -> list[str]:
    lines = [f"reverted {result.reverted.short} as {result.sha[:7]}"]
    if result.pushed:
        lines.append("pushed")
    for sync in result.syncs:
        lines.extend(result_line(r) for r in sync.results)
        lines.append(sync_summary(sync))
    for app, health in result.health.items():
        lines.append(f"{app}: {health}")
    lines.extend(f"sync not run: {e}" for e in result.sync_errors)
    return lines


def adopt_plan_lines(plan: AdoptPlan) -> list[str]:
    lines = [f"adopt into Git: {plan.key.display()} ({plan.app})"]
    lines.extend(f"  {s}" for s in plan.summary)
    lines.append("files: " + ", ".join(c.path for c in plan.changes))
    return lines


def adopt_result_lines(result: AdoptResult) -> list[str]:
    subject = result.message.splitlines()[0]
    lines = [f"committed {result.sha[:7]} {subject}", f"{result.plan.key.display()}: {result.sync}"]
    if result.pushed:
        lines.append("pushed")
    return lines
