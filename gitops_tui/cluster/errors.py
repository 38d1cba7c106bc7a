"""Typed cluster errors with one-line human messages, and the mapping from whatever the HTTP stack raised.

Everything that leaves `cluster/` as an error is a `ClusterError`: the UI shows `.message` as is, and code
that needs to decide (retry? fall back to a client-side diff? refuse to prune?) looks at the class or
`.status`, never at message text.
"""

from __future__ import annotations

import json
import socket
import ssl
from dataclasses import dataclass
from typing import Any

import urllib3.exceptions as u3

from gitops_tui.engine.conflicts import parse_conflict
from gitops_tui.model import GitopsError, TakenOverField


class ClusterError(GitopsError):
    """Base of every error from the live side. `status` is the HTTP status when the server answered."""

    status: int | None = None

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(_one_line(message))
        if status is not None:
            self.status = status


class ClusterUnreachable(ClusterError):
    """No answer at all: connection refused, DNS, TLS handshake, reset."""


class ClusterTimeout(ClusterError):
    """Connected (or tried to) but no answer within the request timeout."""


class Unauthorized(ClusterError):
    status = 401


class Forbidden(ClusterError):
    status = 403

    def __init__(self, message: str, *, verb: str = "", resource: str = "", namespace: str = "") -> None:
        super().__init__(message)
        self.verb = verb
        self.resource = resource
        self.namespace = namespace


class NotFound(ClusterError):
    status = 404


class Conflict(ClusterError):
    """409: an SSA conflict (`conflicts` lists the fields and their managers) or a plain write conflict."""

    status = 409

    def __init__(self, message: str, conflicts: tuple[TakenOverField, ...] = ()) -> None:
        super().__init__(message)
        self.conflicts = conflicts


@dataclass(frozen=True)
class Cause:
    """One entry of a Status' `details.causes` (e.g. a field a 422 rejected)."""

    reason: str = ""
    field: str = ""
    message: str = ""


class Invalid(ClusterError):
    """422: the server refused the object (validation, or a list-key change SSA cannot merge)."""

    status = 422

    def __init__(self, message: str, causes: tuple[Cause, ...] = ()) -> None:
        super().__init__(message)
        self.causes = causes


class Gone(ClusterError):
    """410: a watch's resourceVersion is too old (compacted); relist, then watch from the new version."""

    status = 410


class ServerError(ClusterError):
    """5xx: the API server (or an aggregated API / webhook behind it) failed."""


class KubeconfigError(ClusterError):
    """The kubeconfig is missing, unreadable or inconsistent."""


class ContextNotFound(KubeconfigError):
    pass


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe_target(verb: str, resource: str, namespace: str = "", name: str = "") -> str:
    """`list deployments.apps in namespace "prod"`, `patch configmaps "x" in namespace "a"`."""
    what = f'{resource} "{name}"' if name else resource
    where = f' in namespace "{namespace}"' if namespace else ""
    return f"{verb} {what}{where}".strip()


def _parse_status(body: Any) -> dict[str, Any]:
    """The `Status` object a Kubernetes server sends with an error, or {} if the body is something else."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return {}
    return body if isinstance(body, dict) else {}


def _causes(status_obj: dict[str, Any]) -> tuple[Cause, ...]:
    details = status_obj.get("details") or {}
    raw = details.get("causes") if isinstance(details, dict) else None
    if not isinstance(raw, list):
        return ()
    return tuple(
        Cause(str(c.get("reason") or ""), str(c.get("field") or ""), str(c.get("message") or ""))
        for c in raw
        if isinstance(c, dict)
    )


def _conflicts(message: str, causes: tuple[Cause, ...]) -> tuple[TakenOverField, ...]:
    # The causes carry one field each with its manager in the message; the top-level message carries all
    # of them in kubectl's text form. Prefer the structured form, fall back to the text.
    from_causes: dict[TakenOverField, None] = {}
    for cause in causes:
        if cause.reason == "FieldManagerConflict" and cause.field:
            for found in parse_conflict(f"{cause.message}: {cause.field}\n"):
                from_causes[found] = None
    return tuple(from_causes) or parse_conflict(message)


def error_from_status(
    status: int,
    body: Any,
    *,
    verb: str,
    resource: str,
    namespace: str = "",
    name: str = "",
    server: str = "",
    reason: str = "",
) -> ClusterError:
    """Map an HTTP error answer (status + body, usually a `Status` object) to a typed error."""
    status_obj = _parse_status(body)
    detail = _one_line(str(status_obj.get("message") or reason or f"HTTP {status}"))
    target = describe_target(verb, resource, namespace, name)
    if status == 401:
        where = f" at {server}" if server else ""
        return Unauthorized(f"unauthorized: the cluster{where} rejected our credentials ({detail})")
    if status == 403:
        where = f' in namespace "{namespace}"' if namespace else ""
        what = f'{resource} "{name}"' if name else resource
        message = f"forbidden: cannot {verb} {what}{where}"
        # Not every 403 is RBAC: an admission webhook's denial, a quota or a terminating namespace carry
        # the only useful explanation in the message, so it is kept (RBAC's own wording adds nothing).
        if status_obj.get("message") and " cannot " not in detail:
            message += f": {detail}"
        return Forbidden(message, verb=verb, resource=resource, namespace=namespace)
    if status == 404:
        return NotFound(f"not found: {detail}" if status_obj else f"not found: {target}")
    if status == 409:
        causes = _causes(status_obj)
        conflicts = _conflicts(str(status_obj.get("message") or ""), causes)
        if conflicts:
            fields = ", ".join(f'{c.path} (managed by "{c.manager}")' for c in conflicts)
            return Conflict(f"conflict: {target} would take over {fields}", conflicts)
        return Conflict(f"conflict: {detail}")
    if status == 410:
        return Gone(f"gone: {detail} ({target}); relist needed")
    if status == 422:
        return Invalid(f"invalid: {detail}", _causes(status_obj))
    if status in (408, 504):
        return ClusterTimeout(f"timed out: {target} ({detail})", status)
    if status >= 500:
        return ServerError(f"server error {status}: {detail} ({target})", status)
    return ClusterError(f"{target} failed with HTTP {status}: {detail}", status)


def error_from_exception(
    exc: BaseException,
    *,
    verb: str,
    resource: str,
    namespace: str = "",
    name: str = "",
    server: str = "",
) -> ClusterError:
    """The typed error for anything a request raised (kubernetes ApiException, urllib3, sockets, TLS)."""
    if isinstance(exc, ClusterError):
        return exc
    where = f" at {server}" if server else ""
    target = describe_target(verb, resource, namespace, name)
    status = getattr(exc, "status", None)
    if isinstance(status, int) and status >= 100:  # kubernetes.client ApiException
        return error_from_status(
            status,
            getattr(exc, "body", None),
            verb=verb,
            resource=resource,
            namespace=namespace,
            name=name,
            server=server,
            reason=str(getattr(exc, "reason", "") or ""),
        )
    if status == 0:  # ApiException(status=0): the client gave up before HTTP, e.g. a TLS failure
        return ClusterUnreachable(f"cannot reach the cluster{where}: {getattr(exc, 'reason', exc)}")
    # urllib3 wraps the real failure after its retries; look through it.
    root: BaseException = exc
    if isinstance(exc, u3.MaxRetryError) and exc.reason is not None:
        root = exc.reason
        if not server and exc.pool is not None:
            where = f" at {exc.pool.scheme}://{exc.pool.host}:{exc.pool.port}"
    # NewConnectionError subclasses ConnectTimeoutError in urllib3, so it is asked about first.
    if isinstance(root, u3.NewConnectionError | ConnectionRefusedError):
        text = str(root).lower()
        if "timed out" in text:
            return ClusterTimeout(f"timed out connecting to the cluster{where} ({target})")
        if "refused" in text:
            why = "connection refused"
        elif isinstance(root, u3.NameResolutionError):
            why = f"cannot resolve the host name ({_root_reason(root)})"
        else:
            why = _root_reason(root)
        return ClusterUnreachable(f"{why}{where}")
    if isinstance(root, u3.ReadTimeoutError | u3.ConnectTimeoutError | socket.timeout | TimeoutError):
        phase = "connecting to" if isinstance(root, u3.ConnectTimeoutError) else "waiting for"
        return ClusterTimeout(f"timed out {phase} the cluster{where} ({target})")
    if isinstance(root, u3.SSLError | ssl.SSLError):
        return ClusterUnreachable(f"TLS error talking to the cluster{where}: {root}")
    if isinstance(root, u3.ProtocolError | u3.HTTPError | ConnectionError | OSError):
        return ClusterUnreachable(f"connection to the cluster{where} failed: {_root_reason(root)}")
    return ClusterError(f"{target} failed: {type(exc).__name__}: {exc}")


def _root_reason(exc: BaseException) -> str:
    # urllib3 messages repeat the connection object's repr; the innermost OS error says it plainly.
    inner: BaseException | None = exc
    while inner is not None:
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror.lower()
        inner = inner.__cause__ or inner.__context__
    text = str(exc)
    return text.split(": ", 1)[1] if ": " in text and text.startswith("<") else text
