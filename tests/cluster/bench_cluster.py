"""By-hand benchmark of the live side against the sandbox run as a subprocess (never collected by pytest).

    python -m tests.cluster.bench_cluster [--objects 4000] [--latency-ms 2] [--workers 16]

Seeds N objects across 20 (kind, namespace) pairs, then times: one fetch_live (one LIST per pair), a cold
DryRunCache.predict of every object (N dry-run PATCHes, max_workers at a time) and a warm one (no requests).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.dryrun import DryRunCache
from gitops_tui.cluster.live import fetch_live
from gitops_tui.model import ResourceKey

KINDS = ("ConfigMap", "Secret", "Service", "Deployment", "ServiceAccount")
NAMESPACES = tuple(f"bench-{i}" for i in range(4))


def make(kind: str, ns: str, i: int) -> dict:
    meta = {"name": f"{kind.lower()}-{i}", "namespace": ns, "labels": {"app": f"a{i}"}}
    if kind == "ConfigMap":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "data": {"k": str(i), "conf": "x" * 200}}
    if kind == "Secret":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "stringData": {"password": f"p{i}"}}
    if kind == "Service":
        spec = {"selector": {"app": f"a{i}"}, "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}
        return {"apiVersion": "v1", "kind": kind, "metadata": meta, "spec": spec}
    if kind == "ServiceAccount":
        return {"apiVersion": "v1", "kind": kind, "metadata": meta}
    container = {"name": "web", "image": f"nginx:1.{i % 30}", "env": [{"name": "N", "value": str(i)}]}
    spec = {
        "selector": {"matchLabels": {"app": f"a{i}"}},
        "template": {"metadata": {"labels": {"app": f"a{i}"}}, "spec": {"containers": [container]}},
    }
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}


def start_sandbox(kubeconfig: Path, latency_ms: float) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gitops_tui.sandbox", "--port", "0", "--kubeconfig", str(kubeconfig)]
        + ["--latency-ms", str(latency_ms)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while not kubeconfig.exists() or not kubeconfig.read_text().strip():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"sandbox did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
        time.sleep(0.05)
    return proc


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=4000)
    ap.add_argument("--latency-ms", type=float, default=2.0)
    ap.add_argument("--workers", type=int, default=16)
    args = ap.parse_args()
    per_pair = args.objects // (len(KINDS) * len(NAMESPACES))
    tmp = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    proc = start_sandbox(tmp / "kubeconfig", args.latency_ms)
    try:
        client = ClusterClient.from_kubeconfig(str(tmp / "kubeconfig"), max_workers=args.workers, timeout=60)
        client.apply_many(
            [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}} for n in NAMESPACES],
            manager="bench",
        )
        objs = [make(k, ns, i) for k in KINDS for ns in NAMESPACES for i in range(per_pair)]
        seed_s, results = timed(lambda: client.apply_many(objs, manager="gitops-tui"))
        failures = [r for r in results if isinstance(r, Exception)]
        if failures:
            raise SystemExit(f"{len(failures)} seed applies failed, first: {failures[0]}")
        wanted = {(o["apiVersion"], o["kind"], o["metadata"]["namespace"]) for o in objs}
        fetch_live(client, wanted)  # warm discovery
        before = client.requests
        list_s, snap = timed(lambda: fetch_live(client, wanted), repeat=5)
        lists = (client.requests - before) // 5
        pairs = [(o, snap.objects.get(ResourceKey.of(o))) for o in objs]
        rows = [
            ("seed: SSA apply", len(objs), seed_s, len(objs)),
            ("fetch_live (median of 5)", len(snap.objects), list_s, lists),
        ]
        for workers in sorted({1, 4, args.workers}):
            with ClusterClient.from_kubeconfig(str(tmp / "kubeconfig"), max_workers=workers, timeout=60) as c:
                cache = DryRunCache()
                before = c.requests
                cold_s, _ = timed(lambda c=c, cache=cache: cache.predict(c, pairs, manager="gitops-tui"))
                rows.append((f"dry run cold, max_workers={workers}", len(pairs), cold_s, c.requests - before))
                before = c.requests
                warm_s, _ = timed(
                    lambda c=c, cache=cache: cache.predict(c, pairs, manager="gitops-tui"), repeat=5
                )
                rows.append(
                    (f"dry run warm (cached), max_workers={workers}", len(pairs), warm_s, c.requests - before)
                )
        print(
            f"sandbox latency {args.latency_ms} ms/request, {len(KINDS) * len(NAMESPACES)} kind+namespace pairs"
        )
        print(f"{'step':44} {'objects':>8} {'seconds':>9} {'requests':>9} {'obj/s':>9}")
        for name, n, secs, reqs in rows:
            print(f"{name:44} {n:8d} {secs:9.3f} {reqs:9d} {n / secs if secs else 0:9.0f}")
        client.close()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
