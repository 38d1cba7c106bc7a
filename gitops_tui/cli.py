"""Command line entry point (DESIGN §3). Builds the real collaborators and hands them in."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gitops-tui", description=__doc__)
    parser.add_argument("--repo", help="Git checkout of the config repository (default: Git root of .)")
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    parser.add_argument("--context", help="kube context (default: the current one)")
    parser.add_argument("--read-only", action="store_true", help="hide and refuse every mutation")
    parser.add_argument("--auto", action="store_true", help="run automated sync policies")
    parser.add_argument("--version", action="version", version="gitops-tui 0.1.0")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    parser.parse_args(argv)
    print("gitops-tui: not built yet", file=sys.stderr)
    return 2
