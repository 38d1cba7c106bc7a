"""Every failure maps to a typed ClusterError with a one-line message."""

from __future__ import annotations

import json

import pytest
import urllib3
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError

from gitops_tui.cluster.errors import (
    ClusterError,
    ClusterTimeout,
    ClusterUnreachable,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    ServerError,
    Unauthorized,
    error_from_exception,
    error_from_status,
)
from gitops_tui.model import GitopsError, TakenOverField


def status_body(code: int, reason: str, message: str, causes: list | None = None) -> bytes:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if causes is not None:
        body["details"] = {"causes": causes}
    return json.dumps(body).encode()


def test_forbidden_names_verb_resource_namespace():
    err = error_from_status(
        403,
        status_body(403, "Forbidden", 'deployments.apps is forbidden: User "x" cannot list resource'),
        verb="list",
        resource="deployments.apps",
        namespace="prod",
    )
    assert isinstance(err, Forbidden) and isinstance(err, ClusterError) and isinstance(err, GitopsError)
    assert err.message == 'forbidden: cannot list deployments.apps in namespace "prod"'
    assert (err.verb, err.resource, err.namespace, err.status) == ("list", "deployments.apps", "prod", 403)
    named = error_from_status(403, b"", verb="patch", resource="configmaps", namespace="a", name="cfg")
    assert named.message == 'forbidden: cannot patch configmaps "cfg" in namespace "a"'
    cluster = error_from_status(403, b"", verb="list", resource="namespaces")
    assert cluster.message == "forbidden: cannot list namespaces"


def test_ssa_conflict_fields_from_causes():
    message = (
        'Apply failed with 2 conflicts: conflicts with "kubectl-set" using apps/v1:\n'
        '- .spec.template.spec.containers[name="web"].image\n'
        'conflicts with "kubectl" with subresource "scale" using apps/v1:\n- .spec.replicas'
    )
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kubectl-set" using apps/v1',
            "field": '.spec.template.spec.containers[name="web"].image',
        },
        {
            "reason": "FieldManagerConflict",
            "message": 'conflict with "kubectl" with subresource "scale" using apps/v1',
            "field": ".spec.replicas",
        },
    ]
    err = error_from_status(
        409,
        status_body(409, "Conflict", message, causes),
        verb="patch",
        resource="deployments.apps",
        namespace="p",
        name="web",
    )
    assert isinstance(err, Conflict) and err.status == 409
    assert err.conflicts == (
        TakenOverField("/spec/template/spec/containers/[name=web]/image", "kubectl-set"),
        TakenOverField("/spec/replicas", "kubectl"),
    )
    assert "\n" not in err.message and "/spec/replicas" in err.message and '"kubectl"' in err.message


def test_ssa_conflict_fields_from_message_only():
    message = 'Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.nginx.conf'
    err = error_from_status(409, status_body(409, "Conflict", message), verb="patch", resource="configmaps")
    assert isinstance(err, Conflict)
    assert [(c.path, c.manager) for c in err.conflicts] == [("/data/nginx.conf", "kubectl-patch")]


def test_plain_409_is_a_conflict_without_fields():
    err = error_from_status(
        409,
        status_body(409, "AlreadyExists", 'configmaps "x" already exists'),
        verb="create",
        resource="configmaps",
    )
    assert isinstance(err, Conflict) and err.conflicts == ()
    assert err.message == 'conflict: configmaps "x" already exists'


def test_invalid_keeps_causes_and_server_message():
    causes = [
        {"reason": "FieldValueDuplicate", "message": 'Duplicate value: "http"', "field": "spec.ports[1].name"}
    ]
    err = error_from_status(
        422,
        status_body(
            422, "Invalid", 'Service "api" is invalid: spec.ports[1].name: Duplicate value: "http"', causes
        ),
        verb="patch",
        resource="services",
    )
    assert isinstance(err, Invalid) and err.status == 422
    assert err.message == 'invalid: Service "api" is invalid: spec.ports[1].name: Duplicate value: "http"'
    assert err.causes[0].field == "spec.ports[1].name" and err.causes[0].reason == "FieldValueDuplicate"


def test_not_found_unauthorized_server_error_and_others():
    nf = error_from_status(
        404, status_body(404, "NotFound", 'deployments.apps "x" not found'), verb="get", resource="d"
    )
    assert isinstance(nf, NotFound) and nf.message == 'not found: deployments.apps "x" not found'
    assert error_from_status(
        404, b"404 page not found", verb="list", resource="widgets.example.com"
    ).message == ("not found: list widgets.example.com")
    un = error_from_status(
        401,
        status_body(401, "Unauthorized", "Unauthorized"),
        verb="list",
        resource="pods",
        server="https://k",
    )
    assert isinstance(un, Unauthorized) and un.status == 401 and "https://k" in un.message
    se = error_from_status(
        503, b"<html>\nBad gateway\n</html>", verb="get", resource="x", reason="Service Unavailable"
    )
    assert isinstance(se, ServerError) and se.status == 503 and "\n" not in se.message
    to = error_from_status(504, b"", verb="list", resource="pods")
    assert isinstance(to, ClusterTimeout) and to.status == 504
    other = error_from_status(
        429, status_body(429, "TooManyRequests", "slow down"), verb="list", resource="pods"
    )
    assert type(other) is ClusterError and other.status == 429 and "slow down" in other.message


def test_api_exception_is_mapped_by_status():
    exc = ApiException(status=403, reason="Forbidden")
    exc.body = status_body(
        403, "Forbidden", 'secrets "s" is forbidden: User "u" cannot delete resource "secrets"'
    ).decode()
    err = error_from_exception(exc, verb="delete", resource="secrets", namespace="x", name="s")
    assert (
        isinstance(err, Forbidden) and err.message == 'forbidden: cannot delete secrets "s" in namespace "x"'
    )
    tls = error_from_exception(
        ApiException(status=0, reason="SSLError\ncertificate verify failed"), verb="get", resource="x"
    )
    assert isinstance(tls, ClusterUnreachable) and "\n" not in tls.message


def test_a_403_that_is_not_rbac_keeps_the_servers_explanation():
    webhook = 'admission webhook "policy.example.com" denied the request: image is not signed'
    err = error_from_status(
        403, status_body(403, "Forbidden", webhook), verb="patch", resource="deployments.apps", name="a"
    )
    assert isinstance(err, Forbidden)
    assert err.message == f'forbidden: cannot patch deployments.apps "a": {webhook}'


def test_urllib3_connection_refused_and_timeouts():
    pool = urllib3.HTTPSConnectionPool("127.0.0.1", 6443)
    refused = NewConnectionError(pool, "Failed to establish a new connection: [Errno 111] Connection refused")
    err = error_from_exception(MaxRetryError(pool, "/api", refused), verb="get", resource="/api")
    assert isinstance(err, ClusterUnreachable)
    assert err.message == "connection refused at https://127.0.0.1:6443"
    timeout = ReadTimeoutError(pool, "/api", "Read timed out. (read timeout=1)")
    err = error_from_exception(
        MaxRetryError(pool, "/api", timeout), verb="list", resource="pods", server="https://k"
    )
    assert (
        isinstance(err, ClusterTimeout)
        and err.message == "timed out waiting for the cluster at https://k (list pods)"
    )
    assert isinstance(error_from_exception(TimeoutError(), verb="get", resource="x"), ClusterTimeout)
    reset = error_from_exception(
        ConnectionResetError(104, "Connection reset by peer"), verb="get", resource="x"
    )
    assert isinstance(reset, ClusterUnreachable) and "connection reset by peer" in reset.message


def test_cluster_errors_pass_through_and_unknowns_are_wrapped():
    original = NotFound("not found: x")
    assert error_from_exception(original, verb="get", resource="x") is original
    wrapped = error_from_exception(ValueError("bad\nthing"), verb="get", resource="x")
    assert type(wrapped) is ClusterError and wrapped.message == "get x failed: ValueError: bad thing"


@pytest.mark.parametrize("cls", [ClusterError, ClusterUnreachable, Conflict, Invalid, NotFound])
def test_messages_are_one_line(cls):
    assert "\n" not in cls("a\nb\n  c").message
