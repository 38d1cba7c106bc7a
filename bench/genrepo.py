"""Generate a large GitOps repo for the benchmarks: N Argo CD apps x M resources, plain YAML and Kustomize.

python bench/genrepo.py DEST --apps 200 --resources 20
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import yaml


def _deployment(app: str, ns: str, i: int) -> dict:
    name = f"{app}-worker-{i}"
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/name": name}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": f"registry.example.com/{app}:1.{i}.0",
                            "ports": [{"containerPort": 8080, "name": "http"}],
                            "env": [
                                {"name": "LOG_LEVEL", "value": "info"},
                                {"name": "SHARD", "value": str(i)},
                            ],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                        }
                    ]
                },
            },
        },
    }


def _service(app: str, ns: str, i: int) -> dict:
    name = f"{app}-worker-{i}"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "selector": {"app.kubernetes.io/name": name},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
        },
    }


def _configmap(app: str, ns: str, i: int) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{app}-config-{i}", "namespace": ns},
        "data": {"settings.yaml": f"shard: {i}\nfeature_x: true\n", "MODE": "production"},
    }


def app_objects(app: str, ns: str, resources: int) -> list[dict]:
    makers = (_deployment, _service, _configmap, _configmap)
    return [makers[i % len(makers)](app, ns, i) for i in range(resources)]


def generate(dest: Path, apps: int, resources: int) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "argocd").mkdir(exist_ok=True)
    namespaces = []
    for n in range(apps):
        app, ns = f"app-{n:03d}", f"team-{n % 20:02d}"
        if ns not in namespaces:
            namespaces.append(ns)
        path = dest / "apps" / app
        path.mkdir(parents=True, exist_ok=True)
        (path / "resources.yaml").write_text(
            yaml.safe_dump_all(app_objects(app, ns, resources), sort_keys=False)
        )
        application = {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": app, "namespace": "argocd"},
            "spec": {
                "project": "default",
                "source": {"repoURL": "https://git.example.com/platform.git", "path": f"apps/{app}"},
                "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
            },
        }
        (dest / "argocd" / f"{app}.yaml").write_text(yaml.safe_dump(application, sort_keys=False))
    ns_docs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}} for ns in namespaces]
    (dest / "namespaces.yaml").write_text(yaml.safe_dump_all(ns_docs, sort_keys=False))
    subprocess.run(["git", "init", "-q", "-b", "main", str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "add", "-A"], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(dest),
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.com",
            "commit",
            "-qm",
            "init",
        ],
        check=True,
    )
    return dest


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dest", type=Path)
    parser.add_argument("--apps", type=int, default=200)
    parser.add_argument("--resources", type=int, default=20)
    args = parser.parse_args()
    generate(args.dest, args.apps, args.resources)
    print(args.dest)


if __name__ == "__main__":
    main()
