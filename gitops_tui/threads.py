"""Work on daemon threads, for calls that may hang (a `kustomize build` fetching a remote base, a render
waiting on its 60 s timeout).

`concurrent.futures.ThreadPoolExecutor` joins its workers when the interpreter exits, so one hung call held
the TUI open after `q` until it returned. These workers are daemons: an abandoned call dies with the
process. Results and exceptions come back through ordinary `Future`s.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def _run(call: Callable[[], R], future: Future[R]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(call())
    except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
        future.set_exception(exc)


def daemon_map(fn: Callable[[T], R], items: Sequence[T], *, max_workers: int, name: str) -> list[Future[R]]:
    """Start `fn(item)` for every item on at most `max_workers` daemon threads; one future per item, in order."""
    futures: list[Future[R]] = [Future() for _ in items]
    work: queue.SimpleQueue[tuple[T, Future[R]]] = queue.SimpleQueue()
    for pair in zip(items, futures, strict=True):
        work.put(pair)

    def worker() -> None:
        while True:
            try:
                item, future = work.get_nowait()
            except queue.Empty:
                return
            _run(functools.partial(fn, item), future)

    for index in range(max(1, min(max_workers, len(items)))):
        threading.Thread(target=worker, name=f"{name}-{index}", daemon=True).start()
    return futures


class DaemonPool:
    """A long-lived pool of daemon workers, started as work arrives (up to `max_workers`). `shutdown`
    cancels what has not started and never waits for what has: a request hung on a dead API server
    cannot hold the TUI open after `q`."""

    def __init__(self, max_workers: int, name: str, initializer: Callable[[], None] | None = None) -> None:
        self.max_workers = max(1, max_workers)
        self.name = name
        self._initializer = initializer
        self._work: queue.SimpleQueue[tuple[Callable[[], object], Future[object]] | None] = (
            queue.SimpleQueue()
        )
        self._lock = threading.Lock()
        self._threads = 0
        self._idle = 0
        self._queued = 0
        self._closed = False

    def submit(self, fn: Callable[[], R]) -> Future[R]:
        future: Future[R] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.name}: the pool is shut down")
            self._work.put((fn, future))  # type: ignore[arg-type]
            self._queued += 1
            if self._queued > self._idle and self._threads < self.max_workers:
                self._threads += 1
                name = f"{self.name}-{self._threads}"
                threading.Thread(target=self._worker, name=name, daemon=True).start()
        return future

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """fn over items, results in order; the first failure (in order) is raised and what has not
        started yet is cancelled."""
        futures = [self.submit(functools.partial(fn, item)) for item in items]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            workers = self._threads
        while True:
            try:
                task = self._work.get_nowait()
            except queue.Empty:
                break
            if task is not None:
                task[1].cancel()
        for _ in range(workers):
            self._work.put(None)

    def _worker(self) -> None:
        if self._initializer is not None:
            self._initializer()
        while True:
            with self._lock:
                self._idle += 1
            task = self._work.get()
            with self._lock:
                self._idle -= 1
                if task is not None:
                    self._queued -= 1
            if task is None:
                return
            _run(*task)
