"""Helm charts written for the tests, in the shapes of real ones, and a real chart repository (an
`index.yaml` and packaged charts, made by Helm itself) served over loopback."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import helm_python
import pytest


def chart(
    directory: Path, name: str, version: str = "0.1.0", files: dict[str, str] | None = None, **meta: str
) -> Path:
    """A chart directory: Chart.yaml (apiVersion v2 plus `meta` lines) and `files` (relative paths)."""
    directory.mkdir(parents=True, exist_ok=True)
    extra = "".join(f"{k}: {v}\n" for k, v in meta.items())
    (directory / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: {version}\n{extra}")
    for rel, text in (files or {}).items():
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return directory


def configmap_template(name: str = "{{ .Release.Name }}", data: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n" + (
        f"data:\n{data}" if data else ""
    )


@dataclass
class ChartRepo:
    url: str
    directory: Path
    server: http.server.ThreadingHTTPServer

    def publish(self, source: Path, version: str | None = None) -> Path:
        """Package `source` (at `version`) into the repository and index it, as `helm repo index` does."""
        archive = Path(helm_python.package(source, destination=self.directory, version=version))
        helm_python.repo_index_generate(self.directory)
        return archive

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def chart_repo(tmp_path: Path) -> Iterator[ChartRepo]:
    # Served under /charts, as repositories usually are below the host's root.
    directory = tmp_path / "srv/charts"
    directory.mkdir(parents=True)
    handler = functools.partial(_Quiet, directory=str(directory.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    repo = ChartRepo(f"http://127.0.0.1:{server.server_address[1]}/charts", directory, server)
    try:
        yield repo
    finally:
        repo.stop()
        thread.join(timeout=5)
