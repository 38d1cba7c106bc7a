"""What a chart is rendered with, as `helm template` takes it: plain, resolved, hashable."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Argo CD passes the destination cluster's version; offline, with no `kubeVersion` option, this one.
DEFAULT_KUBE_VERSION = "v1.33.0"


@dataclass(frozen=True)
class ChartOptions:
    """`helm template <release_name> <chart>` flags. Values apply in Helm's order: `value_files`, then
    `values` (YAML or JSON documents), then `set`, `set_string` and `set_file` expressions."""

    release_name: str
    namespace: str = ""  # "" renders with Helm's "default"
    value_files: tuple[Path, ...] = ()  # absolute, in order; each must exist
    values: tuple[str, ...] = ()
    set: tuple[str, ...] = ()  # "a.b=1,c=x", as `--set`
    set_string: tuple[str, ...] = ()
    set_file: tuple[str, ...] = ()  # "name=/absolute/path", as `--set-file`
    include_crds: bool = True  # Argo CD renders `--include-crds` unless `skipCrds`
    skip_tests: bool = False
    skip_schema_validation: bool = False
    kube_version: str = ""  # "" is DEFAULT_KUBE_VERSION
    api_versions: tuple[str, ...] = ()  # added to Helm's built-in set

    @property
    def effective_kube_version(self) -> str:
        version = self.kube_version or DEFAULT_KUBE_VERSION
        return version if version.startswith("v") else f"v{version}"


@dataclass(frozen=True)
class PulledChart:
    """A chart from a Helm repository or an OCI registry, in the local cache."""

    name: str
    version: str
    repo_url: str
    archive: Path  # the packaged chart as downloaded
    directory: Path  # the same chart unpacked (what renders, and where its value files are)

    @property
    def label(self) -> str:
        return f"{self.name} {self.version} from {self.repo_url}"


@dataclass
class HelmRender:
    """What a render produced: the objects in `helm template` order, the template each came from
    (`chart/templates/x.yaml`, as its `# Source:` line says) and remarks worth showing."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
