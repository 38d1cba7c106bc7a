"""The reconcile loop against the sandbox: how fast a change shows, what an idle loop costs, whether memory
stays flat.

    python3 bench/bench_loop.py [--runs 5] [--idle 10] [--interval 2] [--soak 10000]

Builds the demo repo and sandbox (gitops_tui.sandbox.demo), then measures:

- live: `kubectl scale` (the real /usr/bin/kubectl, as an operator would) → the drift line in the output of
  `gitops-tui watch` (a subprocess); target < 1 s;
- file: saving a manifest in the working tree → the loop's snapshot shows the new drift; target < 1 s;
- idle: requests the loop sends over IDLE seconds with nothing changing (interval INTERVAL): LISTs per kind
  per period and dry runs (target: <= 1 and 0);
- soak: SOAK reconcile cycles (a full reconcile every 100th, the app of a live change otherwise, as the loop
  does), RSS at start and end.
"""

from __future__ import annotations

import argparse
import collections
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from gitops_tui.config import Settings
from gitops_tui.orchestration.heap import HeapPolicy
from gitops_tui.orchestration.loop import ReconcileEngine
from gitops_tui.orchestration.reconcile import Snapshot, Workspace
from gitops_tui.sandbox.demo import CONTEXT, demo_environment
from gitops_tui.source.repo import GitRepo


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def kubectl(kubeconfig: Path, *args: str) -> None:
    subprocess.run(
        ["kubectl", "--kubeconfig", str(kubeconfig), "--context", CONTEXT, *args],
        check=True,
        capture_output=True,
    )


def bench_live(demo, runs: int) -> list[float]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "gitops_tui", "watch", "--repo", str(demo.repo)]
    cmd += ["--kubeconfig", str(demo.kubeconfig), "--context", CONTEXT]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()  # type: ignore[union-attr]
    try:
        deadline = time.monotonic() + 60
        seen = 0
        while seen < 4 and time.monotonic() < deadline:  # the first reconcile: one line per app
            if " api-production " in lines.get(timeout=60):
                seen = 4
        time.sleep(2.0)  # watches started
        while not lines.empty():
            lines.get()
        took = []
        for i in range(runs):
            replicas = 11 + i
            start = time.monotonic()
            kubectl(demo.kubeconfig, "scale", "deployment/api", "-n", "production", f"--replicas={replicas}")
            while True:
                line = lines.get(timeout=30)
                if " api-production " in line and "Deployment.apps/production/api" in line:
                    took.append(time.monotonic() - start)
                    break
            time.sleep(0.3)
            while not lines.empty():
                lines.get()
        return took
    finally:
        proc.terminate()
        proc.wait(10)


def engine_for(
    demo, interval: float, watch_files: bool = True
) -> tuple[Workspace, ReconcileEngine, list[Snapshot]]:
    settings = Settings(repo=str(demo.repo), kubeconfig=str(demo.kubeconfig), context=CONTEXT)
    ws = Workspace(settings, GitRepo(demo.repo))
    snaps: list[Snapshot] = []
    engine = ReconcileEngine(ws, interval=interval, on_snapshot=snaps.append, watch_files=watch_files)
    threading.Thread(target=engine.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not (snaps and engine.watched) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.0)
    return ws, engine, snaps


def bench_file(demo, runs: int) -> list[float]:
    ws, engine, snaps = engine_for(demo, 300)
    path = demo.repo / "web" / "deployment.yaml"
    original = path.read_text()
    took = []
    try:
        for i in range(runs):
            marker = f"bench-{i}"
            before = len(snaps)
            start = time.monotonic()
            path.write_text(original.replace('owner: "storefront-team"', f'owner: "{marker}"', 1))
            while True:
                if len(snaps) > before:
                    web = snaps[-1].app("web")
                    if web and any(any(str(d.git) == marker for d in r.drift) for r in web.resources):
                        took.append(time.monotonic() - start)
                        break
                if time.monotonic() - start > 30:
                    raise SystemExit("the saved file never showed up")
                time.sleep(0.005)
    finally:
        path.write_text(original)
        engine.stop()
        ws.close()
    return took


def bench_idle(demo, seconds: float, interval: float) -> tuple[int, dict[str, int], int, int]:
    ws, engine, _snaps = engine_for(demo, interval, watch_files=False)
    try:
        since = len(demo.server.requests.records)
        cycles = engine.cycles
        time.sleep(seconds)
        records = demo.server.requests.records[since:]
        periods = engine.cycles - cycles
        lists = collections.Counter(
            f"{r.resource} {r.namespace}".strip() for r in records if r.verb == "list"
        )
        dry = sum(1 for r in records if r.dry_run)
        return periods, dict(lists), dry, len(records)
    finally:
        engine.stop()
        ws.close()


def bench_soak(demo, cycles: int) -> tuple[float, float, float, float]:
    settings = Settings(repo=str(demo.repo), kubeconfig=str(demo.kubeconfig), context=CONTEXT)
    ws = Workspace(settings, GitRepo(demo.repo))
    heap = HeapPolicy()  # as the loop runs: what survives a reconcile frozen, a full collection every 10 min
    heap.start()
    try:
        ws.reconcile_once()
        for _ in range(20):  # warm up (imports, caches)
            ws.reconcile_once(only=["web"])
            heap.after_reconcile()
        start_rss, start = rss_mb(), time.monotonic()
        for i in range(cycles):
            heap.after_reconcile()
            if i % 100 == 0:
                # The sandbox runs in this process and logs every request (up to 100,000 records): that
                # is the bench's instrument, not the loop's memory, so it is emptied as it goes.
                demo.server.requests.clear()
                ws.reconcile_once()
            else:
                ws.reconcile_once(only=["web"])
        return start_rss, rss_mb(), time.monotonic() - start, max(rss_mb(), start_rss)
    finally:
        heap.stop()
        ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--soak", type=int, default=10_000)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with demo_environment() as demo:
        live = bench_live(demo, args.runs)
        rows.append(("kubectl scale -> drift line in `watch`", _stats(live), "< 1 s"))
        saved = bench_file(demo, args.runs)
        rows.append(("manifest saved -> updated status", _stats(saved), "< 1 s"))
        periods, lists, dry, total = bench_idle(demo, args.idle, args.interval)
        worst = max(lists.values()) if lists else 0
        rows.append(
            (
                f"idle {args.idle:g} s, interval {args.interval:g} s",
                f"{periods} periods, {total} requests, max {worst} LIST per kind, {dry} dry runs",
                "<= 1 LIST/kind/period, 0 dry runs",
            )
        )
        if args.soak:
            start_rss, end_rss, took, _ = bench_soak(demo, args.soak)
            rows.append(
                (
                    f"soak {args.soak} reconcile cycles",
                    f"RSS {start_rss:.0f} MB -> {end_rss:.0f} MB in {took:.0f} s ({took / args.soak * 1000:.1f} ms/cycle)",
                    "flat",
                )
            )
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    print(f"{'measure':<{width}}  {'result':<{value_width}}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {target}")


def _stats(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms (n={len(ms)})"


if __name__ == "__main__":
    main()
