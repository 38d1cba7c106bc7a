"""Running the external renderers (kustomize, kubectl kustomize, helm); their failures become one line."""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from gitops_tui.source.errors import RenderError

TIMEOUT_SECONDS = 60.0
# kubectl logs errors through klog: `E1122 21:22:04.006076 10691 run.go:72] "command failed" err="..."`
_KLOG_PREFIX = re.compile(r"^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\] ")
_KLOG_FAILED = re.compile(r'"command failed" err=(?:"(.*)"|<\s*(.*?)\s*>)')
_MAX_MESSAGE = 600


def kustomize_command() -> list[str] | None:
    """`kustomize build` if a standalone kustomize is installed (usually newer), else `kubectl kustomize`."""
    if found := shutil.which("kustomize"):
        return [found, "build"]
    if found := shutil.which("kubectl"):
        return [found, "kustomize"]
    return None


def condense(stderr: str, replacements: Mapping[str, str] | None = None) -> str:
    """One line from a tool's stderr: temp and repo paths shortened, "Error: " dropped, length capped."""
    text = stderr
    for old, new in sorted((replacements or {}).items(), key=lambda kv: -len(kv[0])):
        text = text.replace(old, new)
    text = " ".join(_KLOG_PREFIX.sub("", line) for line in text.splitlines())
    text = " ".join(text.split())
    if wrapped := _KLOG_FAILED.fullmatch(text):  # kubectl wraps kustomize's message in a klog line
        text = (wrapped.group(1) or "").replace('\\"', '"') or wrapped.group(2) or ""
    text = text.removeprefix("Error: ").removeprefix("error: ")
    if len(text) > _MAX_MESSAGE:
        text = text[: _MAX_MESSAGE - 1] + "…"
    return text


def run_tool(
    cmd: Sequence[str],
    *,
    what: str,
    cwd: Path | None = None,
    replacements: Mapping[str, str] | None = None,
    timeout: float | None = None,
    input: str | None = None,  # noqa: A002 (subprocess's own name for it)
) -> str:
    """The tool's stdout; RenderError("<what>: <condensed stderr>") if it fails or runs out of time.

    `input` goes to its stdin (a request that must not show in `ps`, such as Helm values)."""
    timeout = timeout or TIMEOUT_SECONDS
    try:
        # Its own process group, so that a timeout (or our exit) also ends what it started (git, for a
        # remote base); registered, so that a render abandoned on a daemon thread does not outlive us.
        proc = subprocess.Popen(
            list(cmd),
            cwd=cwd,
            stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, "LC_ALL": "C"},
            start_new_session=True,
        )
    except OSError as exc:
        raise RenderError(f"{what}: cannot run {cmd[0]}: {exc.strerror}") from None
    with _running_lock:
        _running.add(proc)
    try:
        stdout, stderr = proc.communicate(input=input, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        raise RenderError(f"{what}: timed out after {timeout:g} s") from None
    finally:
        with _running_lock:
            _running.discard(proc)
    if proc.returncode != 0:
        reason = condense(stderr, replacements) or f"exit status {proc.returncode}"
        raise RenderError(f"{what}: {reason}")
    return stdout


_running: set[subprocess.Popen[str]] = set()
_running_lock = threading.Lock()


def _kill(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)


@atexit.register
def _kill_running() -> None:
    """At exit, the renders still running (on daemon threads, abandoned) end with us."""
    with _running_lock:
        left = list(_running)
    for proc in left:
        _kill(proc)
