"""The few Lua semantics that Argo CD's bundled health scripts (CronJob, Rollout) depend on.

The scripts read the object as Lua tables: any field may be nil, `tonumber` turns numeric strings into
numbers, comparing a number with anything else is a runtime error (Argo then reports Unknown), and the
script's status must be one Argo knows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gitops_tui.engine.health.convert import HealthCheckError
from gitops_tui.model import HealthResult, HealthStatus

_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_HEX = re.compile(r"[+-]?0[xX][0-9a-fA-F]+")

# What Argo CD answers when a script returns a status it does not know.
INVALID_STATUS = "Lua returned an invalid health status"

_STATUSES = {
    s.value: s
    for s in (
        HealthStatus.HEALTHY,
        HealthStatus.PROGRESSING,
        HealthStatus.SUSPENDED,
        HealthStatus.DEGRADED,
        HealthStatus.MISSING,
        HealthStatus.UNKNOWN,
    )
}


def index(table: Any, key: str, where: str = "object") -> Any:
    """`table[key]`: indexing anything but a table is the script's runtime error."""
    if not isinstance(table, Mapping):
        raise HealthCheckError(
            f"health script error: attempt to index {key!r} of {where}, which is not a table"
        )
    return table.get(key)


def field(table: Any, path: str) -> Any:
    """`a.b.c` on Lua tables: a missing field is nil, but going further into nil is a runtime error."""
    node = table
    walked: list[str] = []
    for key in path.split("."):
        node = index(node, key, ".".join(walked) or "object")
        walked.append(key)
    return node


def tonumber(value: Any) -> float | None:
    """Lua's `tonumber`: numbers and decimal or hex numerals; nil for anything else (never an error)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.fullmatch(text):
            return float(text)
        if _HEX.fullmatch(text):
            return float(int(text, 16))
    return None


def number(value: Any, path: str) -> float:
    """A value used in arithmetic comparison: must be a number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HealthCheckError(f"health script error: attempt to compare {path}, which is not a number")
    return float(value)


def length(value: Any, path: str) -> int:
    """`table.getn` / `#`: a list's length; anything else is a runtime error."""
    if isinstance(value, list):
        return len(value)
    raise HealthCheckError(f"health script error: {path} is not a list")


def ipairs(value: Any, path: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise HealthCheckError(f"health script error: {path} is not a list")


def truthy(value: Any) -> bool:
    return value is not None and value is not False


def script_result(status: Any, message: Any) -> HealthResult:
    if not isinstance(status, str) or status not in _STATUSES:
        return HealthResult(HealthStatus.UNKNOWN, INVALID_STATUS)
    return HealthResult(_STATUSES[status], message if isinstance(message, str) else "")
