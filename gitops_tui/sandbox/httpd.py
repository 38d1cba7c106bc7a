"""Kubernetes HTTP on top of the operations: URL routing, query options, auth, faults, the request log,
and watch streams (chunked JSON lines with bookmarks, resume and 410 Gone)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from gitops_tui.sandbox import errors
from gitops_tui.sandbox.catalog import ResourceType
from gitops_tui.sandbox.faults import FaultInjector, Rbac, RequestLog, RequestRecord
from gitops_tui.sandbox.operations import Api
from gitops_tui.sandbox.selectors import combine, field_selector, label_selector
from gitops_tui.sandbox.store import Stored, TooOld, Watcher, dumps

VERSION = {
    "major": "1",
    "minor": "36",
    "emulationMajor": "1",
    "emulationMinor": "36",
    "minCompatibilityMajor": "1",
    "minCompatibilityMinor": "35",
    "gitVersion": "v1.36.2-sandbox",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-11-01T00:00:00Z",
    "goVersion": "go1.25.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}


@dataclass
class Context:
    """Everything a handler needs; it outlives one HTTPServer so a restart keeps the objects."""

    api: Api
    faults: FaultInjector
    requests: RequestLog
    rbac: Rbac
    token: str | None
    bookmark_seconds: float = 5.0
    stopping: threading.Event | None = None


@dataclass
class Route:
    rt: ResourceType | None
    namespace: str
    name: str
    subresource: str


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "gitops-tui-sandbox"
    ctx: Context  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # tests run thousands of requests; the request log is the record

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate writes; without TCP_NODELAY the body waits for the
        # client's delayed ACK of the headers (Nagle): ~40 ms per request, which no real server costs.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)  # type: ignore[attr-defined]

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    # ------------------------------------------------------------ dispatch

    def _handle(self) -> None:
        ctx = self.ctx
        faults = ctx.faults
        if faults.refuse:
            self._drop_connection()
            return
        body = self._read_body()
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        record = _Record(self.command, self.path)
        self._pending: _Record | None = record
        try:
            if faults.latency_ms:
                time.sleep(faults.latency_ms / 1000.0)
            if ctx.token is not None and self.headers.get("Authorization", "") != f"Bearer {ctx.token}":
                raise errors.unauthorized()
            rule = faults.rules.take(self.command, self.path)
            if rule is not None:
                if rule.hang_seconds:
                    time.sleep(rule.hang_seconds)
                if rule.status:
                    raise rule.error()
            if faults.roll_error():
                raise errors.internal_error("injected fault: random server error")
            self._route(path, query, body, record)
        except errors.ApiError as exc:
            record.code = exc.code
            self._send_error(exc.code, dumps(exc.status))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a server answers 500, never dies on one request
            record.code = 500
            self._send_error(500, dumps(errors.internal_error(f"{type(exc).__name__}: {exc}").status))
        finally:
            self._log_request(code=None)

    def _log_request(self, code: int | None) -> None:
        """Log the request once — before its answer goes out, so a client that has its answer finds it in
        the log (watches, which answer for long, and dropped connections are logged at the end)."""
        record, self._pending = getattr(self, "_pending", None), None
        if record is not None:
            if code is not None:
                record.code = code
            self.ctx.requests.add(record.freeze())

    def _send_error(self, code: int, payload: bytes) -> None:
        # The client may have given up already (its timeout is shorter than a hung fault): no traceback.
        try:
            self._send(code, payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drop_connection(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    def _send(self, code: int, payload: bytes, content_type: str = "application/json") -> None:
        self._log_request(code)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Audit-Id", "sandbox")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    # ------------------------------------------------------------ routing

    def _route(self, path: str, query: dict[str, str], body: bytes, record: _Record) -> None:
        api = self.ctx.api
        segments = [s for s in path.split("/") if s]
        if path in ("/healthz", "/readyz", "/livez"):
            record.verb = "discovery"
            self._send(200, b"ok", "text/plain; charset=utf-8")
            return
        if segments == ["version"]:
            record.verb = "discovery"
            self._send(200, dumps(VERSION))
            return
        registry = api.registry
        doc: Any = None
        if segments == ["api"]:
            doc = registry.core_versions()
        elif segments == ["api", "v1"]:
            doc = registry.resource_list("", "v1")
        elif segments == ["apis"]:
            doc = registry.api_groups()
        elif len(segments) == 2 and segments[0] == "apis":
            doc = registry.api_group(segments[1])
            if doc is None:
                raise errors.unknown_path()
        elif len(segments) == 3 and segments[0] == "apis":
            doc = registry.resource_list(segments[1], segments[2])
            if doc is None:
                raise errors.unknown_path()
        elif segments[:2] == ["openapi", "v3"]:
            rest = segments[2:]
            if not rest:
                doc = registry.openapi_v3_root()
            elif rest[:1] == ["api"] and len(rest) == 2:
                doc = registry.openapi_v3("", rest[1])
            elif rest[:1] == ["apis"] and len(rest) == 3:
                doc = registry.openapi_v3(rest[1], rest[2])
            if doc is None:
                raise errors.unknown_path()
        if doc is not None:
            record.verb = "discovery"
            if self.command != "GET":
                raise errors.method_not_allowed()
            self._send(200, dumps(doc))
            return
        route = self._resource_route(segments)
        self._resource(route, query, body, record)

    def _resource_route(self, segments: list[str]) -> Route:
        registry = self.ctx.api.registry
        if segments[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", segments[2:]
        elif len(segments) >= 3 and segments[0] == "apis":
            group, version, rest = segments[1], segments[2], segments[3:]
        else:
            raise errors.unknown_path()
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise errors.unknown_path()
        rt = registry.lookup(group, version, rest[0])
        if rt is None or (namespace and not rt.namespaced):
            raise errors.unknown_path()
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        if sub and not (
            (sub == "status" and rt.status)
            or (sub == "scale" and rt.scale)
            or (sub == "finalize" and rt.kind == "Namespace")
        ):
            raise errors.unknown_path()
        return Route(rt, namespace, name, sub)

    def _resource(self, route: Route, query: dict[str, str], body: bytes, record: _Record) -> None:
        ctx = self.ctx
        api = ctx.api
        rt = route.rt
        assert rt is not None
        ns, name, sub = route.namespace, route.name, route.subresource
        method = self.command
        dry_run = query.get("dryRun") == "All"
        manager = query.get("fieldManager") or ""
        default_manager = manager or (self.headers.get("User-Agent") or "unknown").split("/")[0]
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type == PROTOBUF:
            raise errors.unsupported_media_type(
                content_type,
                "the sandbox reads JSON and YAML bodies, not protobuf, which `kubectl create <kind> ...` "
                "sends: write the object out and use `kubectl apply -f` (or --server-side)",
            )
        record.resource, record.group, record.namespace, record.name, record.subresource = (
            rt.plural,
            rt.group,
            ns,
            name,
            sub,
        )
        record.dry_run = dry_run

        if method == "GET":
            if name:
                verb = "get"
            elif _truthy(query.get("watch")):
                verb = "watch"
            else:
                verb = "list"
        elif method == "POST":
            if name:
                raise errors.method_not_allowed()
            verb = "create"
        elif method == "PUT":
            if not name:
                raise errors.method_not_allowed()
            verb = "update"
        elif method == "PATCH":
            if not name:
                raise errors.method_not_allowed()
            verb = "apply" if content_type == "application/apply-patch+yaml" else "patch"
        elif method == "DELETE":
            verb = "delete" if name else "deletecollection"
        else:
            raise errors.method_not_allowed()
        record.verb = verb
        ctx.rbac.check("patch" if verb == "apply" else verb, rt.plural, rt.group, ns, name)

        if verb in ("list", "watch", "deletecollection"):
            accepts = combine(
                label_selector(query.get("labelSelector")), field_selector(query.get("fieldSelector"))
            )
        if verb == "get":
            payload = api.get_scale(rt, ns, name) if sub == "scale" else api.get(rt, ns, name)
            self._send(200, payload)
        elif verb == "list":
            self._send(
                200, api.list(rt, ns, accepts, int(query.get("limit") or 0), query.get("continue") or "")
            )
        elif verb == "watch":
            self._watch(rt, ns, accepts, query, record)
        elif verb == "create":
            self._send(201, api.create(rt, ns, _json(body), default_manager, dry_run))
        elif verb == "update":
            if sub == "scale":
                payload = api.update_scale(rt, ns, name, body, "application/json", default_manager, dry_run)
            else:
                payload = api.replace(rt, ns, name, _json(body), default_manager, dry_run, sub)
            self._send(200, payload)
        elif verb in ("patch", "apply"):
            if content_type not in (
                "application/apply-patch+yaml",
                "application/merge-patch+json",
                "application/strategic-merge-patch+json",
                "application/json-patch+json",
            ):
                raise errors.unsupported_media_type(content_type)
            if sub == "scale":
                payload = api.update_scale(rt, ns, name, body, content_type, default_manager, dry_run)
                self._send(200, payload)
                return
            exists = ctx.api.store.get((rt.group, rt.plural), ns if rt.namespaced else "", name) is not None
            force = _truthy(query.get("force"))
            payload = api.patch(
                rt,
                ns,
                name,
                body,
                content_type,
                manager if verb == "apply" else default_manager,
                dry_run,
                force,
                sub,
            )
            self._send(200 if exists or verb != "apply" else 201, payload)
        elif verb == "delete":
            self._send(200, api.delete(rt, ns, name, _json(body) if body else None, dry_run))
        else:
            self._send(200, api.delete_collection(rt, ns, accepts, dry_run))

    # ------------------------------------------------------------ watch

    def _watch(self, rt: ResourceType, ns: str, accepts: Any, query: dict[str, str], record: _Record) -> None:
        ctx = self.ctx
        api = ctx.api
        store = api.store
        timeout = float(query.get("timeoutSeconds") or 0) or None
        bookmarks = _truthy(query.get("allowWatchBookmarks"))
        since_text = query.get("resourceVersion") or ""
        watcher = Watcher((rt.group, rt.plural), ns if rt.namespaced else "", accepts)
        initial: list[tuple[str, Stored]] = []
        try:
            if since_text in ("", "0"):
                with store.lock:
                    items, _ = store.list((rt.group, rt.plural), watcher.namespace)
                    initial = [("ADDED", s) for s in items if accepts(s.obj)]
                    store.watch(watcher, None)
            else:
                try:
                    since = int(since_text)
                except ValueError as exc:
                    raise errors.bad_request(f'invalid resource version "{since_text}"') from exc
                initial = store.watch(watcher, since)
        except TooOld as exc:
            record.code = 200
            self._start_stream()
            self._event({"type": "ERROR", "object": errors.gone(str(exc)).status})
            self._end_stream()
            return
        try:
            self._start_stream()
            for kind, stored in initial:
                self._event_for(rt, kind, stored)
            deadline = time.monotonic() + timeout if timeout else None
            next_bookmark = time.monotonic() + ctx.bookmark_seconds
            stopping = ctx.stopping
            while True:
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    break
                if stopping is not None and stopping.is_set():
                    break
                wait = 0.5
                if deadline is not None:
                    wait = min(wait, deadline - now)
                if bookmarks:
                    wait = min(wait, max(0.0, next_bookmark - now))
                item: tuple[str, Stored] | tuple[()] | None
                try:
                    item = watcher.events.get(timeout=max(wait, 0.0))
                except Exception:  # noqa: BLE001 - queue.Empty
                    item = ()
                if item is None:
                    break  # the watch was dropped
                if item:
                    kind, stored = item
                    self._event_for(rt, kind, stored)
                if bookmarks and time.monotonic() >= next_bookmark:
                    self._event(
                        {
                            "type": "BOOKMARK",
                            "object": {
                                "kind": rt.kind,
                                "apiVersion": rt.api_version,
                                "metadata": {"resourceVersion": str(store.rv)},
                            },
                        }
                    )
                    next_bookmark = time.monotonic() + ctx.bookmark_seconds
            self._end_stream()
        finally:
            store.unwatch(watcher)

    def _start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _event(self, event: dict[str, Any]) -> None:
        self._chunk(dumps(event) + b"\n")

    def _event_for(self, rt: ResourceType, kind: str, stored: Stored) -> None:
        self._chunk(b'{"type":"' + kind.encode() + b'","object":' + self.ctx.api.render(rt, stored) + b"}\n")

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True


def _json(body: bytes) -> Any:
    if not body:
        raise errors.bad_request("the request body is empty")
    try:
        return json.loads(body)
    except ValueError:
        import yaml

        try:
            return yaml.safe_load(body)
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error decoding body: {exc}") from exc


PROTOBUF = "application/vnd.kubernetes.protobuf"


class _Record:
    """A request's log entry while it is being handled."""

    def __init__(self, method: str, path: str) -> None:
        self.method, self.path = method, path
        self.verb = "other"
        self.resource = self.group = self.namespace = self.name = self.subresource = ""
        self.dry_run = False
        self.code = 200

    def freeze(self) -> RequestRecord:
        return RequestRecord(
            self.method,
            self.path,
            self.verb,
            self.resource,
            self.group,
            self.namespace,
            self.name,
            self.subresource,
            self.dry_run,
            self.code,
        )


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], ctx: Context) -> None:
        handler = type("BoundHandler", (Handler,), {"ctx": ctx})
        super().__init__(address, handler)
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    def track(self, conn: socket.socket, open_: bool) -> None:
        with self._lock:
            if open_:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def close_connections(self) -> None:
        """Cut every open connection, as a server that goes away does (keep-alive clients see it)."""
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
