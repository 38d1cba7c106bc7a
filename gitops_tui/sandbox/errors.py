"""API errors as the kube-apiserver reports them: a `kind: Status` body with `reason`, `code` and `details`.

Messages follow the real server's wording, because clients (and our own cluster layer) show them to people
and sometimes parse them.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response. `status` is the full `kind: Status` body."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    @property
    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
        }
        if self.details is not None:
            body["details"] = self.details
        body["code"] = self.code
        return body


def qualified(plural: str, group: str) -> str:
    """`deployments.apps`, or `configmaps` for the core group: the resource name used in messages."""
    return f"{plural}.{group}" if group else plural


def _details(name: str, group: str, kind: str) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = kind
    return details


def not_found(plural: str, group: str, name: str) -> ApiError:
    return ApiError(
        404, "NotFound", f'{qualified(plural, group)} "{name}" not found', _details(name, group, plural)
    )


def unknown_path() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def already_exists(plural: str, group: str, name: str) -> ApiError:
    return ApiError(
        409,
        "AlreadyExists",
        f'{qualified(plural, group)} "{name}" already exists',
        _details(name, group, plural),
    )


def conflict(plural: str, group: str, name: str) -> ApiError:
    return ApiError(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on {qualified(plural, group)} "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        _details(name, group, plural),
    )


def invalid(kind: str, group: str, name: str, causes: list[tuple[str, str, str]]) -> ApiError:
    """422 Invalid. `causes` are (field, reason, message), e.g.
    ("spec.ports[1].name", "FieldValueDuplicate", 'Duplicate value: "http"')."""
    kind_name = f"{kind}.{group}" if group else kind
    joined = ", ".join(f"{field}: {message}" for field, _, message in causes)
    if len(causes) > 1:
        joined = "[" + joined + "]"
    details = _details(name, group, kind)
    details["causes"] = [
        {"reason": reason, "message": message, "field": field} for field, reason, message in causes
    ]
    return ApiError(422, "Invalid", f'{kind_name} "{name}" is invalid: {joined}', details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def method_not_allowed() -> ApiError:
    return ApiError(
        405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
    )


def unsupported_media_type(content_type: str, hint: str = "") -> ApiError:
    message = (
        f'the body of the request was in an unknown format - accepted media types include: "{content_type}" is not '
        "one of application/json, application/yaml, application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json, application/apply-patch+yaml"
    )
    return ApiError(415, "UnsupportedMediaType", f"{message} ({hint})" if hint else message)


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(user: str, verb: str, plural: str, group: str, namespace: str, name: str = "") -> ApiError:
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    subject = f'{qualified(plural, group)} "{name}"' if name else qualified(plural, group)
    return ApiError(
        403,
        "Forbidden",
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{plural}" in API group "{group}" {scope}',
        _details(name, group, plural),
    )


def gone(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def internal_error(message: str) -> ApiError:
    return ApiError(
        500, "InternalError", f"Internal error occurred: {message}", {"causes": [{"message": message}]}
    )


def timeout_error(message: str) -> ApiError:
    return ApiError(504, "Timeout", message, {})
