"""HTTP to one API server through the official client's ApiClient: raw bytes and JSON, typed errors.

We use the official client for what it does well (kubeconfig loading, TLS, tokens, exec plugins and their
refresh, proxies, a pooled urllib3 manager) and skip its typed models entirely.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Sequence
from typing import Any

from urllib3.util.retry import Retry

from gitops_tui.cluster import jsonbody
from gitops_tui.cluster.errors import ClusterError, error_from_exception, error_from_status

USER_AGENT = "gitops-tui"

# Retry only failures where the request cannot have reached the server (connect errors). A read error or
# timeout is not retried: it would double the wait, and a PATCH may already have been applied.
RETRIES = Retry(total=2, connect=1, read=0, redirect=0, status=0, other=0, backoff_factor=0)


class Transport:
    """Thread-safe: urllib3's pool manager is, and nothing here is mutated per request except a counter."""

    def __init__(self, api_client: Any, *, server: str, timeout: float) -> None:
        self.api = api_client
        self.server = server
        self.timeout = timeout
        self._sent = itertools.count(1)
        self._requests = 0

    @property
    def requests(self) -> int:
        """HTTP requests sent so far (all verbs)."""
        return self._requests

    def send(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str = "application/json",
        timeout: float | None = None,
    ) -> tuple[int, bytes]:
        t = self.timeout if timeout is None else timeout
        method, url, headers, body, post = self.api.param_serialize(
            method=method,
            resource_path=path,
            query_params=list(query),
            header_params={"Accept": "application/json", "Content-Type": content_type},
            body=body,
            auth_settings=["BearerToken"],
        )
        self._requests = next(self._sent)  # itertools.count is atomic under the GIL; += is not
        resp = self.api.call_api(
            method, url, header_params=headers, body=body, post_params=post, _request_timeout=(min(t, 5.0), t)
        )
        data = resp.read()
        return int(resp.status), data or b""

    def call(
        self,
        method: str,
        path: str,
        *,
        verb: str,
        resource: str,
        namespace: str = "",
        name: str = "",
        missing_ok: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        """Send, decode, and map failures. 404 gives None when `missing_ok`."""
        try:
            status, data = self.send(method, path, **kwargs)
        except Exception as exc:  # urllib3 / socket / TLS / ApiException(status=0)
            raise error_from_exception(
                exc, verb=verb, resource=resource, namespace=namespace, name=name, server=self.server
            ) from exc
        if status == 404 and missing_ok:
            return None
        if not 200 <= status < 300:
            raise error_from_status(
                status, data, verb=verb, resource=resource, namespace=namespace, name=name, server=self.server
            )
        try:
            decoded = jsonbody.loads(data) if data else {}
        except ValueError as exc:
            raise ClusterError(f"{verb} {resource}: the server sent something that is not JSON") from exc
        if not isinstance(decoded, dict):
            raise ClusterError(f"{verb} {resource}: the server sent JSON that is not an object")
        return decoded

    def stream_lines(
        self,
        path: str,
        query: Sequence[tuple[str, str]],
        *,
        read_timeout: float,
        verb: str,
        resource: str,
        namespace: str = "",
    ) -> Generator[bytes, None, None]:
        """GET a streaming endpoint (a watch) and yield its newline-delimited lines as they arrive. Closing
        the generator closes the connection (an unread stream cannot go back to the pool)."""

        def mapped(exc: Exception) -> ClusterError:
            return error_from_exception(
                exc, verb=verb, resource=resource, namespace=namespace, server=self.server
            )

        try:
            method, url, headers, _, _ = self.api.param_serialize(
                method="GET",
                resource_path=path,
                query_params=list(query),
                header_params={"Accept": "application/json"},
                auth_settings=["BearerToken"],
            )
            self._requests = next(self._sent)
            resp = self.api.call_api(method, url, header_params=headers, _request_timeout=(5.0, read_timeout))
        except Exception as exc:
            raise mapped(exc) from exc
        if not 200 <= resp.status < 300:
            raise error_from_status(
                int(resp.status),
                resp.read(),
                verb=verb,
                resource=resource,
                namespace=namespace,
                server=self.server,
            )
        raw = resp.response
        buffer = b""
        try:
            for chunk in raw.stream(64 * 1024, decode_content=True):
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                yield from (line for line in lines if line.strip())
            if buffer.strip():
                yield buffer
        except ClusterError:
            raise
        except Exception as exc:  # a read timeout or reset in the middle of the stream
            raise mapped(exc) from exc
        finally:
            raw.close()
            raw.release_conn()
