"""Background threads give way to a key (gitops_tui/giveway.py): they wait from the key to its frame, never
past the hold, never on the thread that pressed; the workers' answers and tasks give way where this
process pickles them. The app's part: tests/ui/test_giveway_app.py."""

from __future__ import annotations

import pickle
import threading
from collections.abc import Iterator

import pytest

from gitops_tui import giveway
from gitops_tui.orchestration import offload


@pytest.fixture(autouse=True)
def nothing_waiting() -> Iterator[None]:
    giveway.frame_drawn()
    yield
    giveway.frame_drawn()


def _in_thread(fn: object) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()

    def run() -> None:
        fn()  # type: ignore[operator]
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def test_no_key_no_wait() -> None:
    _, done = _in_thread(giveway.give_way)
    assert done.wait(5)


def test_a_background_thread_waits_for_the_keys_frame() -> None:
    giveway.key_pressed(hold=60)
    thread, done = _in_thread(giveway.give_way)
    assert not done.wait(0.2)  # still waiting: no frame yet
    giveway.frame_drawn()
    assert done.wait(5)
    thread.join(5)


def test_the_hold_runs_out_without_a_frame() -> None:
    giveway.key_pressed(hold=0.05)
    _, done = _in_thread(giveway.give_way)
    assert done.wait(5)
    _, again = _in_thread(giveway.give_way)  # past the hold: nobody waits any more
    assert again.wait(5)


def test_the_thread_that_pressed_never_waits_for_itself() -> None:
    def press_then_give_way() -> None:
        giveway.key_pressed(hold=60)
        giveway.give_way()

    _, done = _in_thread(press_then_give_way)
    assert done.wait(5)


def test_given_way_yields_every_item_and_gives_way_every_nth(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    seen: list[int] = []

    def record() -> None:
        calls.append(len(seen))

    monkeypatch.setattr(giveway, "give_way", record)
    for item in giveway.given_way(range(10), every=4):
        seen.append(item)
    assert seen == list(range(10))
    assert calls == [0, 4, 8]  # before items 0, 4 and 8


_gave_way: list[str] = []


def _recording_give_way() -> None:  # module-level: pickled by name, as the real one is
    _gave_way.append("gave way")


def test_a_workers_answer_is_read_after_giving_way(monkeypatch: pytest.MonkeyPatch) -> None:
    _gave_way.clear()
    sent = pickle.dumps(offload._answered(sorted, [3, 1, 2]))  # what a worker sends back
    monkeypatch.setattr(giveway, "give_way", _recording_give_way)
    assert pickle.loads(sent) == [1, 2, 3]
    assert _gave_way == ["gave way"]


def test_a_tasks_objects_are_written_after_giving_way(monkeypatch: pytest.MonkeyPatch) -> None:
    _gave_way.clear()
    monkeypatch.setattr(giveway, "give_way", _recording_give_way)
    data = {"kind": "ConfigMap", "data": {"a": "1"}}
    assert pickle.loads(pickle.dumps(offload._Plain(data))) == data
    assert _gave_way == ["gave way"]
