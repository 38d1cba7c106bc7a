"""ApplicationSet expansion at scale: a git directory generator over N directories (issue 12).

    python3 bench/bench_appset.py [--dirs 500] [--runs 7]

Builds a checkout of `apps/app-NNN/envs/prod` directories and expands one ApplicationSet over
`apps/*/envs/prod`, with goTemplate (Helm's Go engine) and with fasttemplate. The first goTemplate run of
the process includes loading Helm's library and the template chart; the others reuse the cached chart.
Prints a table; the target is well under 0.5 s for 500 directories.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gitops_tui.source.appset import AppSetContext, expand_application_set  # noqa: E402

REPO = "https://example.com/org/repo.git"


def _appset(go: bool) -> dict:
    if go:
        name, path, ns = (
            "{{index .path.segments 1}}-{{index .path.segments 3}}",
            "{{.path.path}}",
            "{{ .path.segments | last }}",
        )
        label = "{{ .path.basename | normalize }}"
    else:
        name, path, ns, label = (
            "{{path[1]}}-{{path[3]}}",
            "{{path}}",
            "{{path.basename}}",
            "{{path.basenameNormalized}}",
        )
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ApplicationSet",
        "metadata": {"name": "bench", "namespace": "argocd"},
        "spec": {
            "goTemplate": go,
            "goTemplateOptions": ["missingkey=error"] if go else [],
            "generators": [
                {"git": {"repoURL": REPO, "revision": "HEAD", "directories": [{"path": "apps/*/envs/prod"}]}}
            ],
            "template": {
                "metadata": {"name": name, "labels": {"env": label}},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": REPO, "targetRevision": "HEAD", "path": path},
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
                },
            },
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dirs", type=int, default=500)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i in range(args.dirs):
            d = root / "apps" / f"app-{i:03d}" / "envs" / "prod"
            d.mkdir(parents=True)
            (d / "kustomization.yaml").write_text("resources: []\n")
            (root / "apps" / f"app-{i:03d}" / "base").mkdir()
            (root / "apps" / f"app-{i:03d}" / "base" / "kustomization.yaml").write_text("resources: []\n")
        ctx = AppSetContext(tree=root, remotes=(REPO,))
        print(f"{args.dirs} directories matched, {args.runs} runs")
        print("| template syntax | first run | median of the others | Applications |")
        print("|---|---|---|---|")
        for go in (True, False):
            doc = _appset(go)
            times = []
            count = 0
            for _ in range(args.runs):
                start = time.perf_counter()
                result = expand_application_set(doc, "bench.yaml:1", ctx)
                times.append(time.perf_counter() - start)
                if result.error:
                    raise SystemExit(result.error)
                count = len(result.applications)
            rest = statistics.median(times[1:]) if len(times) > 1 else times[0]
            print(
                f"| {'goTemplate' if go else 'fasttemplate'} | {times[0] * 1000:.0f} ms | {rest * 1000:.0f} ms | {count} |"
            )


if __name__ == "__main__":
    main()
