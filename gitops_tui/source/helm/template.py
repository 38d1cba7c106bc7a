"""`helm template`: the `helm` binary when it is on PATH, else the embedded engine (embedded.py, in a child
process). Both print the same stream for the same chart and options, read back here into objects; the
result is cached like Kustomize's (rendercache.py), by a digest of the chart, its value files and options.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import re
import shutil
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gitops_tui import __version__
from gitops_tui.source.errors import ManifestError, RenderError
from gitops_tui.source.helm.build import prepare
from gitops_tui.source.helm.options import ChartOptions, HelmRender
from gitops_tui.source.helm.repository import EMBEDDED
from gitops_tui.source.render_directory import expand_lists
from gitops_tui.source.rendercache import RenderCache, entry_name, load_entry, store_entry, tool_identity
from gitops_tui.source.tools import run_tool
from gitops_tui.source.yamlload import is_k8s_object, load_documents

_SOURCE = re.compile(r"^# Source: (.+)$", re.MULTILINE)
_MAX_FILES = 20000
_cache = RenderCache()


def clear_cache() -> None:
    _cache.clear()


def backend() -> tuple[str, ...]:
    """Which engine renders, as the cache sees it: the binary (path, size, mtime) or the library."""
    helm = shutil.which("helm")
    if helm:
        identity = tool_identity(helm)
        return ("binary", helm) if identity is None else ("binary", *map(str, identity))
    try:
        version = importlib.metadata.version("helm-python-sdk")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return ("embedded", version)


def render_chart(
    chart: Path, options: ChartOptions, *, where: str, cache_dir: Path | None = None
) -> HelmRender:
    """Render the chart directory (or packaged chart) `chart` as `helm template` does. `where` names it
    in messages ("charts/redis", "podinfo 6.5.0 from https://..."). Raises RenderError, one line.

    With `cache_dir`, renders are also kept on disk (as Kustomize's are), for the next process."""
    engine = backend()
    digest = fingerprint(chart, options)
    key = None if digest is None else (digest, engine)
    if key is not None:
        hit = _cache.get(key)
        if hit is not None:
            return HelmRender(*hit)
        if cache_dir is not None and not (engine[0] == "binary" and len(engine) == 2):
            name = entry_name("helm", digest, engine, __version__)
            stored = load_entry(cache_dir, name)
            if stored is not None:
                result = HelmRender(stored[0], [t for t, _ in stored[1]], stored[2])
                _cache.put(key, (result.objects, result.templates, result.notes))
                return result
    with tempfile.TemporaryDirectory(prefix="gitops-tui-helm-") as tmp:
        staging = Path(tmp) / "build"
        staging.mkdir()
        strip = options.skip_schema_validation and engine[0] == "embedded"
        prepared = prepare(chart, staging, strip_schemas=strip) if chart.is_dir() else None
        target = prepared.directory if prepared else chart
        replacements = {f"{staging}/": "", f"{chart.parent}/": "", f"{tmp}/": ""}
        if engine[0] == "binary":
            text = _run_binary(engine[1], target, options, Path(tmp), where, replacements)
        else:
            text = _run_embedded(target, options, where, replacements)
        result = parse(text, where)
        result.notes.extend(capability_notes(target, options, where))
    if key is not None:
        _cache.put(key, (result.objects, result.templates, result.notes))
        volatile = prepared is not None and not prepared.exact
        if cache_dir is not None and not volatile and not (engine[0] == "binary" and len(engine) == 2):
            origins = [(t, i) for i, t in enumerate(result.templates)]
            store_entry(
                cache_dir,
                entry_name("helm", digest, engine, __version__),
                (result.objects, origins, result.notes),
            )
    return result


def _run_binary(
    helm: str, chart: Path, options: ChartOptions, tmp: Path, where: str, replacements: dict[str, str]
) -> str:
    cmd = [helm, "template", options.release_name, str(chart)]
    cmd += ["--namespace", options.namespace or "default", "--kube-version", options.effective_kube_version]
    for api in options.api_versions:
        cmd += ["--api-versions", api]
    for path in options.value_files:
        cmd += ["--values", str(path)]
    for i, text in enumerate(options.values):
        inline = tmp / f"values-{i}.yaml"
        fd = os.open(inline, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # values may hold secrets
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        cmd += ["--values", str(inline)]
    for flag, expressions in (
        ("--set", options.set),
        ("--set-string", options.set_string),
        ("--set-file", options.set_file),
    ):
        for expression in expressions:
            cmd += [flag, expression]
    if options.include_crds:
        cmd.append("--include-crds")
    if options.skip_tests:
        cmd.append("--skip-tests")
    if options.skip_schema_validation:
        cmd.append("--skip-schema-validation")
    return run_tool(cmd, what=f"helm template {where}", cwd=chart, replacements=replacements)


def _run_embedded(chart: Path, options: ChartOptions, where: str, replacements: dict[str, str]) -> str:
    import json

    request: dict[str, Any] = {
        "chart": str(chart),
        "release_name": options.release_name,
        "namespace": options.namespace or "default",
        "kube_version": options.effective_kube_version,
        "api_versions": list(options.api_versions),
        "value_files": [str(p) for p in options.value_files],
        "values": list(options.values),
        "set": list(options.set),
        "set_string": list(options.set_string),
        "set_file": list(options.set_file),
        "include_crds": options.include_crds,
        "skip_tests": options.skip_tests,
    }
    return run_tool(
        [sys.executable, str(EMBEDDED), "render"],
        what=f"helm template {where}",
        replacements=replacements,
        input=json.dumps(request),
    )


def parse(text: str, where: str) -> HelmRender:
    """Objects of a `helm template` stream, each with the template its `# Source:` line names."""
    try:
        docs = load_documents(text, f"{where} (helm template output)")
    except ManifestError as exc:
        raise RenderError(exc.message) from None
    starts = [(text.count("\n", 0, m.start()) + 1, m.group(1).strip()) for m in _SOURCE.finditer(text)]
    result = HelmRender()
    for doc in docs:
        template = ""
        for line, source in starts:
            if line > doc.line:
                break
            template = source
        for item in expand_lists(doc.data):
            if is_k8s_object(item):
                result.objects.append(item)
                result.templates.append(template)
    return result


def fingerprint(chart: Path, options: ChartOptions) -> bytes | None:
    """A digest of the chart's files (relative to it, so that two checkouts of one chart share entries),
    the value and --set-file files' contents and every other option; None when that cannot be complete
    (a symlinked directory inside the chart, which Helm follows)."""
    digest = hashlib.blake2b(digest_size=20)
    try:
        files = list(_chart_files(chart))
    except _Incomplete:
        return None
    for rel, path in files:
        digest.update(rel.encode() + b"\0" + _read(path) + b"\0")
    for path in options.value_files:
        digest.update(b"\1values\0" + _read(path) + b"\0")
    set_file = []
    for expression in options.set_file:
        name, _, file = expression.partition("=")
        digest.update(b"\1file\0" + _read(Path(file)) + b"\0")
        set_file.append(name)
    rest = (
        options.release_name,
        options.namespace,
        options.values,
        options.set,
        options.set_string,
        tuple(set_file),
        options.include_crds,
        options.skip_tests,
        options.skip_schema_validation,
        options.effective_kube_version,
        options.api_versions,
    )
    digest.update(repr(rest).encode())
    return digest.digest()


class _Incomplete(Exception):
    pass


def _chart_files(chart: Path) -> Iterator[tuple[str, Path]]:
    if chart.is_file():
        yield chart.name, chart
        return
    count = 0
    for dirpath, dirnames, filenames in os.walk(chart):
        if any(os.path.islink(os.path.join(dirpath, d)) for d in dirnames):
            raise _Incomplete
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            count += 1
            if count > _MAX_FILES:
                raise _Incomplete
            path = Path(dirpath) / name
            yield path.relative_to(chart).as_posix(), path


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b"\2unreadable"


def capability_notes(chart: Path, options: ChartOptions, where: str) -> list[str]:
    """Say which Kubernetes the chart was rendered for, when it asks and the version is our default."""
    if options.kube_version and options.api_versions:
        return []
    found = _mentions(chart, (b".Capabilities.KubeVersion", b".Capabilities.APIVersions"))
    notes = []
    if not options.kube_version and b".Capabilities.KubeVersion" in found:
        notes.append(
            f"{where} reads .Capabilities.KubeVersion: rendered for Kubernetes "
            f"{options.effective_kube_version}, a fixed default (the cluster's own version is what the "
            "controller renders for; set kubeVersion to choose)"
        )
    if not options.api_versions and b".Capabilities.APIVersions" in found:
        notes.append(
            f"{where} reads .Capabilities.APIVersions: rendered with Helm's built-in API versions (the "
            "controller passes the cluster's, CRDs included; set apiVersions to add some)"
        )
    return notes


def _mentions(chart: Path, needles: tuple[bytes, ...]) -> set[bytes]:
    found: set[bytes] = set()

    def scan(data: bytes) -> None:
        found.update(n for n in needles if n in data)

    for rel, path in _safe_files(chart):
        if rel.endswith((".tgz", ".tar.gz")):
            with contextlib.suppress(OSError, tarfile.TarError), tarfile.open(path) as tar:
                for member in tar.getmembers():
                    if member.isfile() and "/templates/" in member.name:
                        handle = tar.extractfile(member)
                        if handle is not None:
                            scan(handle.read())
        elif "templates/" in rel:
            scan(_read(path))
        if len(found) == len(needles):
            break
    return found


def _safe_files(chart: Path) -> Iterator[tuple[str, Path]]:
    try:
        yield from _chart_files(chart)
    except _Incomplete:
        return
