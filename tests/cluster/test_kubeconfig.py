"""Kubeconfig parsing and merging, context choice for Argo CD destinations, and the client built from it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import yaml

from gitops_tui.cluster.client import ClusterClient
from gitops_tui.cluster.errors import ClusterError, ClusterUnreachable, ContextNotFound, KubeconfigError
from gitops_tui.cluster.kubeconfig import ContextInfo, context_for_destination, find_context, list_contexts


def kubeconfig(path: Path, contexts: dict[str, tuple[str, str]], current: str | None = None, **extra) -> Path:
    """contexts: name -> (cluster server, namespace); one cluster and one token user per context."""
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": f"{n}-cluster", "cluster": {"server": s}} for n, (s, _) in contexts.items()],
        "users": [{"name": f"{n}-user", "user": {"token": f"token-{n}"}} for n in contexts],
        "contexts": [
            {
                "name": n,
                "context": {
                    "cluster": f"{n}-cluster",
                    "user": f"{n}-user",
                    **({"namespace": ns} if ns else {}),
                },
            }
            for n, (_, ns) in contexts.items()
        ],
        **extra,
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_list_contexts_with_current(tmp_path):
    cfg = kubeconfig(
        tmp_path / "c", {"prod": ("https://prod:6443", "shop"), "dev": ("https://dev", "")}, "dev"
    )
    contexts, current = list_contexts(str(cfg))
    assert current == "dev"
    assert contexts == [
        ContextInfo("prod", "prod-cluster", "https://prod:6443", "prod-user", "shop"),
        ContextInfo("dev", "dev-cluster", "https://dev", "dev-user", ""),
    ]


def test_kubeconfig_env_merges_first_wins(tmp_path, monkeypatch):
    a = kubeconfig(tmp_path / "a", {"prod": ("https://a", "")}, "prod")
    b = kubeconfig(tmp_path / "b", {"prod": ("https://b", ""), "dev": ("https://dev", "")}, "dev")
    monkeypatch.setenv("KUBECONFIG", f"{a}:{tmp_path / 'missing'}:{b}")
    contexts, current = list_contexts()
    assert current == "prod"
    assert [(c.name, c.server) for c in contexts] == [("prod", "https://a"), ("dev", "https://dev")]
    # an explicit --kubeconfig wins over the environment
    assert list_contexts(str(b))[1] == "dev"


def test_no_kubeconfig_at_all(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nothing-here"))
    assert list_contexts() == ([], None)
    with pytest.raises(KubeconfigError, match="nothing-here does not exist"):  # say why
        ClusterClient.from_kubeconfig()
    empty = tmp_path / "empty"
    empty.write_text("apiVersion: v1\nkind: Config\n")
    monkeypatch.setenv("KUBECONFIG", str(empty))
    with pytest.raises(KubeconfigError, match="no kube contexts found"):
        ClusterClient.from_kubeconfig()


def test_explicit_missing_file_is_an_error(tmp_path):
    with pytest.raises(KubeconfigError) as info:
        list_contexts(str(tmp_path / "nope"))
    assert info.value.message == f"kubeconfig {tmp_path / 'nope'} does not exist"


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("clusters: [\n  - name: a\n    cluster: {server: x", "not valid YAML at line"),
        ("- just\n- a list\n", "is not a mapping"),
        ("contexts: {a: b}\n", "'contexts' must be a list"),
        ("contexts:\n- context: {cluster: c}\n", "'contexts' must be a list of entries with a name"),
    ],
)
def test_malformed_kubeconfig(tmp_path, text, fragment):
    path = tmp_path / "bad"
    path.write_text(text)
    with pytest.raises(KubeconfigError) as info:
        ClusterClient.from_kubeconfig(str(path), "a")
    assert fragment in info.value.message and "\n" not in info.value.message


def test_unknown_context_one_line(tmp_path):
    cfg = kubeconfig(tmp_path / "c", {"prod": ("https://p", ""), "dev": ("https://d", "")}, "prod")
    with pytest.raises(ContextNotFound) as info:
        ClusterClient.from_kubeconfig(str(cfg), "staging")
    assert isinstance(info.value, KubeconfigError) and isinstance(info.value, ClusterError)
    assert info.value.message == f'context "staging" not found in {cfg} (known: prod, dev)'


def test_context_without_cluster_or_current(tmp_path):
    cfg = kubeconfig(tmp_path / "c", {"prod": ("https://p", "")})
    with pytest.raises(KubeconfigError, match="no current-context"):
        find_context(str(cfg), None)
    doc = yaml.safe_load(cfg.read_text())
    doc["contexts"][0]["context"]["cluster"] = "ghost"
    cfg.write_text(yaml.safe_dump(doc))
    with pytest.raises(KubeconfigError, match='cluster "ghost" has no server'):
        find_context(str(cfg), "prod")


def test_client_from_kubeconfig_takes_context_details(tmp_path):
    cfg = kubeconfig(
        tmp_path / "c", {"prod": ("https://prod.example:6443", "shop"), "dev": ("https://dev", "")}, "dev"
    )
    with ClusterClient.from_kubeconfig(str(cfg), "prod", max_workers=4) as client:
        assert (client.context, client.server, client.user, client.namespace) == (
            "prod",
            "https://prod.example:6443",
            "prod-user",
            "shop",
        )
        assert client.api.configuration.connection_pool_maxsize == 4
    with ClusterClient.from_kubeconfig(str(cfg)) as client:
        assert client.context == "dev" and client.namespace == "default"


def test_closed_port_is_unreachable(tmp_path):
    port = closed_port()
    cfg = kubeconfig(tmp_path / "c", {"local": (f"http://127.0.0.1:{port}", "")}, "local")
    with ClusterClient.from_kubeconfig(str(cfg), timeout=2) as client:
        err = client.check_connection()
        assert isinstance(err, ClusterUnreachable)
        assert err.message == f"connection refused at http://127.0.0.1:{port}"
        with pytest.raises(ClusterUnreachable):
            client.server_version()
        with pytest.raises(ClusterUnreachable):
            client.discovery.resolve("apps/v1", "Deployment")


def test_unresolvable_host_is_unreachable(tmp_path):
    cfg = kubeconfig(tmp_path / "c", {"x": ("https://no-such-host.invalid:6443", "")}, "x")
    with ClusterClient.from_kubeconfig(str(cfg), timeout=2) as client:
        err = client.check_connection()
    assert isinstance(err, ClusterUnreachable)
    assert (
        err.message.startswith("cannot resolve the host name")
        and "https://no-such-host.invalid:6443" in err.message
    )


CONTEXTS = [
    ContextInfo("prod", "prod-cluster", "https://10.0.0.1:6443", "u", ""),
    ContextInfo("prod-admin", "prod-cluster", "https://10.0.0.1:6443", "admin", ""),
    ContextInfo("dev", "dev-cluster", "https://dev.example.com/", "u", ""),
]


@pytest.mark.parametrize(
    "server, name, current, expected",
    [
        ("https://kubernetes.default.svc", "", "dev", "dev"),
        ("https://kubernetes.default.svc/", "", None, None),
        ("", "", "prod", "prod"),
        ("https://10.0.0.1:6443", "", "dev", "prod"),
        ("https://10.0.0.1:6443", "", "prod-admin", "prod-admin"),  # the current context wins a tie
        ("https://DEV.example.com:443", "", None, "dev"),
        ("https://elsewhere:6443", "", "dev", None),
        ("", "dev", "prod", "dev"),
        ("", "prod-cluster", None, "prod"),
        ("https://10.0.0.1:6443", "missing", "prod", None),  # a name is never second-guessed by server
    ],
)
def test_context_for_destination(server, name, current, expected):
    assert context_for_destination(CONTEXTS, server=server, name=name, current=current) == expected
