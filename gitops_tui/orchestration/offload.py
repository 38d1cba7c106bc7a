"""The CPU-heavy part of a big reconcile — the managedFields no-op checks and the normalize/compare — run in
worker processes, so that they do not hold the interpreter lock the TUI's event loop needs.

A reconcile is mostly the engine's pure functions over plain data (engine/), which pickles as it is: the
workers get `AppInputs` and give back `AppStatus`, one app (or one slice of objects) per task, so that no
single pickle holds the lock for long either. Only a context with `threshold` objects or more is sent out:
below that, the in-process compare is quicker than a process start, and `status`/`diff` of small apps never
start one. The workers start on the first big reconcile and live as long as the Workspace (one process
start per session, not per round). Should a worker die, that round is compared here instead and a new pool
is made for the next.

Sending a task holds the lock too: the queue's feeder thread pickles it. The objects (live, desired,
predicted: some 12 MB a 4,000-object round) are JSON data, which `marshal` writes three times quicker
than pickle does (0.8 against 2.6 ms for 100 live Deployments), so they travel as marshal bytes inside
the pickle (`_Plain`, `_objects`); the rest of a task (the app's spec, its rules, the keys) is pickled.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import marshal
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import resource_tracker
from typing import Any, TypeVar

from gitops_tui import giveway
from gitops_tui.engine.compare import AppInputs, compare_app
from gitops_tui.engine.managedfields import noops
from gitops_tui.model import AppStatus, Obj, ResourceKey

R = TypeVar("R")

THRESHOLD = 1_000  # objects in one context's reconcile from which the work is sent to the workers
_SLICE = 100  # (live, desired) pairs per no-op task: each pickles in about a millisecond


def _compare(inputs: AppInputs, revision: str, context: str, now: float) -> AppStatus:
    return compare_app(inputs, revision=revision, context=context, now=now)


class _Plain:
    """JSON data (dicts, lists, strings, numbers, booleans, None) that pickles as marshal bytes, and
    unpickles as the data itself. Data marshal cannot write (a YAML timestamp left as a datetime) is
    pickled as it is."""

    __slots__ = ("data",)

    def __init__(self, data: Any) -> None:
        self.data = data

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        giveway.give_way()  # the queue's feeder thread, here: a key's frame first (gitops_tui/giveway.py)
        try:
            return marshal.loads, (marshal.dumps(self.data),)
        except ValueError:
            return _itself, (self.data,)


def _itself(data: Any) -> Any:
    return data


class _GiveWay:
    """Unpickled as a call to `give_way`: put before an answer, the thread that unpickles the workers'
    answers in this process waits for a key's frame before it reads the answer."""

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return giveway.give_way, ()


class _Answer:
    """A worker's answer, read in this process after a `_GiveWay`."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        return _second, (_GiveWay(), self.value)


def _second(_first: Any, second: Any) -> Any:
    return second


def _answered(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) in a worker, sent back as an `_Answer`: what arrives here is fn(*args) itself."""
    return _Answer(fn(*args))


KeyTuple = tuple[str, str, str, str]


def _objects(inputs: AppInputs) -> tuple[Any, ...]:
    """An app's objects as one piece of JSON data (keys as tuples of strings), in one marshal: an object
    found twice (live, and its prediction when the apply is a no-op) is written once."""
    return (
        list(inputs.desired),
        list(inputs.extras),
        list(inputs.hooks),
        list(inputs.live_hooks),
        [(k.group, k.kind, k.namespace, k.name) for k in inputs.live],
        list(inputs.live.values()),
        [(k.group, k.kind, k.namespace, k.name) for k in inputs.predicted],
        list(inputs.predicted.values()),
    )


def _without_objects(inputs: AppInputs) -> AppInputs:
    return replace(inputs, desired=(), live={}, extras=(), predicted={}, hooks=(), live_hooks=())


def _compare_sent(
    inputs: AppInputs, objects: tuple[Any, ...], revision: str, context: str, now: float
) -> AppStatus:
    """`_compare` in a worker, of inputs sent as `_without_objects` and `_objects`."""
    desired, extras, hooks, live_hooks, live_keys, live, predicted_keys, predicted = objects
    whole = replace(
        inputs,
        desired=desired,
        extras=extras,
        hooks=hooks,
        live_hooks=live_hooks,
        live=_keyed(live_keys, live),
        predicted=_keyed(predicted_keys, predicted),
    )
    return compare_app(whole, revision=revision, context=context, now=now)


def _keyed(keys: list[KeyTuple], objects: list[Obj]) -> dict[ResourceKey, Obj]:
    return {ResourceKey(*k): o for k, o in zip(keys, objects, strict=True)}


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
        if not self.wanted(sum(len(i.desired) for i in inputs)):
            return [_compare(i, revision, context, now) for i in inputs]
        calls = [(i, revision, context, now) for i in inputs]
        return self._map(
            _compare, calls, lambda c: (_compare_sent, _without_objects(c[0]), _Plain(_objects(c[0])), *c[1:])
        )

    def noop_checks(self, pairs: Sequence[tuple[Obj, Obj]], manager: str) -> list[bool]:
        """Which (live, desired) applies managedFields prove to be no-ops, in the workers for many pairs."""
        if not self.wanted(len(pairs)):
            return noops(pairs, manager)
        calls = [(pairs[i : i + _SLICE], manager) for i in range(0, len(pairs), _SLICE)]
        answers = self._map(noops, calls, lambda call: (noops, _Plain(list(call[0])), call[1]))
        return [flag for answer in answers for flag in answer]

    def _map(
        self,
        fn: Callable[..., R],
        calls: Sequence[tuple[Any, ...]],
        sent: Callable[[tuple[Any, ...]], tuple[Any, ...]],
    ) -> list[R]:
        """fn(*call) for each call: in the workers as `sent(call)` (a function and its arguments that give
        what fn(*call) does, quicker to send); here, should a worker die (killed, out of memory)."""
        pool = self._get_pool()
        try:
            futures: list[Future[R]] = [pool.submit(_answered, *sent(call)) for call in calls]
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
