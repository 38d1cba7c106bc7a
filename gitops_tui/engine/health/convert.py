"""Reading decoded objects the way Argo CD's health checks do.

Argo CD converts an object to its typed Go struct before judging it: an absent field reads as its zero value
(0, "", false, empty list), and a field of the wrong type makes the conversion fail, which Argo reports as
Unknown with the error. These readers do the same, raising `HealthCheckError` where Go or Lua would fail,
so a malformed object is Unknown and never gets a guessed health.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any


class HealthCheckError(Exception):
    """The object cannot be assessed; Argo reports Unknown with this message."""


def _walk(obj: Mapping[str, Any], path: str) -> Any:
    node: Any = obj
    seen: list[str] = []
    for key in path.split("."):
        if node is None:
            return None
        if not isinstance(node, Mapping):
            raise HealthCheckError(f"{'.'.join(seen)} is {_type_name(node)}, not an object")
        node = node.get(key)
        seen.append(key)
    return node


def _type_name(value: Any) -> str:
    return "a list" if isinstance(value, list) else f"a {type(value).__name__}"


def mapping(obj: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    value = _walk(obj, path)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise HealthCheckError(f"{path} is {_type_name(value)}, not an object")
    return value


def items(obj: Mapping[str, Any], path: str) -> list[Mapping[str, Any]]:
    """A list of objects (conditions, container statuses); absent is empty."""
    value = _walk(obj, path)
    if value is None:
        return []
    if not isinstance(value, list):
        raise HealthCheckError(f"{path} is {_type_name(value)}, not a list")
    for entry in value:
        if not isinstance(entry, Mapping):
            raise HealthCheckError(f"an entry of {path} is {_type_name(entry)}, not an object")
    return value


def string(obj: Mapping[str, Any], path: str) -> str:
    value = _walk(obj, path)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise HealthCheckError(f"{path} is {_type_name(value)}, not a string")
    return value


def optional_int(obj: Mapping[str, Any], path: str) -> int | None:
    """An integer field that Go holds as a pointer (spec.replicas): absent stays absent."""
    value = _walk(obj, path)
    if value is None:
        return None
    # bool is an int in Python but never a number in JSON.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise HealthCheckError(f"{path} is {_type_name(value)}, not an integer")
    if isinstance(value, float) and not value.is_integer():
        raise HealthCheckError(f"{path} is {value}, not an integer")
    return int(value)


def integer(obj: Mapping[str, Any], path: str) -> int:
    value = optional_int(obj, path)
    return 0 if value is None else value


def boolean(obj: Mapping[str, Any], path: str) -> bool:
    value = _walk(obj, path)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise HealthCheckError(f"{path} is {_type_name(value)}, not a boolean")
    return value


def annotations_of(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(obj, "metadata.annotations")


def api_group_version(obj: Mapping[str, Any]) -> tuple[str, str]:
    api_version = str(obj.get("apiVersion") or "")
    group, _, version = api_version.rpartition("/")
    return group, version


def unsupported(obj: Mapping[str, Any]) -> HealthCheckError:
    """Argo's checks accept only the API versions they have a Go type for."""
    group, version = api_group_version(obj)
    kind = str(obj.get("kind") or "")
    return HealthCheckError(f"unsupported {kind} GVK: {group}/{version}, Kind={kind}")


def go_quote(text: str) -> str:
    """Go's %q, which Argo uses for names in its messages."""
    return json.dumps(text, ensure_ascii=False)


def timestamp(value: Any, path: str) -> str | None:
    """An RFC 3339 timestamp as the API server writes it. YAML loaders may already have turned it into a
    datetime; it is written back in the server's form so that comparisons behave as on the raw string."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment: dt.datetime = value
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not isinstance(value, str):
        raise HealthCheckError(f"{path} is {_type_name(value)}, not a timestamp")
    return value
