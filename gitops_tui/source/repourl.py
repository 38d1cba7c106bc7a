"""Which repository a `repoURL` (Argo CD) or a GitRepository `url` (Flux) names, so that a source naming
this checkout is read from the working tree (or `--revision`) and another is said to be elsewhere.

Git hosts accept one repository under many spellings: `https://github.com/org/repo`, the same with `.git`,
a trailing slash or other letter case in the host, `git@github.com:org/repo.git`, `ssh://git@github.com/org/repo`,
and credentials in the URL. They all reduce to one key, `host/org/repo`, compared without case (GitHub and
GitLab paths are case-insensitive; a host that is not is still very unlikely to hold two repositories whose
names differ only in case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)$")  # git@host:org/repo.git
_SCHEME = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<rest>.*)$", re.IGNORECASE)


def repo_key(url: str) -> str:
    """`host[:port]/path` without scheme, user, `.git` or slashes at the ends, lowercased; "" for "".

    A local path (`/srv/git/platform.git`, `file:///srv/git/platform.git`) keeps its path as the key.
    """
    text = url.strip()
    if not text:
        return ""
    match = _SCHEME.match(text)
    if match:
        scheme, rest = match.group("scheme").lower(), match.group("rest")
        if scheme == "file":
            return _clean_path(rest)
        rest = rest.split("?", 1)[0].split("#", 1)[0]
        host, _, path = rest.partition("/")
        host = host.rpartition("@")[2].lower()
        default_port = {"http": ":80", "https": ":443", "ssh": ":22"}.get(scheme)
        if default_port and host.endswith(default_port):
            host = host.removesuffix(default_port)
        return f"{host}/{_clean_path(path)}".lower().rstrip("/")
    scp = _SCP_LIKE.match(text)
    if scp and not text.startswith(("/", ".")):
        return f"{scp.group('host').lower()}/{_clean_path(scp.group('path'))}".lower().rstrip("/")
    return _clean_path(text)


def _clean_path(path: str) -> str:
    path = path.strip().rstrip("/")
    path = path.removesuffix(".git").rstrip("/")
    return path.lstrip("/") if not path.startswith("/") else "/" + path.strip("/")


def names_checkout(url: str, remotes: Iterable[str]) -> bool:
    """Whether `url` names the repository one of `remotes` (this checkout's remote URLs) points at."""
    key = repo_key(url)
    return bool(key) and any(repo_key(r) == key for r in remotes)


def local_checkout(url: str, mapping: Mapping[str, Path]) -> Path | None:
    """The local checkout `.gitops-tui.yaml` maps `url` to (keys in any of the spellings above)."""
    key = repo_key(url)
    for known, path in mapping.items():
        if repo_key(known) == key:
            return path
    return None
