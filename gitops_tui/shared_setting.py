"""A process-wide setting that several holders change together (tests run several loops and apps in one
process): the first hold saves it and changes it, the last release gives back what it was."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedSetting(Generic[T]):
    """`change()` sets the setting and returns what it was; `restore(saved)` puts that back."""

    def __init__(self, change: Callable[[], T], restore: Callable[[T], None]) -> None:
        self._change = change
        self._restore = restore
        self._lock = threading.Lock()
        self._holders = 0
        self._saved: T | None = None

    def hold(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._saved = self._change()
            self._holders += 1

    def release(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0:
                saved, self._saved = self._saved, None
                self._restore(saved)  # type: ignore[arg-type]  # set by the first hold
