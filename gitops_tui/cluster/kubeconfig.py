"""Kubeconfig: which contexts exist, which one an app's destination means, and a client Configuration for one.

Files merge as kubectl merges them: `KUBECONFIG` is a colon-separated list, the first file to define a
name wins, and the first file that sets `current-context` sets it. Missing files in `KUBECONFIG` are skipped
(kubectl does the same); an explicitly named file that does not exist is an error.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from gitops_tui.cluster.errors import ContextNotFound, KubeconfigError

IN_CLUSTER_SERVER = "https://kubernetes.default.svc"

_IMPORT_LOCK = threading.Lock()


def import_kubernetes() -> None:
    """Import the official client once, from one thread at a time. It is imported late (it costs half a
    second of start-up) and so from worker threads; two threads importing its circular package at once
    see it half-initialised ("cannot import name 'ApiClient' from 'kubernetes.client'")."""
    with _IMPORT_LOCK:
        import kubernetes.client  # noqa: F401
        import kubernetes.config  # noqa: F401


@dataclass(frozen=True)
class ContextInfo:
    name: str
    cluster: str
    server: str
    user: str
    namespace: str


def kubeconfig_paths(kubeconfig: str | None = None) -> tuple[list[Path], bool]:
    """(files to read in order, whether they were named explicitly). Explicit = --kubeconfig."""
    if kubeconfig:
        return [Path(p).expanduser() for p in str(kubeconfig).split(os.pathsep) if p], True
    env = os.environ.get("KUBECONFIG", "")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p], False
    return [Path("~/.kube/config").expanduser()], False


def _read_one(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KubeconfigError(f"cannot read kubeconfig {path}: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise KubeconfigError(f"kubeconfig {path} is not valid YAML{at}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise KubeconfigError(f"kubeconfig {path} is not a mapping (found {type(data).__name__})")
    for section in ("clusters", "contexts", "users"):
        entries = data.get(section)
        if entries is None:
            continue
        if not isinstance(entries, list) or not all(isinstance(e, dict) and e.get("name") for e in entries):
            raise KubeconfigError(f"kubeconfig {path}: '{section}' must be a list of entries with a name")
    return data


def load_merged(kubeconfig: str | None = None) -> dict[str, Any]:
    """The merged kubeconfig as a dict: clusters/contexts/users by name, and current-context."""
    paths, explicit = kubeconfig_paths(kubeconfig)
    merged: dict[str, Any] = {"clusters": {}, "contexts": {}, "users": {}, "current-context": None}
    for path in paths:
        if not path.exists():
            if explicit:
                raise KubeconfigError(f"kubeconfig {path} does not exist")
            continue
        data = _read_one(path)
        for section in ("clusters", "contexts", "users"):
            for entry in data.get(section) or ():
                merged[section].setdefault(str(entry["name"]), entry.get(section[:-1]) or {})
        if merged["current-context"] is None and data.get("current-context"):
            merged["current-context"] = str(data["current-context"])
    return merged


def list_contexts(kubeconfig: str | None = None) -> tuple[list[ContextInfo], str | None]:
    """Every context (in file order) and the current one's name. No kubeconfig at all: ([], None)."""
    merged = load_merged(kubeconfig)
    contexts = []
    for name, ctx in merged["contexts"].items():
        if not isinstance(ctx, dict):
            raise KubeconfigError(f"kubeconfig context {name!r} is not a mapping")
        cluster_name = str(ctx.get("cluster") or "")
        cluster = merged["clusters"].get(cluster_name) or {}
        contexts.append(
            ContextInfo(
                name=name,
                cluster=cluster_name,
                server=str(cluster.get("server") or "") if isinstance(cluster, dict) else "",
                user=str(ctx.get("user") or ""),
                namespace=str(ctx.get("namespace") or ""),
            )
        )
    return contexts, merged["current-context"]


def find_context(kubeconfig: str | None, context: str | None) -> ContextInfo:
    """The named context, or the current one; ContextNotFound / KubeconfigError with a one-line reason."""
    contexts, current = list_contexts(kubeconfig)
    paths, _ = kubeconfig_paths(kubeconfig)
    where = os.pathsep.join(str(p) for p in paths)
    if not contexts:
        if not any(p.exists() for p in paths):
            raise KubeconfigError(f"kubeconfig {where} does not exist")
        raise KubeconfigError(f"no kube contexts found in {where}")
    wanted = context or current
    if not wanted:
        raise KubeconfigError(f"no current-context in {where}; pass --context")
    for info in contexts:
        if info.name == wanted:
            if not info.cluster:
                raise KubeconfigError(f'context "{wanted}" names no cluster in {where}')
            if not info.server:
                raise KubeconfigError(
                    f'context "{wanted}": cluster "{info.cluster}" has no server in {where}'
                )
            return info
    known = ", ".join(c.name for c in contexts)
    raise ContextNotFound(f'context "{wanted}" not found in {where} (known: {known})')


def _same_server(a: str, b: str) -> bool:
    def canon(url: str) -> tuple[str, str, int | None, str]:
        parts = urlsplit(url.strip())
        try:
            port = parts.port
        except ValueError:
            port = None
        if port is None:
            port = {"https": 443, "http": 80}.get(parts.scheme.lower())
        return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path.rstrip("/")

    return bool(a) and bool(b) and canon(a) == canon(b)


def context_for_destination(
    contexts: list[ContextInfo], *, server: str = "", name: str = "", current: str | None
) -> str | None:
    """The kube context an Argo CD destination means.

    `https://kubernetes.default.svc` (Argo CD's "the cluster I run in") and an empty destination mean the
    current context. A `name` matches a context name, then a cluster name; a `server` matches a cluster's
    server URL (the current context first, if several contexts share the server). None: no match.
    """
    if name:
        for info in contexts:
            if info.name == name:
                return info.name
        for info in contexts:
            if info.cluster == name:
                return info.name
        return None
    if not server or server.rstrip("/") == IN_CLUSTER_SERVER:
        return current
    matches = [info.name for info in contexts if _same_server(info.server, server)]
    if current in matches:
        return current
    return matches[0] if matches else None


def context_for_cluster(contexts: list[ContextInfo], cluster: str, configured: str = "") -> str | None:
    """The kube context a repository's cluster (Flux `clusters/<name>`) means: the configured one; else a
    context, or a kubeconfig cluster, of that name; else the one context whose name holds the cluster's name
    as a word (`kind-staging`, `staging-admin@staging`, `gke_proj_europe-west1_staging`). None: no match."""
    if configured:
        return configured if any(c.name == configured for c in contexts) else None
    for info in contexts:
        if info.name == cluster:
            return info.name
    for info in contexts:
        if info.cluster == cluster:
            return info.name
    words = [c.name for c in contexts if cluster in re.split(r"[-_@.:/]+", c.name)]
    return words[0] if len(words) == 1 else None


def client_configuration(kubeconfig: str | None, context: str) -> Any:
    """A kubernetes.client.Configuration for the context (certs, tokens, exec plugins resolved by the
    official loader, which also resolves relative certificate paths against each file)."""
    import_kubernetes()
    from kubernetes import client as k8s
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import load_kube_config

    paths, _ = kubeconfig_paths(kubeconfig)
    cfg = k8s.Configuration()
    try:
        load_kube_config(  # type: ignore[no-untyped-call]
            config_file=os.pathsep.join(str(p) for p in paths if p.exists()),
            context=context,
            client_configuration=cfg,
            persist_config=False,
        )
    except ConfigException as exc:
        raise KubeconfigError(f'kube context "{context}": {exc}') from exc
    except (OSError, ValueError, TypeError, KeyError, yaml.YAMLError) as exc:
        raise KubeconfigError(f'kube context "{context}": {type(exc).__name__}: {exc}') from exc
    return cfg
