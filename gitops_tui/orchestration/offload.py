"""The CPU-heavy part of a big reconcile — the managedFields no-op checks and the normalize/compare — run in
worker processes, so that they do not hold the interpreter lock the TUI's event loop needs.

A reconcile is mostly the engine's pure functions over plain data (engine/), which pickles as it is: the
workers get `AppInputs` and give back `AppStatus`, one app (or one slice of objects) per task, so that no
single pickle holds the lock for long either. Only a context with `threshold` objects or more is sent out:
below that, the in-process compare is quicker than a process start, and `status`/`diff` of small apps never
start one. The workers start on the first big reconcile and live as long as the Workspace (one process
start per session, not per round). Should a worker die, that round is compared here instead and a new pool
is made for the next.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import resource_tracker
from typing import Any, TypeVar

from gitops_tui.engine.compare import AppInputs, compare_app
from gitops_tui.engine.managedfields import noops
from gitops_tui.model import AppStatus, Obj

R = TypeVar("R")

THRESHOLD = 1_000  # objects in one context's reconcile from which the work is sent to the workers
_SLICE = 100  # (live, desired) pairs per no-op task: each pickles in about a millisecond


def _compare(inputs: AppInputs, revision: str, context: str, now: float) -> AppStatus:
    return compare_app(inputs, revision=revision, context=context, now=now)


class Offload:
    """Worker processes for big reconciles; `compare_apps` and `noop_checks` decide per call whether to use
    them. Thread-safe; `close` ends the workers."""

    def __init__(self, threshold: int = THRESHOLD, workers: int | None = None) -> None:
        self.threshold = threshold
        self.workers = workers or max(1, min(2, os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self.sent = 0  # tasks run in a worker, for tests and benchmarks

    def wanted(self, objects: int) -> bool:
        return objects >= self.threshold

    def compare_apps(
        self, inputs: Sequence[AppInputs], *, revision: str, context: str, now: float
    ) -> list[AppStatus]:
        """compare_app of each, in the workers when there are `threshold` desired objects or more."""
        calls = [(i, revision, context, now) for i in inputs]
        if not self.wanted(sum(len(i.desired) for i in inputs)):
            return [_compare(*call) for call in calls]
        return self._map(_compare, calls)

    def noop_checks(self, pairs: Sequence[tuple[Obj, Obj]], manager: str) -> list[bool]:
        """Which (live, desired) applies managedFields prove to be no-ops, in the workers for many pairs."""
        if not self.wanted(len(pairs)):
            return noops(pairs, manager)
        calls = [(pairs[i : i + _SLICE], manager) for i in range(0, len(pairs), _SLICE)]
        return [flag for answer in self._map(noops, calls) for flag in answer]

    def _map(self, fn: Callable[..., R], calls: Sequence[tuple[Any, ...]]) -> list[R]:
        """fn(*call) for each call in the workers; here, should a worker die (killed, out of memory)."""
        pool = self._get_pool()
        try:
            futures: list[Future[R]] = [pool.submit(fn, *call) for call in calls]
            results = [f.result() for f in futures]
        except BrokenProcessPool:  # this round here, a new pool for the next
            self._drop(pool)
            return [fn(*call) for call in calls]
        self.sent += len(calls)
        return results

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the TUI's process has threads (the event loop, watches, the HTTP pools),
                # and a forked child could inherit a lock one of them held
                with _real_stderr(), _without_main():
                    # multiprocessing's resource tracker hands the child sys.stderr's descriptor, which
                    # under Textual is a capture with none ("bad value(s) in fds_to_keep")
                    resource_tracker.ensure_running()
                    pool = ProcessPoolExecutor(
                        max_workers=self.workers,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_lower_priority,
                    )
                    # every worker starts now, while stderr is the real one and the main module a
                    # package's: the pool spawns a worker per submit that finds none idle, so one task
                    # per worker at once starts them all (one at a time, the later ones would start
                    # outside these guards and run the main script again)
                    for started in [pool.submit(int) for _ in range(self.workers)]:
                        started.result()
                self._pool = pool
            return self._pool

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _lower_priority() -> None:
    """A worker yields the CPU to the TUI's process: on a busy machine the keys come first."""
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)


@contextlib.contextmanager
def _without_main() -> Iterator[None]:
    """A spawned child first runs the parent's main script again (as __mp_main__), unless that is a
    package's __main__: for `gitops-tui`, or a benchmark, that is the whole CLI and Textual imported for
    nothing, a second of CPU taken from the TUI. The workers need only what they unpickle, so the main
    module passes for a package's while they start."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = getattr(main, "__spec__", None)
    main.__spec__ = importlib.machinery.ModuleSpec("__main__", None)
    try:
        yield
    finally:
        main.__spec__ = saved


@contextlib.contextmanager
def _real_stderr() -> Iterator[None]:
    captured = sys.stderr
    try:
        usable = captured.fileno() >= 0  # Textual's print capture answers -1
    except (AttributeError, OSError, ValueError):
        usable = False
    if not usable and sys.__stderr__ is not None:
        sys.stderr = sys.__stderr__
    try:
        yield
    finally:
        sys.stderr = captured
