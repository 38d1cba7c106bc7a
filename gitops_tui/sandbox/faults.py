"""What tests control and observe on a running sandbox: injected faults, the request log, RBAC denials."""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gitops_tui.sandbox import errors

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


@dataclass
class FaultRule:
    method: str | None = None
    path_regex: str | None = None
    status: int = 403
    message: str | None = None
    times: int | None = None  # None: every matching request
    hang_seconds: float = 0.0  # sleep first (a timeout for clients with a shorter deadline)
    hits: int = 0
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    def matches(self, method: str, target: str) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path_regex:
            if self._pattern is None:
                self._pattern = re.compile(self.path_regex)
            if not self._pattern.search(target):
                return False
        return True

    def error(self) -> errors.ApiError:
        reason = _REASONS.get(self.status, "InternalError")
        message = self.message or f"injected fault: {reason}"
        return errors.ApiError(self.status, reason, message, {})


class FaultRules:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add_rule(
        self,
        method: str | None = None,
        path_regex: str | None = None,
        status: int = 403,
        message: str | None = None,
        times: int | None = None,
        hang_seconds: float = 0.0,
    ) -> FaultRule:
        rule = FaultRule(method, path_regex, status, message, times, hang_seconds)
        with self._lock:
            self._rules.append(rule)
        return rule

    add = add_rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, method: str, target: str) -> FaultRule | None:
        """The first rule matching this request, counted as used."""
        if not self._rules:
            return None
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, target):
                    rule.hits += 1
                    return rule
        return None

    def __iter__(self) -> Any:
        return iter(list(self._rules))

    def __len__(self) -> int:
        return len(self._rules)


class FaultInjector:
    """latency_ms is added to every request; error_rate (0..1) answers that share with 500s; refuse closes
    every connection at once (as a dead server would); rules target single requests."""

    def __init__(self) -> None:
        self.latency_ms = 0.0
        self.error_rate = 0.0
        self.refuse = False
        self.rules = FaultRules()
        self._random = random.Random()
        self._drop_watches: Any = None  # set by the server

    def add_rule(
        self,
        method: str | None = None,
        path_regex: str | None = None,
        status: int = 403,
        message: str | None = None,
        times: int | None = None,
        hang_seconds: float = 0.0,
    ) -> FaultRule:
        return self.rules.add_rule(method, path_regex, status, message, times, hang_seconds)

    def drop_watches(self) -> None:
        if self._drop_watches is not None:
            self._drop_watches()

    def clear(self) -> None:
        self.latency_ms = 0.0
        self.error_rate = 0.0
        self.refuse = False
        self.rules.clear()

    def roll_error(self) -> bool:
        return self.error_rate > 0 and self._random.random() < self.error_rate


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    verb: str  # get/list/watch/create/update/patch/apply/delete/deletecollection/discovery/other
    resource: str  # plural ("deployments"), "" for non-resource paths
    group: str
    namespace: str
    name: str
    subresource: str
    dry_run: bool
    code: int


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._counts: Counter[tuple[str, str, str, bool]] = Counter()

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
            if len(self._records) > 100_000:
                del self._records[:50_000]
            self._counts[(record.verb, record.resource, record.group, record.dry_run)] += 1

    def count(self, verb: str | None = None, resource: str | None = None, dry_run: bool | None = None) -> int:
        """How many requests matched; `resource` is a plural, optionally qualified (`deployments.apps`)."""
        with self._lock:
            total = 0
            for (v, r, g, d), n in self._counts.items():
                if verb is not None and v != verb:
                    continue
                if dry_run is not None and d != dry_run:
                    continue
                if resource is not None and resource != r and resource != f"{r}.{g}":
                    continue
                total += n
            return total

    @property
    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._counts.clear()


class Rbac:
    """Denials by (verb, resource), answered 403 with the real message. Verbs are RBAC verbs (an apply is
    a `patch`); resources are plurals, optionally qualified (`deployments.apps`)."""

    def __init__(self, user: str = "sandbox-admin") -> None:
        self.user = user
        self._denied: set[tuple[str, str]] = set()

    def deny(self, verb: str, resource: str) -> None:
        self._denied.add((verb, resource))

    def allow(self, verb: str, resource: str) -> None:
        self._denied.discard((verb, resource))

    def clear(self) -> None:
        self._denied.clear()

    def check(self, verb: str, plural: str, group: str, namespace: str, name: str = "") -> None:
        if not self._denied:
            return
        qualified = f"{plural}.{group}" if group else plural
        for v in (verb, "*"):
            for r in (plural, qualified, "*"):
                if (v, r) in self._denied:
                    raise errors.forbidden(self.user, verb, plural, group, namespace, name)
