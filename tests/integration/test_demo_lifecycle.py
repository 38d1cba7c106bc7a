"""`gitops-tui demo --no-tui` leaves nothing behind, however it is stopped (Ctrl-C, SIGTERM, a closed
terminal's SIGHUP)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda s: s.name)
def test_demo_removes_its_directory_when_stopped(sig: signal.Signals, tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitops_tui", "demo", "--no-tui"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        else:
            pytest.fail("demo did not start: " + "".join(lines) + proc.stderr.read())  # type: ignore[union-attr]
        repo = Path(next(x for x in lines if x.startswith("repo:")).split(":", 1)[1].strip())
        assert repo.is_dir() and repo.is_relative_to(tmp_path)
        proc.send_signal(sig)
        proc.wait(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert list(tmp_path.iterdir()) == []
