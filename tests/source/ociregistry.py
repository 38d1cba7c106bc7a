"""An OCI registry over loopback (plain HTTP), holding Helm charts as `helm push` stores them: a manifest
whose config is the chart's metadata and whose one layer is the packaged chart. Enough of the distribution
API for Helm to pull by tag, by digest and by semver range (tags/list)."""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import helm_python
import pytest
import yaml

CONFIG = "application/vnd.cncf.helm.config.v1+json"
LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class OciRegistry:
    host: str  # 127.0.0.1:PORT
    blobs: dict[str, bytes] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # repository -> tag -> manifest digest
    server: http.server.ThreadingHTTPServer | None = None

    def push(self, chart_dir: Path, repository: str, workdir: Path) -> str:
        """Package the chart and store it under `repository` (e.g. `charts/podinfo`) at its version;
        the manifest's digest."""
        workdir.mkdir(parents=True, exist_ok=True)
        archive = Path(helm_python.package(chart_dir, destination=workdir)).read_bytes()
        with tarfile.open(workdir / next(p.name for p in workdir.glob("*.tgz"))) as tar:
            member = next(
                m for m in tar.getmembers() if m.name.count("/") == 1 and m.name.endswith("Chart.yaml")
            )
            handle = tar.extractfile(member)
            meta = yaml.safe_load(handle.read()) if handle else {}
        for tgz in workdir.glob("*.tgz"):
            tgz.unlink()
        config = json.dumps(meta).encode()
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": MANIFEST,
                "config": {"mediaType": CONFIG, "digest": _digest(config), "size": len(config)},
                "layers": [{"mediaType": LAYER, "digest": _digest(archive), "size": len(archive)}],
            }
        ).encode()
        for blob in (config, archive, manifest):
            self.blobs[_digest(blob)] = blob
        self.tags.setdefault(repository, {})[str(meta["version"]).replace("+", "_")] = _digest(manifest)
        return _digest(manifest)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


_PATH = re.compile(r"^/v2/(?P<repo>.+)/(?P<what>manifests|blobs|tags)/(?P<ref>[^/]+)$")


def _handler(registry: OciRegistry) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def _send(
            self, code: int, body: bytes = b"", media: str = "application/json", digest: str = ""
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            if digest:
                self.send_header("Docker-Content-Digest", digest)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if path in ("/v2", "/v2/"):
                return self._send(200, b"{}")
            match = _PATH.match(path)
            if match is None:
                return self._send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')
            repo, what, ref = match["repo"], match["what"], match["ref"]
            tags = registry.tags.get(repo)
            if tags is None:
                return self._send(404, b'{"errors":[{"code":"NAME_UNKNOWN"}]}')
            if what == "tags":
                return self._send(200, json.dumps({"name": repo, "tags": sorted(tags)}).encode())
            digest = ref if ref.startswith("sha256:") else tags.get(ref, "")
            blob = registry.blobs.get(digest)
            if blob is None:
                return self._send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
            media = MANIFEST if what == "manifests" else "application/octet-stream"
            return self._send(200, blob, media, digest)

    return Handler


@pytest.fixture
def oci_registry() -> Iterator[OciRegistry]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    registry = OciRegistry(f"127.0.0.1:{server.server_address[1]}", server=server)
    server.RequestHandlerClass = _handler(registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield registry
    finally:
        registry.stop()
        thread.join(timeout=5)
