"""How model values look in tables and headers: status colours and glyphs, ages, counts."""

from __future__ import annotations

import math
import time
from datetime import datetime

from rich.text import Text

from gitops_tui.model import DriftField, HealthStatus, SyncStatus

# Worst first: sorting a column by these ranks puts what needs attention at the top.
SYNC_RANK = {
    SyncStatus.UNKNOWN: 0,
    SyncStatus.MISSING: 1,
    SyncStatus.OUT_OF_SYNC: 2,
    SyncStatus.REQUIRES_PRUNING: 3,
    SyncStatus.SYNCED: 4,
}
HEALTH_RANK = {
    HealthStatus.UNKNOWN: 0,
    HealthStatus.DEGRADED: 1,
    HealthStatus.MISSING: 2,
    HealthStatus.PROGRESSING: 3,
    HealthStatus.SUSPENDED: 4,
    HealthStatus.HEALTHY: 5,
    HealthStatus.NONE: 6,
}

_SYNC = {
    SyncStatus.SYNCED: ("✓", "green"),
    SyncStatus.OUT_OF_SYNC: ("≠", "bold yellow"),
    SyncStatus.MISSING: ("∅", "bold red"),
    SyncStatus.REQUIRES_PRUNING: ("⊖", "bold magenta"),
    SyncStatus.UNKNOWN: ("?", "red"),
}
_HEALTH = {
    HealthStatus.HEALTHY: ("●", "green"),
    HealthStatus.PROGRESSING: ("◐", "cyan"),
    HealthStatus.SUSPENDED: ("‖", "blue"),
    HealthStatus.MISSING: ("∅", "yellow"),
    HealthStatus.DEGRADED: ("✗", "bold red"),
    HealthStatus.UNKNOWN: ("?", "red"),
}


def sync_text(sync: SyncStatus) -> Text:
    glyph, style = _SYNC.get(sync, ("?", ""))
    return Text(f"{glyph} {sync}", style=style)


def health_text(health: HealthStatus) -> Text:
    if health is HealthStatus.NONE:
        return Text("—", style="dim")
    glyph, style = _HEALTH.get(health, ("?", ""))
    return Text(f"{glyph} {health}", style=style)


def duration(seconds: float) -> str:
    """Compact age as k9s shows it: 42s, 5m, 3h, 2d."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def time_left(seconds: float) -> str:
    """A countdown, never rounded down to less than is left: 2m, 1m59s, 45s, 3h."""
    seconds = max(0, math.ceil(seconds))
    if seconds >= 3600:
        return f"{math.ceil(seconds / 3600)}h"
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest}s"
    return f"{minutes}m{rest:02d}s" if rest else f"{minutes}m"


def parse_time(stamp: str | None) -> float | None:
    """Seconds since the epoch of an RFC 3339 time as found in managedFields, None if absent or invalid."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def ago(stamp: str | None, now: float | None = None) -> str:
    when = parse_time(stamp)
    if when is None:
        return ""
    return duration((time.time() if now is None else now) - when) + " ago"


def count_text(drifted: int, total: int) -> Text:
    return Text(f"{drifted}/{total}", style="bold yellow" if drifted else "green")


def clipped(message: str, width: int, style: str = "") -> Text:
    """One line of at most `width` characters (whitespace folded, an ellipsis where cut)."""
    flat = " ".join(message.split())
    if len(flat) > width:
        flat = flat[: width - 1] + "…"
    return Text(flat, style=style)


def error_text(message: str, width: int = 80) -> Text:
    return clipped(message, width, "red")


def describe_drift(field: DriftField, now: float) -> str:
    """`/spec/replicas ← kubectl-set, 5m ago`: who last set the live value of a drifted field. The API server
    records no time for some writes (a `kubectl scale` through the scale subresource): then say so."""
    if not field.manager:
        return f"{field.path} (manager unknown)"
    when = ago(field.time, now) or "no time recorded"
    return f"{field.path} ← {field.manager}, {when}"
