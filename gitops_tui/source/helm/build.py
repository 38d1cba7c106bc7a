"""A chart's dependencies, as `helm dependency build` would lay them into `charts/`, without writing into
the operator's tree: a chart whose `charts/` lacks a declared dependency is copied to a staging directory
and completed there (a local `file://` chart copied, a remote one pulled through the chart cache at the
version `Chart.lock` pins, else the one `Chart.yaml` asks for). Argo CD does the same when `helm
template` reports a missing dependency (it runs `helm dependency build` and renders again).
"""

from __future__ import annotations

import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from gitops_tui.source.errors import RenderError
from gitops_tui.source.helm.repository import ChartFetchError, fetch_chart, is_exact_version

_ARCHIVES = (".tgz", ".tar.gz")


@dataclass(frozen=True)
class Dependency:
    name: str
    version: str
    repository: str


def _yaml_file(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RenderError(f"{path.name}: {' '.join(str(exc).split())}") from None


def declared(chart_dir: Path) -> list[Dependency]:
    """`dependencies:` of Chart.yaml (apiVersion v2), or of requirements.yaml (v1 charts)."""
    meta = _yaml_file(chart_dir / "Chart.yaml")
    deps = meta.get("dependencies") if isinstance(meta, dict) else None
    if not deps:
        requirements = _yaml_file(chart_dir / "requirements.yaml")
        deps = requirements.get("dependencies") if isinstance(requirements, dict) else None
    return [
        Dependency(str(d["name"]), str(d.get("version") or ""), str(d.get("repository") or ""))
        for d in deps or []
        if isinstance(d, dict) and d.get("name")
    ]


def _locked(chart_dir: Path) -> dict[tuple[str, str], str]:
    for name in ("Chart.lock", "requirements.lock"):
        lock = _yaml_file(chart_dir / name)
        if isinstance(lock, dict):
            return {
                (str(d.get("name")), str(d.get("repository") or "")): str(d.get("version") or "")
                for d in lock.get("dependencies") or []
                if isinstance(d, dict)
            }
    return {}


def present(chart_dir: Path) -> set[str]:
    """Names of the charts in `charts/` (directories and archives), read from their Chart.yaml."""
    names: set[str] = set()
    charts = chart_dir / "charts"
    if not charts.is_dir():
        return names
    for entry in sorted(charts.iterdir()):
        if entry.is_dir():
            meta = _yaml_file(entry / "Chart.yaml")
            if isinstance(meta, dict) and meta.get("name"):
                names.add(str(meta["name"]))
        elif entry.name.endswith(_ARCHIVES):
            names |= _archive_names(entry)
    return names


def _archive_names(archive: Path) -> set[str]:
    try:
        with tarfile.open(archive) as tar:
            for member in tar.getmembers():
                parts = member.name.split("/")
                if len(parts) == 2 and parts[1] == "Chart.yaml" and member.isfile():
                    handle = tar.extractfile(member)
                    meta = yaml.safe_load(handle.read()) if handle else None
                    if isinstance(meta, dict) and meta.get("name"):
                        return {str(meta["name"])}
    except (OSError, tarfile.TarError, yaml.YAMLError):
        pass  # Helm reports an unreadable archive when it loads the chart
    return set()


@dataclass
class Prepared:
    directory: Path  # what to render: the chart itself, or its completed copy
    exact: bool = True  # False: a dependency was resolved from a version range (may change upstream)


def prepare(chart_dir: Path, staging: Path, *, strip_schemas: bool = False) -> Prepared:
    """The chart ready to render. `staging` (an empty directory) is used only when something must be
    added or removed; `strip_schemas` removes every values.schema.json (skipSchemaValidation where the
    engine has no such switch)."""
    missing = [d for d in declared(chart_dir) if d.name not in present(chart_dir)]
    if not missing and not strip_schemas:
        return Prepared(chart_dir)
    copy = staging / chart_dir.name
    shutil.copytree(chart_dir, copy, ignore=shutil.ignore_patterns(".git"))
    prepared = Prepared(copy)
    locked = _locked(chart_dir)
    (copy / "charts").mkdir(exist_ok=True)
    for dep in missing:
        version = locked.get((dep.name, dep.repository)) or dep.version
        _add(chart_dir, copy / "charts", dep, version, prepared)
    if strip_schemas:
        _strip_schemas(copy)
    return prepared


def _add(chart_dir: Path, charts: Path, dep: Dependency, version: str, prepared: Prepared) -> None:
    repo = dep.repository
    label = f"chart dependency {dep.name} {version}".rstrip() + f" from {repo or '(no repository)'}"
    if repo.startswith("file://"):
        local = (chart_dir / repo.removeprefix("file://")).resolve()
        if not (local / "Chart.yaml").is_file():
            raise RenderError(f"{label}: no chart at {repo.removeprefix('file://')}")
        shutil.copytree(local, charts / dep.name, ignore=shutil.ignore_patterns(".git"))
        return
    if not repo.startswith(("https://", "http://", "oci://")):
        why = (
            "a repository name from a Helm configuration, which cannot be resolved here (use its URL)"
            if repo.startswith(("@", "alias:"))
            else "no repository to fetch it from"
        )
        raise RenderError(f"found in Chart.yaml, but missing in charts/ directory: {dep.name} ({why})")
    try:
        pulled = fetch_chart(repo, dep.name, version)
    except ChartFetchError as exc:
        raise RenderError(f"{label} could not be fetched: {exc.reason}") from None
    shutil.copy2(pulled.archive, charts / pulled.archive.name)
    prepared.exact = prepared.exact and is_exact_version(version)


def _strip_schemas(chart: Path) -> None:
    for archive in [p for p in (chart / "charts").glob("*") if p.name.endswith(_ARCHIVES)]:
        with tarfile.open(archive) as tar:
            tar.extractall(chart / "charts", filter="data")
        archive.unlink()
    for schema in chart.rglob("values.schema.json"):
        schema.unlink()
