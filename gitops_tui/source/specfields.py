"""Fields shared by Argo CD Applications, Flux Kustomizations and `.gitops-tui.yaml` app entries.

Each parser takes the raw YAML value and either returns the model value or raises SpecError with the field
path in its message; callers add the file, line and app name.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from gitops_tui.model import IgnoreRule, RetryPolicy, SourceType
from gitops_tui.source.walk import find_kustomization


class SpecError(ValueError):
    pass


def text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise SpecError(f"{field} must be a string, not {type(value).__name__}")
    return str(value)


def flag(value: Any, field: str, default: bool = False) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise SpecError(f"{field} must be true or false, not {value!r}")


def strings(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list):
        raise SpecError(f"{field} must be a list of strings")
    return tuple(text(v, f"{field}[{i}]") for i, v in enumerate(value))


def mapping(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(f"{field} must be a mapping, not {type(value).__name__}")
    return value


def items(value: Any, field: str) -> list[Any]:
    """A list field (absent: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpecError(f"{field} must be a list")
    return value


def pairs(value: Any, field: str) -> tuple[tuple[str, str], ...]:
    """A map of strings (Helm parameters, Flux substitutions), as (key, value) pairs in their order."""
    return tuple((str(k), text(v, f"{field}.{k}")) for k, v in mapping(value, field).items())


def repo_path(value: Any, field: str) -> str:
    """A path inside the repository, posix, without "./" or a trailing slash; "." for the root."""
    raw = text(value, field).strip()
    norm = posixpath.normpath(raw) if raw else "."
    return norm.removeprefix("./") or "."


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def duration(value: Any, field: str) -> float:
    """Seconds from a Go duration ("5s", "1m30s", "500ms") or a bare number of seconds (Argo CD)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raw = text(value, field).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return float(raw)
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(raw):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if not raw or pos != len(raw):
        raise SpecError(f"{field}: invalid duration {raw!r} (expected e.g. 5s, 3m, 1h30m)")
    return total


def retry_policy(value: Any, field: str) -> RetryPolicy | None:
    """Argo CD's `retry: {limit, backoff: {duration, factor, maxDuration}}`; unset fields keep defaults."""
    if value is None:
        return None
    raw = mapping(value, field)
    base = RetryPolicy()
    backoff = mapping(raw.get("backoff"), f"{field}.backoff")
    limit = raw.get("limit", base.limit)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise SpecError(f"{field}.limit must be a whole number, not {limit!r}")
    factor = backoff.get("factor", base.factor)
    if isinstance(factor, bool) or not isinstance(factor, int | float):
        raise SpecError(f"{field}.backoff.factor must be a number, not {factor!r}")
    return RetryPolicy(
        limit=limit,
        backoff_seconds=duration(backoff.get("duration", base.backoff_seconds), f"{field}.backoff.duration"),
        factor=float(factor),
        max_backoff_seconds=duration(
            backoff.get("maxDuration", base.max_backoff_seconds), f"{field}.backoff.maxDuration"
        ),
    )


def ignore_rules(value: Any, field: str) -> tuple[IgnoreRule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise SpecError(f"{field} must be a list")
    rules = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        raw = mapping(item, where)
        rules.append(
            IgnoreRule(
                group=text(raw.get("group"), f"{where}.group"),
                kind=text(raw.get("kind"), f"{where}.kind"),
                name=text(raw.get("name"), f"{where}.name"),
                namespace=text(raw.get("namespace"), f"{where}.namespace"),
                json_pointers=strings(raw.get("jsonPointers"), f"{where}.jsonPointers"),
                jq_path_expressions=strings(raw.get("jqPathExpressions"), f"{where}.jqPathExpressions"),
                managed_fields_managers=strings(
                    raw.get("managedFieldsManagers"), f"{where}.managedFieldsManagers"
                ),
            )
        )
    return tuple(rules)


def detect_source_type(tree: Path, path: str) -> SourceType:
    """What Argo CD would detect in the directory: Kustomize wins over Helm, anything else is a directory.

    A path that does not exist is a directory app; rendering reports the missing path.
    """
    directory = tree / path if path != "." else tree
    if not directory.is_dir():
        return SourceType.DIRECTORY
    if find_kustomization(directory) is not None:
        return SourceType.KUSTOMIZE
    if (directory / "Chart.yaml").is_file():
        return SourceType.HELM
    return SourceType.DIRECTORY


def file_of(where: str) -> str:
    """The file of a "where": `apps/x.yaml:12`, or `apps/x.yaml (document 2, rendered by team/hr:web)`."""
    head = where.split(" (", 1)[0]
    file, colon, line = head.rpartition(":")
    return file if colon and line.isdigit() else head


def app_name_ok(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name)) and len(name) <= 253
