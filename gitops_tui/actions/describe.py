"""Plans and results in plain lines of text: what the CLI prints and what a confirm dialog can show.
Values are never shown for Secrets (drift values are already masked by the engine)."""

from __future__ import annotations

import json
import time
from typing import Any

from gitops_tui.actions.adopt import AdoptResult
from gitops_tui.actions.revert import RevertPlan, RevertResult
from gitops_tui.actions.sync import ChangeResult, SyncResult
from gitops_tui.engine.syncoptions import CREATE_NAMESPACE, kind_rank
from gitops_tui.engine.syncplan import PHASE_ORDER, PlannedChange, SyncPlan
from gitops_tui.model import Commit, HookStatus
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
    if plan.hooks:
        head += f"; {len(plan.hooks)} hook(s) not run by gitops-tui"
    lines = [head]
    lines.extend(f"  {note}" for note in plan.notes)
    groups = _groups(plan)
    # Wave headers once there is more than one step to tell apart (or hooks to place among them).
    headed = len(groups) > 1 or bool(plan.hooks)
    for (phase, wave), items in groups.items():
        if headed:
            lines.append(f"  [{phase} wave {wave}]" if phase else "  [first of all]")
        for item in items:
            if isinstance(item, PlannedChange):
                lines.extend(change_lines(item, show_wave=not headed))
            else:
                lines.append(hook_line(item, phase))
    reasons = dict(zip(plan.skipped_prunes, plan.skip_reasons, strict=False))
    for key in plan.skipped_prunes:
        lines.append(f"  skip     {key.display():<{_WIDTH}} not in Git ({reasons.get(key) or 'not pruned'})")
    if plan.blocked_reason:
        lines.append(f"  blocked: {plan.blocked_reason}")
    return lines


def _groups(plan: SyncPlan) -> dict[tuple[str, int], list[PlannedChange | HookStatus]]:
    """Changes and hooks by (phase, wave) in run order; the hooks among the changes by kind and name."""
    groups: dict[tuple[str, int], list[PlannedChange | HookStatus]] = {}
    for change in plan.changes:
        # The namespace CreateNamespace makes comes before everything (Argo CD creates it first of all).
        where = ("", 0) if CREATE_NAMESPACE in change.options else (change.phase, change.wave)
        groups.setdefault(where, []).append(change)
    for hook in plan.hooks:
        for phase in hook.phases:
            if phase in PHASE_ORDER:
                groups.setdefault((phase, hook.wave), []).append(hook)
    ordered = sorted(groups.items(), key=lambda item: (PHASE_ORDER.get(item[0][0], -9), item[0][1]))
    return {where: _by_kind(items) for where, items in ordered}


def _by_kind(items: list[PlannedChange | HookStatus]) -> list[PlannedChange | HookStatus]:
    hooks = [i for i in items if isinstance(i, HookStatus)]
    if not hooks:  # the plan's own order (prunes first, Namespaces moved up) stands
        return items

    def order(item: PlannedChange | HookStatus) -> tuple[int, int, str]:
        if isinstance(item, HookStatus):
            return 1, kind_rank(item.key.kind), item.name
        return (0 if item.action == "prune" else 1), kind_rank(item.key.kind), item.key.name

    return sorted(items, key=order)


def hook_line(hook: HookStatus, phase: str) -> str:
    when = " (Argo CD runs it only when a sync fails)" if phase == "SyncFail" else ""
    return f"  hook     {phase} {hook.display()}: not run by gitops-tui{when}"


_OPTION_TEXT = {
    "ServerSideApply=true": "applied server-side, as every gitops-tui apply",
    "ServerSideApply=false": "gitops-tui applies server-side all the same",
    "Validate=false": "gitops-tui never asks the server for strict field validation",
    "SkipDryRunOnMissingResource=true": "gitops-tui applies without a separate dry run first",
    "CreateNamespace=true": "the destination namespace is missing: created first (not tracked, never pruned)",
    "Prune=confirm": "confirmed by asking for the prune",
    "Delete=confirm": "confirmed by asking for the prune",
    "PruneLast=true": "pruned after the last wave",
}


def _option_line(change: PlannedChange, option: str) -> str:
    if option == "Replace=true":
        text = "created (POST), not applied" if change.action == "create" else "replaced (PUT), not applied"
        if change.recreate:
            return ""  # said by Force=true
    elif option == "Force=true":
        if change.recreate:
            text = "deleted, then created again"
        elif "Delete=false" in change.options:
            text = "not honoured: the object is marked Delete=false, and gitops-tui never deletes it"
        else:
            text = "would recreate it if a change could not be made in place; none here"
    elif option == "Delete=false":
        return ""  # said by Force=true
    else:
        text = _OPTION_TEXT.get(option, "")
    return f"      {option}: {text}" if text else ""


def change_lines(change: PlannedChange, *, show_wave: bool = True) -> list[str]:
    wave = f"  wave {change.wave}" if change.wave and show_wave else ""
    action = change.action
    if change.recreate:
        action = "recreate"
    elif change.replace and action == "update":
        action = "replace"
    lines = [f"  {action:<8} {change.key.display():<{_WIDTH}}{wave}".rstrip()]
    lines.extend(line for line in (_option_line(change, o) for o in change.options) if line)
    for d in change.drift:
        lines.append(f"      {d.path}: live {_short(d.live)} → git {_short(d.git)}")
    for t in change.taken_over:
        lines.append(f"      takes over {t.path} from {t.manager}")
    if not change.recreate:
        for path in change.immutable:
            how = "in place, not even by a replace" if change.replace else "in place"
            lines.append(f"      WILL FAIL: {path} cannot be changed {how} (the object must be recreated)")
        if change.needs_replace and not change.immutable and not change.replace:
            lines.append(
                "      WILL FAIL: the server refuses this change in place (the object must be replaced)"
            )
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
        "madeBy": commit.made_by or None,
        "imagePolicies": list(commit.image_policies),
    }


def history_lines(commits: list[Commit], now: float | None = None) -> list[str]:
    width = max((len(c.author) for c in commits), default=6)
    return [
        f"{c.short}  {c.author:<{width}}  {age(c.timestamp, now):>8}  {_commit_labels(c)}{c.summary}"
        for c in commits
    ]


def _commit_labels(commit: Commit) -> str:
    """`[Renovate] `, `[Flux image automation: flux-system:podinfo] `: who made it, which policies."""
    parts = [p for p in (commit.made_by, ", ".join(commit.image_policies)) if p]
    if commit.made_by and commit.image_policies:
        return f"[{commit.made_by}: {', '.join(commit.image_policies)}] "
    return f"[{' '.join(parts)}] " if parts else ""


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
