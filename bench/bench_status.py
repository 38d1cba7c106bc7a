"""`gitops-tui status` and `diff` at scale against the sandbox, and `kubectl diff --server-side` beside it.

    python3 bench/bench_status.py [--apps 200] [--resources 20] [--latency-ms 2] [--runs 3]

Builds an Argo CD repo of APPS x RESOURCES objects (bench/genrepo.py), syncs it into an in-process sandbox
API server, makes some drift, adds LATENCY ms to every request, then runs the commands as subprocesses (so
their wall time and peak RSS are theirs alone) and counts what the server received:

- cold `status --json` (empty dry-run cache): wall time, peak RSS, dry runs and LISTs sent;
- warm `status --json` with nothing changed: must send no dry run;
- one 200-resource Kustomize app: `gitops-tui diff APP` (cold cache) against
  `kubectl diff --server-side -k DIR` (one dry-run PATCH per object, serially).

Prints a table. Targets (issue 2): cold status < 10 s and < 400 MB; warm status: 0 dry runs; diff >= 5x
faster than kubectl.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import genrepo  # noqa: E402

from gitops_tui.config import Settings  # noqa: E402
from gitops_tui.orchestration.reconcile import Workspace  # noqa: E402
from gitops_tui.sandbox.demo import initial_sync  # noqa: E402
from gitops_tui.sandbox.kubectl import Kubectl  # noqa: E402
from gitops_tui.sandbox.server import SandboxServer  # noqa: E402
from gitops_tui.source.repo import GitRepo  # noqa: E402

CONTEXT = "sandbox"


class Measured(subprocess.Popen):  # type: ignore[type-arg]
    """A Popen whose wait() uses os.wait4, keeping the child's own peak RSS."""

    peak_rss_mb = 0.0
    cpu_s = 0.0

    def _try_wait(self, wait_flags: int):  # type: ignore[no-untyped-def]
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return (self.pid, 0)
        if pid == self.pid:
            self.peak_rss_mb = usage.ru_maxrss / 1024
            self.cpu_s = usage.ru_utime + usage.ru_stime
        return (pid, status)


@dataclass
class Run:
    wall: float
    rss_mb: float
    cpu_s: float
    code: int
    output: str


def measure(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> Run:
    start = time.perf_counter()
    proc = Measured(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    run = Run(
        time.perf_counter() - start,
        proc.peak_rss_mb,
        proc.cpu_s,
        proc.returncode,
        out.decode() + err.decode(),
    )
    assert run.code in (0, 1) and run.output.strip(), run.output[-2000:]
    return run


def requests_since(server: SandboxServer, since: int) -> dict[str, int]:
    recs = server.requests.records[since:]
    return {
        "dry runs": sum(1 for r in recs if r.dry_run),
        "LISTs": sum(1 for r in recs if r.verb == "list"),
        "GETs": sum(1 for r in recs if r.verb == "get"),
        "all": len(recs),
    }


def populate(repo: Path, kubeconfig: Path, manager: str = "gitops-tui") -> None:
    ws = Workspace(Settings(repo=str(repo), kubeconfig=str(kubeconfig), context=CONTEXT), GitRepo(repo))
    namespaces = [d for d in yaml.safe_load_all((repo / "namespaces.yaml").read_text()) if d]
    initial_sync(ws.client(), namespaces + ws.desired_objects(), manager=manager)
    ws.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--resources", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--diff-resources", type=int, default=200)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="gitops-tui-bench-"))
    rows: list[tuple[str, str]] = []
    objects = args.apps * args.resources
    try:
        for manager, what in (
            ("gitops-tui", "applied by gitops-tui (its managedFields answer most dry runs)"),
            ("argocd-controller", "applied by argocd-controller (every object needs a dry run)"),
        ):
            rows.append((f"{objects} objects {what}", ""))
            rows.extend(bench_status(tmp / manager, args, manager))
        rows.extend(bench_diff(tmp / "diff", args))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\nstatus/diff benchmark: {args.apps} apps x {args.resources} resources, {args.latency_ms:g} ms latency "
        f"per request, {args.runs} runs, {os.cpu_count()} CPUs, kubectl {_kubectl_version()}"
    )
    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


def _summary(runs: list[Run]) -> str:
    walls = sorted(r.wall for r in runs)
    return f"{walls[0]:.2f} s best, {statistics.median(walls):.2f} s median"


def bench_status(tmp: Path, args: argparse.Namespace, manager: str) -> list[tuple[str, str]]:
    server = SandboxServer(controllers=False).start()
    try:
        kubeconfig = server.write_kubeconfig(tmp / "kubeconfig", context=CONTEXT)
        repo = genrepo.generate(tmp / "repo", args.apps, args.resources)
        t = time.perf_counter()
        populate(repo, kubeconfig, manager)
        print(
            f"populated {args.apps * args.resources} objects in {time.perf_counter() - t:.1f} s",
            file=sys.stderr,
        )
        kubectl = Kubectl(str(kubeconfig), CONTEXT)
        for n in range(0, args.apps, max(1, args.apps // 10)):  # drift in one app of ten
            kubectl.scale("Deployment", f"team-{n % 20:02d}", f"app-{n:03d}-worker-0", 5)
        kubectl.close()
        server.faults.latency_ms = args.latency_ms
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "XDG_STATE_HOME": str(tmp / "state")}
        status = [
            sys.executable,
            "-m",
            "gitops_tui",
            "status",
            "--json",
            "--repo",
            str(repo),
            "--context",
            CONTEXT,
        ]
        cold: list[Run] = []
        warm: list[Run] = []
        cold_req: dict[str, int] = {}
        warm_req: dict[str, int] = {}
        for i in range(args.runs):
            run_env = {**env, "XDG_CACHE_HOME": str(tmp / f"cache-{i}")}  # empty: a cold dry-run cache
            since = len(server.requests.records)
            cold.append(measure(status, run_env))
            cold_req = requests_since(server, since)
            since = len(server.requests.records)
            warm.append(measure(status, run_env))
            warm_req = requests_since(server, since)
    finally:
        server.stop()
    rows = []
    for label, runs, req in (
        ("cold status --json", cold, cold_req),
        ("second status, nothing changed", warm, warm_req),
    ):
        rows.append((f"  {label}", _summary(runs)))
        rows.append(
            (
                "    peak RSS, CPU",
                f"{max(r.rss_mb for r in runs):.0f} MB, {statistics.median(r.cpu_s for r in runs):.1f} s CPU",
            )
        )
        rows.append(
            ("    requests", f"{req['dry runs']} dry runs, {req['LISTs']} LISTs, {req['all']} in all")
        )
    return rows


def bench_diff(tmp: Path, args: argparse.Namespace) -> list[tuple[str, str]]:
    """One big Kustomize app: `gitops-tui diff` against `kubectl diff --server-side`, each with a cold cache,
    (1) last applied by another manager, so both must dry-run every object, at the issue's 2 ms latency and
    at 20 ms (a cluster across a network), and (2) last synced by gitops-tui, whose managedFields answer."""
    server = SandboxServer(controllers=False).start()
    rows: list[tuple[str, str]] = []
    n = args.diff_resources
    try:
        kubeconfig = server.write_kubeconfig(tmp / "kubeconfig", context=CONTEXT)
        big = genrepo.generate(tmp / "repo", 1, n)
        app_dir = big / "apps" / "app-000"
        (app_dir / "kustomization.yaml").write_text("resources:\n  - resources.yaml\n")
        subprocess.run(["git", "-C", str(big), "add", "-A"], check=True)
        subprocess.run(
            [
                "git",
                "-C",
                str(big),
                "-c",
                "user.name=b",
                "-c",
                "user.email=b@x",
                "commit",
                "-qm",
                "kustomize",
            ],
            check=True,
        )
        env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
        ours_cmd = [
            sys.executable,
            "-m",
            "gitops_tui",
            "diff",
            "app-000",
            "--repo",
            str(big),
            "--context",
            CONTEXT,
        ]
        theirs_cmd = ["kubectl", "diff", "--server-side", "--force-conflicts", "-k", str(app_dir)]
        for manager, latency in (
            ("argocd-controller", args.latency_ms),
            ("argocd-controller", 20.0),
            ("gitops-tui", args.latency_ms),
        ):
            server.faults.latency_ms = 0
            populate(big, kubeconfig, manager)
            kubectl = Kubectl(str(kubeconfig), CONTEXT)
            for i in range(0, min(n, 20), 4):  # five Deployments scaled by hand: something to show
                kubectl.scale("Deployment", "team-00", f"app-000-worker-{i}", 7)
            kubectl.close()
            server.faults.latency_ms = latency
            ours: list[Run] = []
            theirs: list[Run] = []
            ours_req: dict[str, int] = {}
            theirs_req: dict[str, int] = {}
            for i in range(args.runs):
                run_env = {**env, "XDG_CACHE_HOME": str(tmp / f"cache-{manager}-{latency}-{i}")}
                since = len(server.requests.records)
                ours.append(measure(ours_cmd, run_env))
                ours_req = requests_since(server, since)
                since = len(server.requests.records)
                theirs.append(measure(theirs_cmd, run_env))
                theirs_req = requests_since(server, since)
            warm: list[Run] = []
            warm_env = {**env, "XDG_CACHE_HOME": str(tmp / f"cache-{manager}-{latency}-warm")}
            measure(ours_cmd, warm_env)  # fills the render and dry-run caches
            since = len(server.requests.records)
            for _ in range(args.runs):
                warm.append(measure(ours_cmd, warm_env))
            warm_req = requests_since(server, since)
            o, k = statistics.median(r.wall for r in ours), statistics.median(r.wall for r in theirs)
            w = statistics.median(r.wall for r in warm)
            rows += [
                (f"one {n}-resource Kustomize app last applied by {manager}, {latency:g} ms latency", ""),
                ("  gitops-tui diff APP (cold cache)", _summary(ours)),
                ("    requests", f"{ours_req['dry runs']} dry runs, {ours_req['all']} in all"),
                ("  gitops-tui diff APP again (warm: render and dry-run caches)", _summary(warm)),
                (
                    "    requests",
                    f"{warm_req['dry runs'] // args.runs} dry runs, {warm_req['all'] // args.runs} in all",
                ),
                ("  kubectl diff --server-side -k DIR", _summary(theirs)),
                ("    requests", f"{theirs_req['dry runs']} dry runs, {theirs_req['all']} in all"),
                ("  gitops-tui is faster by (median)", f"{k / o:.1f}x cold, {k / w:.1f}x warm"),
            ]
    finally:
        server.stop()
    return rows


def _kubectl_version() -> str:
    try:
        out = subprocess.run(
            ["kubectl", "version", "--client", "-o", "yaml"], capture_output=True, text=True
        ).stdout
        return str(yaml.safe_load(out)["clientVersion"]["gitVersion"])
    except Exception:  # noqa: BLE001
        return "?"


if __name__ == "__main__":
    main()
