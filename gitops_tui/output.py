"""Text and JSON renderings of reconcile results for the command line (DESIGN §3)."""

from __future__ import annotations

import difflib
import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

import yaml

from gitops_tui.engine.hooks import PHASE_RANK
from gitops_tui.engine.status import ignored_extraneous
from gitops_tui.model import AppStatus, HookStatus, ResourceDetail, ResourceStatus, SyncStatus


def _json_safe(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def resource_json(res: ResourceStatus) -> dict[str, Any]:
    return {
        "group": res.key.group,
        "version": res.version.rpartition("/")[2],
        "kind": res.key.kind,
        "namespace": res.key.namespace,
        "name": res.key.name,
        "sync": str(res.sync),
        "health": "" if res.health == "NONE" else str(res.health),
        "drift": [
            {
                "path": d.path,
                "git": _json_safe(d.git),
                "live": _json_safe(d.live),
                "manager": d.manager,
                "time": d.time,
            }
            for d in res.drift
        ],
        **({"note": res.note} if res.note else {}),
        **({"error": res.error} if res.error else {}),
        **({"needsReplace": True} if res.needs_replace else {}),
        **({"syncOptions": list(res.sync_options)} if res.sync_options else {}),
        **({"compareOptions": list(res.compare_options)} if res.compare_options else {}),
    }


def hook_json(hook: HookStatus) -> dict[str, Any]:
    """A hook as `status --json` lists it: apart from the resources, never drift."""
    return {
        "phases": list(hook.phases),
        "group": hook.key.group,
        "version": hook.version.rpartition("/")[2],
        "kind": hook.key.kind,
        "namespace": hook.key.namespace,
        "name": hook.key.name,
        "generateName": hook.generate_name,
        "wave": hook.wave,
        "deletePolicies": list(hook.delete_policies),
        "inGit": hook.in_git,
        "live": (
            {
                "name": hook.live_name,
                "health": "" if hook.health == "NONE" else str(hook.health),
                "message": hook.health_message,
            }
            if hook.live_name
            else None
        ),
        **({"note": hook.note} if hook.note else {}),
    }


def status_json(apps: Sequence[AppStatus]) -> str:
    doc = {
        "apps": [
            {
                "name": a.app.name,
                "id": a.app.id,
                "kind": a.app.kind,
                "cluster": a.app.cluster,
                "appNamespace": a.app.home,
                "parent": a.app.parent or None,
                "dependsOn": list(a.app.depends_on),  # ids of the Flux Kustomizations it waits for
                "suspended": a.app.suspended,
                "path": a.app.path,
                "context": a.context,
                "namespace": a.app.namespace,
                "sync": str(a.sync),
                "health": str(a.health),
                "error": a.error,
                "revision": a.revision,
                "dirty": a.dirty,  # uncommitted changes in what the app is built from
                "notes": list(a.notes),
                "resources": [resource_json(r) for r in a.resources],
                "hooks": [hook_json(h) for h in a.hooks],
            }
            for a in apps
        ]
    }
    return json.dumps(doc, indent=2, sort_keys=False)


def _phase_rank(phase: str) -> int:
    return PHASE_RANK.get(phase, len(PHASE_RANK))


def _short(value: Any, width: int = 40) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def age(ts: str | None, now: float | None = None) -> str:
    if not ts:
        return ""
    try:
        then = time.mktime(time.strptime(ts, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
    except ValueError:
        return ts
    seconds = max(0, int((now or time.time()) - then))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def status_text(apps: Sequence[AppStatus], *, verbose: bool = True) -> str:
    rows = [("APP", "SYNC", "HEALTH", "DRIFTED", "REVISION", "CONTEXT")]
    for a in apps:
        total = len(a.resources)
        rev = a.revision + ("+dirty" if a.dirty else "")
        rows.append((a.app.id, str(a.sync), str(a.health), f"{a.drifted}/{total}", rev, a.context))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    if verbose:
        for a in apps:
            if a.error:
                lines.append(f"\n{a.app.id}: error: {a.error}")
            if a.hooks:
                phases = sorted({h.phases[0] if h.phases else "ignored" for h in a.hooks}, key=_phase_rank)
                lines.append(
                    f"\n{a.app.id}: {len(a.hooks)} hook(s) ({', '.join(phases)}): not drift, not run here"
                )
            drifted = [r for r in a.resources if r.sync is not SyncStatus.SYNCED]
            if not drifted:
                continue
            lines.append(f"\n{a.app.id}:")
            for r in drifted:
                why = (
                    r.error
                    or r.note
                    or ("IgnoreExtraneous: the app stays Synced" if ignored_extraneous(r) else "")
                )
                lines.append(f"  {r.key.display():<50} {r.sync}" + (f"  ({why})" if why else ""))
                for d in r.drift:
                    who = f"  by {d.manager}" + (f" {age(d.time)}" if d.time else "") if d.manager else ""
                    lines.append(f"    {d.path}: git={_short(d.git)} live={_short(d.live)}{who}")
    return "\n".join(lines) + "\n"


# libyaml's emitter: the pure-Python one took 50 s to print a 10 MB ConfigMap.
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _yaml(obj: Any) -> list[str]:
    if obj is None:
        return []
    text = yaml.dump(obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000)
    return text.splitlines(keepends=True)


def unified_diff(detail: ResourceDetail) -> str:
    """Git (as the server would store it, when predicted) against live; secrets are already masked."""
    git = detail.predicted if detail.predicted is not None else detail.git
    name = detail.key.display()
    if detail.status.sync is SyncStatus.UNKNOWN:
        # Live state could not be read: a diff against nothing would claim every line was deleted.
        return f"# {name}: Unknown ({detail.status.error or detail.status.note or 'not compared'})\n"
    lines = list(
        difflib.unified_diff(
            _yaml(git), _yaml(detail.live), fromfile=f"git/{name}", tofile=f"live/{name}", n=3
        )
    )
    header = [f"# {name}: {detail.status.sync}"]
    if detail.status.note:
        header.append(f"# note: {detail.status.note}")
    for d in detail.status.drift:
        who = f" (live value set by {d.manager}{' ' + age(d.time) if d.time else ''})" if d.manager else ""
        header.append(f"# drift {d.path}{who}")
    return (
        "\n".join(header) + "\n" + "".join(lines) + ("\n" if lines and not lines[-1].endswith("\n") else "")
    )


def diff_json(app: AppStatus, resources: Iterable[ResourceStatus]) -> str:
    return json.dumps(
        {"app": app.app.id, "sync": str(app.sync), "resources": [resource_json(r) for r in resources]},
        indent=2,
    )
