"""Charts from Helm repositories (https, with an `index.yaml`) and OCI registries, pulled into a cache.

The cache (`<cache>/charts/<key>/`, key = repository + chart + version) holds the archive as downloaded
and the chart unpacked; an exact version, once there, is never fetched again, so it renders offline. A
version range (`^6.0`, `>=1.2 <2`, `*`) is resolved by Helm against the repository and the answer is
kept for a while: within that time, or offline, the version it resolved to last is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from gitops_tui import config
from gitops_tui.source.errors import RenderError
from gitops_tui.source.helm.options import PulledChart
from gitops_tui.source.repourl import repo_key
from gitops_tui.source.tools import run_tool

EMBEDDED = Path(__file__).with_name("embedded.py")
RESOLVE_SECONDS = 15 * 60.0
PULL_TIMEOUT_SECONDS = 120.0
_EXACT = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class ChartFetchError(RenderError):
    """A chart could not be had: `reason` is Helm's, `unreachable` when the repository did not answer."""

    def __init__(self, message: str, reason: str, unreachable: bool) -> None:
        super().__init__(message)
        self.reason = reason
        self.unreachable = unreachable


def cache_root() -> Path:
    return config.cache_dir() / "charts"


def is_exact_version(version: str) -> bool:
    return bool(_EXACT.match(version.strip()))


def is_oci(repo_url: str) -> bool:
    """OCI: `oci://host/path`, or (as Argo CD allows for a Helm source) a repoURL without a scheme."""
    return repo_url.startswith("oci://") or "://" not in repo_url


def oci_reference(repo_url: str, chart: str) -> str:
    base = repo_url if repo_url.startswith("oci://") else f"oci://{repo_url}"
    return f"{base.rstrip('/')}/{chart}"


def _key(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=12).hexdigest()


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def fetch_chart(
    repo_url: str, chart: str, version: str, *, root: Path | None = None, plain_http: bool = False
) -> PulledChart:
    """The chart `chart` at `version` (exact, or a semver range; "" or "*" is the newest) from `repo_url`:
    an https Helm repository, or an OCI registry (`oci://host/path`, or `host/path`; over plain HTTP with
    `plain_http`, as Flux's `insecure: true` asks). Raises ChartFetchError naming the chart and the
    repository."""
    root = root or cache_root()
    version = version.strip()
    repo = repo_key(repo_url) or repo_url
    label = f"chart {chart} {version}".rstrip() + f" from {repo_url}"
    with _lock(_key(repo, chart, version)):
        if is_exact_version(version):
            return _cached(root, repo_url, repo, chart, version) or _pull(
                root, repo_url, chart, version, label, plain_http
            )
        record = root / "resolved" / f"{_key(repo, chart, version)}.json"
        resolved = _read_record(record)
        if resolved is not None and time.time() - resolved[1] < RESOLVE_SECONDS:
            hit = _cached(root, repo_url, repo, chart, resolved[0])
            if hit is not None:
                return hit
        try:
            pulled = _pull(root, repo_url, chart, version, label, plain_http)
        except ChartFetchError as exc:
            stale = _cached(root, repo_url, repo, chart, resolved[0]) if resolved else None
            if stale is None or not exc.unreachable:
                raise
            return stale  # offline: the version this range resolved to last time
        _write_record(record, pulled.version)
        return pulled


def _entry(root: Path, repo: str, chart: str, version: str) -> Path:
    return root / _key(repo, chart, version.removeprefix("v"))


def _cached(root: Path, repo_url: str, repo: str, chart: str, version: str) -> PulledChart | None:
    entry = _entry(root, repo, chart, version)
    try:
        meta = json.loads((entry / "chart.json").read_text(encoding="utf-8"))
        archive, directory = entry / meta["archive"], entry / "unpacked" / meta["top"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not (archive.is_file() and (directory / "Chart.yaml").is_file()):
        return None
    return PulledChart(str(meta["name"]), str(meta["version"]), repo_url, archive, directory)


def _pull(
    root: Path, repo_url: str, chart: str, version: str, label: str, plain_http: bool = False
) -> PulledChart:
    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".pull-", dir=root))
    try:
        download = work / "download"
        download.mkdir()
        if is_oci(repo_url):
            request: dict[str, Any] = {"ref": oci_reference(repo_url, chart), "plain_http": plain_http}
        else:
            request = {"ref": chart, "repo_url": repo_url}
        request |= {"version": "" if version in ("", "*") else version, "destination": str(download)}
        what = f"helm pull {chart}"
        try:
            out = run_tool(
                [sys.executable, str(EMBEDDED), "pull"],
                what=what,
                input=json.dumps(request),
                timeout=PULL_TIMEOUT_SECONDS,
            )
            archive = Path(json.loads(out)["archive"])
        except RenderError as exc:
            reason = exc.message.removeprefix(f"{what}: ")
            raise _fetch_error(label, reason) from None
        name, got, top = _archive_chart(archive)
        entry = _entry(root, repo_key(repo_url) or repo_url, chart, got)
        staged = work / "entry"
        (staged / "unpacked").mkdir(parents=True)
        shutil.move(str(archive), staged / archive.name)
        with tarfile.open(staged / archive.name) as tar:
            tar.extractall(staged / "unpacked", filter="data")
        meta = {"name": name, "version": got, "archive": archive.name, "top": top, "repo": repo_url}
        (staged / "chart.json").write_text(json.dumps(meta), encoding="utf-8")
        with contextlib.suppress(OSError):  # another process got there first: theirs is as good
            if entry.exists():
                shutil.rmtree(entry)
            os.replace(staged, entry)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = _cached(root, repo_url, repo_key(repo_url) or repo_url, chart, got)
    if found is None:
        raise ChartFetchError(f"{label}: the chart cache at {root} cannot be written", "", False)
    return found


def _fetch_error(label: str, reason: str) -> ChartFetchError:
    if "dial tcp" in reason:  # keep what failed, not the URLs Helm tried first
        reason = reason[reason.index("dial tcp") :]
    if "not found in" in reason or "no chart version found" in reason or ": not found" in reason:
        return ChartFetchError(f"{label} not found: {reason}", reason, False)
    return ChartFetchError(f"{label} not reachable (offline?): {reason}", reason, True)


def _archive_chart(archive: Path) -> tuple[str, str, str]:
    """(name, version, top directory) from the Chart.yaml inside a packaged chart."""
    try:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                parts = member.name.split("/")
                if len(parts) == 2 and parts[1] == "Chart.yaml" and member.isfile():
                    handle = tar.extractfile(member)
                    data = yaml.safe_load(handle.read()) if handle else None
                    if isinstance(data, dict) and data.get("name"):
                        return str(data["name"]), str(data.get("version", "")), parts[0]
    except (OSError, tarfile.TarError, yaml.YAMLError) as exc:
        raise RenderError(f"{archive.name}: not a chart archive: {exc}") from None
    raise RenderError(f"{archive.name}: not a chart archive (no Chart.yaml)")


def _read_record(path: Path) -> tuple[str, float] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["version"]), float(data["at"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_record(path: Path, version: str) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(json.dumps({"version": version, "at": time.time()}), encoding="utf-8")
        os.replace(tmp, path)
