"""The audit log: one JSON line per mutation (sync, prune, revert, adopt, push, automation, freeze).

It records who (Git identity, kube context and user), what (app, resources, paths), and the result — never
values, so no Secret can end up in it. Lines are appended with a single write and fsync'd, so concurrent writers
(the TUI and a `gitops-tui sync` in another terminal) do not interleave.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitops_tui.config import state_dir


@dataclass(frozen=True)
class AuditEntry:
    action: str  # sync | prune | revert | adopt | push | automation | freeze
    app: str
    result: str  # ok | failed | partial | refused | cancelled
    time: float = 0.0
    git_user: str = ""
    context: str = ""
    kube_user: str = ""
    resources: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""

    def to_json(self) -> str:
        doc = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.time)),
            "action": self.action,
            "app": self.app,
            "result": self.result,
            "git_user": self.git_user,
            "context": self.context,
            "kube_user": self.kube_user,
            "resources": list(self.resources),
            "details": dict(self.details),
            "message": self.message,
        }
        return json.dumps(doc, sort_keys=False, default=str)

    @classmethod
    def from_json(cls, line: str) -> AuditEntry:
        doc = json.loads(line)
        when = doc.get("time", "")
        try:
            ts = time.mktime(time.strptime(when, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone
        except (TypeError, ValueError):
            ts = 0.0
        return cls(
            action=str(doc.get("action", "")),
            app=str(doc.get("app", "")),
            result=str(doc.get("result", "")),
            time=ts,
            git_user=str(doc.get("git_user", "")),
            context=str(doc.get("context", "")),
            kube_user=str(doc.get("kube_user", "")),
            resources=tuple(doc.get("resources") or ()),
            details=doc.get("details") or {},
            message=str(doc.get("message", "")),
        )


class AuditLog:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_dir() / "audit.jsonl"
        self._lock = threading.Lock()

    def record(self, entry: AuditEntry) -> AuditEntry:
        if not entry.time:
            entry = AuditEntry(**{**entry.__dict__, "time": time.time()})
        line = (entry.to_json() + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
        return entry

    def entries(self, limit: int | None = None) -> list[AuditEntry]:
        """Newest first. Lines that cannot be parsed (a torn write from a crash) are skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out: list[AuditEntry] = []
        for line in reversed(lines):
            if not line.strip():
                continue
            try:
                out.append(AuditEntry.from_json(line))
            except (ValueError, TypeError):
                continue
            if limit is not None and len(out) >= limit:
                break
        return out


def resource_names(keys: Iterable[Any]) -> tuple[str, ...]:
    return tuple(k.display() for k in keys)
