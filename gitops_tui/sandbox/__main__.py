"""`python -m gitops_tui.sandbox --port 0 --kubeconfig PATH [--latency-ms N]`: the sandbox as a process.

Prints the server URL as its first stdout line, serves until SIGTERM or SIGINT, then stops cleanly.
Benchmarks use it so the server has its own interpreter (and GIL).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from gitops_tui.sandbox.server import SandboxServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gitops_tui.sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--kubeconfig", help="write a kubeconfig for the server here")
    parser.add_argument("--context", default="sandbox")
    parser.add_argument("--namespace", default="default")
    parser.add_argument("--token", default=None, help="require this bearer token")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--controllers", action="store_true", help="write healthy workload status")
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = SandboxServer(args.host, args.port, args.token, controllers=args.controllers).start()
    try:
        server.faults.latency_ms = args.latency_ms
        if args.kubeconfig:
            server.write_kubeconfig(args.kubeconfig, context=args.context, namespace=args.namespace)
        print(server.url, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
