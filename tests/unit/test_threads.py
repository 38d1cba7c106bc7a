"""Daemon-thread work (`gitops_tui.threads`): results in order, exceptions through the futures, and a hung
call that never holds the process open — the reason it exists (quitting the TUI during a hung render)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from gitops_tui.threads import DaemonPool, daemon_map


def test_results_come_back_in_order_and_errors_through_their_future() -> None:
    def square(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        return n * n

    futures = daemon_map(square, [1, 2, 3, 4], max_workers=2, name="t")
    assert [f.result(timeout=10) for f in futures if f is not futures[2]] == [1, 4, 16]
    with pytest.raises(ValueError, match="three"):
        futures[2].result(timeout=10)


def test_at_most_max_workers_run_at_once() -> None:
    running, peak, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def work(_: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        release.wait(10)
        with lock:
            running -= 1

    futures = daemon_map(work, list(range(6)), max_workers=3, name="t")
    release.set()
    for f in futures:
        f.result(timeout=10)
    assert peak <= 3


def test_a_hung_render_does_not_hold_the_process_open(tmp_path: Path) -> None:
    """A reconcile on a daemon thread (as the TUI runs it) is inside `kubectl kustomize`, which hangs;
    the process then ends. With thread pools that the interpreter joins at exit, it waited for the build
    (up to the 60 s render timeout)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    started = tmp_path / "started"
    kubectl = bin_dir / "kubectl"
    kubectl.write_text(f"#!/bin/sh\ntouch {started}\nexec sleep 117.25\n")
    kubectl.chmod(0o755)
    repo = tmp_path / "repo"
    for app in ("a", "b"):  # two Kustomize apps: the render pool, inside the render-while-connecting thread
        (repo / app).mkdir(parents=True)
        (repo / app / "kustomization.yaml").write_text("resources: []\n")
    (repo / ".gitops-tui.yaml").write_text("apps:\n  - {name: a, path: a}\n  - {name: b, path: b}\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    script = textwrap.dedent(
        f"""
        import os, threading, time
        from pathlib import Path
        from gitops_tui.config import Settings
        from gitops_tui.orchestration.reconcile import Workspace
        from gitops_tui.source.repo import GitRepo
        ws = Workspace(Settings(kubeconfig="{tmp_path / "none"}"), GitRepo(Path("{repo}")))
        threading.Thread(target=ws.reconcile_once, daemon=True).start()
        while not os.path.exists("{started}"):
            time.sleep(0.05)
        print("quitting", flush=True)
        """
    )
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )  # TimeoutExpired here is the failure: the process waited for the hung build
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "quitting\n"
    # ... and the hung build does not outlive it (it ran on, reparented to init, found in review)
    deadline = time.monotonic() + 10
    while _running("sleep 117.25") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running("sleep 117.25")


def _running(command: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                continue
            if cmdline == command:
                found.append(entry.name)
    return found


def test_a_pool_maps_in_order_and_its_shutdown_never_waits() -> None:
    seen: list[str] = []
    pool = DaemonPool(4, "t", initializer=lambda: seen.append(threading.current_thread().name))
    assert pool.map(lambda n: n + 1, [1, 2, 3]) == [2, 3, 4]
    with pytest.raises(KeyError):
        pool.map(lambda n: {}[n], [1])
    assert seen and all(name.startswith("t-") for name in seen)

    hung = threading.Event()
    started = threading.Event()
    pool = DaemonPool(1, "t")

    def block() -> None:
        started.set()
        hung.wait(30)

    running = pool.submit(block)
    queued = pool.submit(lambda: None)
    assert started.wait(10)
    pool.shutdown()  # returns although `block` is still running
    assert queued.cancelled() and running.running()
    with pytest.raises(RuntimeError, match="shut down"):
        pool.submit(lambda: None)
    hung.set()
