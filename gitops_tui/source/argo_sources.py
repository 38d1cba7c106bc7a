"""An Argo CD Application's sources (`spec.source`, or every entry of `spec.sources`) → AppSource.

A source in a Git repository is read from this checkout when its repoURL names it (any spelling of one of
its remotes), from another local checkout when `.gitops-tui.yaml` maps the URL under `repositories:`,
and is otherwise that app's error. A chart from a Helm repository is pulled when rendered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gitops_tui.model import (
    AppSource,
    HelmParameter,
    HelmSpec,
    JsonnetSpec,
    KustomizeSpec,
    SourceType,
)
from gitops_tui.source import specfields as f
from gitops_tui.source.repourl import local_checkout, names_checkout
from gitops_tui.source.specfields import SpecError

_EXPLICIT_TYPES = {
    "kustomize": SourceType.KUSTOMIZE,
    "helm": SourceType.HELM,
    "directory": SourceType.DIRECTORY,
}
_HELM_KEYS = {
    "releaseName", "namespace", "valueFiles", "ignoreMissingValueFiles", "values", "valuesObject",
    "parameters", "fileParameters", "skipCrds", "skipTests", "skipSchemaValidation", "kubeVersion",
    "apiVersions", "passCredentials", "version",  # these two do not change what renders
}  # fmt: skip
_KUSTOMIZE_KEYS = {
    "images", "namePrefix", "nameSuffix", "namespace", "commonLabels", "commonAnnotations",
    "commonAnnotationsEnvsubst", "forceCommonLabels", "forceCommonAnnotations", "labelWithoutSelector",
    "labelIncludeTemplates", "replicas", "patches", "components", "ignoreMissingComponents",
}  # fmt: skip
_DIRECTORY_KEYS = {"recurse", "include", "exclude", "jsonnet"}
_SAME_REVISION = ("", "HEAD")


@dataclass(frozen=True)
class SourceContext:
    """What reading sources needs to know about the checkout being rendered.

    `remotes`: this checkout's remote URLs (`GitRepo.remote_urls()`); none known means every Git repoURL
    is taken to be this checkout (a repository without remotes, a tree without `.git`). `repositories`:
    repoURL -> absolute path of another local checkout. `branch` (`GitRepo.branch()`) and `revision`
    (`--revision` as given) say what "the same revision" is. `repo_root`: the Git checkout itself (a
    `--revision` tree has no `.git`), where a Flux GitRepository's other branch or tag is read."""

    remotes: tuple[str, ...] = ()
    repositories: tuple[tuple[str, str], ...] = ()
    branch: str = ""
    revision: str | None = None
    repo_root: str = ""

    @classmethod
    def for_checkout(
        cls,
        repo_root: Path,
        repositories: Mapping[str, str] | None = None,
        *,
        remotes: tuple[str, ...] | None = None,
        branch: str | None = None,
        revision: str | None = None,
    ) -> SourceContext:
        """The context of the checkout at `repo_root`; `repositories` as `.gitops-tui.yaml` writes them
        (paths relative to `repo_root`). Remotes and branch are read from Git unless given."""
        if remotes is None or branch is None:
            from gitops_tui.source.errors import NotAGitRepo
            from gitops_tui.source.repo import GitRepo

            try:
                repo = GitRepo(repo_root)
                found_remotes, found_branch = tuple(repo.remote_urls()), repo.branch()
            except NotAGitRepo:
                found_remotes, found_branch = (), ""
            remotes = found_remotes if remotes is None else remotes
            branch = found_branch if branch is None else branch
        mapped = tuple(
            (url, str((repo_root / path).resolve() if not Path(path).is_absolute() else Path(path)))
            for url, path in (repositories or {}).items()
        )
        return cls(
            remotes=remotes,
            repositories=mapped,
            branch=branch,
            revision=revision,
            repo_root=str(Path(repo_root).absolute()),
        )

    def checkout_of(self, url: str) -> Path | None:
        return local_checkout(url, {u: Path(p) for u, p in self.repositories})

    def is_this_checkout(self, url: str) -> bool:
        return not self.remotes or names_checkout(url, self.remotes)

    def same_revision(self, target: str) -> bool:
        target = target.strip().removeprefix("refs/heads/")
        return target in _SAME_REVISION or target == self.branch or target == (self.revision or "")

    def shown(self) -> str:
        if self.revision is not None:
            return f"revision {self.revision}"
        if not self.branch or self.branch.startswith("HEAD"):
            return "the working tree (detached HEAD)"
        return f"the working tree of {self.branch}"


def parse_source(raw: Any, field: str, tree: Path, ctx: SourceContext, ignored: list[str]) -> AppSource:
    """One source. Field problems raise SpecError; a source that cannot be read here carries `error`.
    Options that are not applied when rendering are added to `ignored` ("source.helm.passCredentials")."""
    src = f.mapping(raw, field)
    repo_url = f.text(src.get("repoURL"), f"{field}.repoURL")
    chart = f.text(src.get("chart"), f"{field}.chart")
    ref = f.text(src.get("ref"), f"{field}.ref")
    base = AppSource(
        repo_url=repo_url,
        chart=chart,
        ref=ref,
        target_revision=f.text(src.get("targetRevision"), f"{field}.targetRevision"),
        helm=_helm(f.mapping(src.get("helm"), f"{field}.helm"), f"{field}.helm", ignored),
        kustomize=_kustomize(
            f.mapping(src.get("kustomize"), f"{field}.kustomize"), f"{field}.kustomize", ignored
        ),
    )
    directory = f.mapping(src.get("directory"), f"{field}.directory")
    base = _directory(base, directory, f"{field}.directory", ignored)
    if chart:
        if not repo_url:
            return replace(base, source_type=SourceType.HELM, error=f"chart {chart} has no repoURL")
        return replace(base, source_type=SourceType.HELM)
    if repo_url.startswith("oci://"):
        return replace(base, error=f"OCI artifact source {repo_url} cannot be read here (only Helm charts)")
    if src.get("path") is not None or not ref:
        base = replace(base, path=f.repo_path(src.get("path"), f"{field}.path"))
    mapped = ctx.checkout_of(repo_url)
    if mapped is not None:
        if not mapped.is_dir():
            return replace(base, error=f"source {repo_url} is mapped to {mapped}, which is not a directory")
        base = replace(base, checkout=str(mapped))
    elif not ctx.is_this_checkout(repo_url):
        return replace(
            base,
            error=f"source in another repository: {repo_url} (map it to a local checkout in "
            ".gitops-tui.yaml under repositories:)",
        )
    if base.ref_only:
        return base
    if "plugin" in src:
        plugin = f.mapping(src.get("plugin"), f"{field}.plugin")
        name = f.text(plugin.get("name"), f"{field}.plugin.name")
        what = f"config management plugin {name}" if name else "a config management plugin (discovered)"
        return replace(base, plugin=name or "(discovered)", error=f"needs {what}: plugins cannot run here")
    explicit = [key for key in _EXPLICIT_TYPES if src.get(key) is not None]
    if len(explicit) > 1:
        raise SpecError(f"{field} sets more than one of {', '.join(explicit)}")
    where = Path(base.checkout) if base.checkout else tree
    kind = _EXPLICIT_TYPES[explicit[0]] if explicit else f.detect_source_type(where, base.path)
    return replace(base, source_type=kind)


def _unknown(block: dict[str, Any], known: set[str], field: str, ignored: list[str]) -> None:
    ignored.extend(f"{field}.{k}" for k in block if k not in known)


def _helm(helm: dict[str, Any], field: str, ignored: list[str]) -> HelmSpec:
    _unknown(helm, _HELM_KEYS, field, ignored)
    values = f.text(helm.get("values"), f"{field}.values") if not isinstance(helm.get("values"), dict) else ""
    if isinstance(helm.get("values"), dict):  # not Argo CD's type, but what people mean by it
        values = json.dumps(helm["values"])
    if helm.get("valuesObject") is not None:  # wins over `values`, as in Argo CD's ValuesYAML
        values = json.dumps(f.mapping(helm["valuesObject"], f"{field}.valuesObject"))
    parameters = []
    for i, p in enumerate(f.items(helm.get("parameters"), f"{field}.parameters")):
        p = f.mapping(p, f"{field}.parameters[{i}]")
        parameters.append(
            HelmParameter(
                f.text(p.get("name"), f"{field}.parameters[{i}].name"),
                f.text(p.get("value"), f"{field}.parameters[{i}].value"),
                f.flag(p.get("forceString"), f"{field}.parameters[{i}].forceString"),
            )
        )
    files = []
    for i, p in enumerate(f.items(helm.get("fileParameters"), f"{field}.fileParameters")):
        p = f.mapping(p, f"{field}.fileParameters[{i}]")
        files.append(
            (f.text(p.get("name"), f"{field}.fileParameters[{i}].name"), f.text(p.get("path"), "path"))
        )
    return HelmSpec(
        release_name=f.text(helm.get("releaseName"), f"{field}.releaseName"),
        namespace=f.text(helm.get("namespace"), f"{field}.namespace"),
        value_files=f.strings(helm.get("valueFiles"), f"{field}.valueFiles"),
        ignore_missing_value_files=f.flag(
            helm.get("ignoreMissingValueFiles"), f"{field}.ignoreMissingValueFiles"
        ),
        values=values,
        parameters=tuple(parameters),
        file_parameters=tuple(files),
        skip_crds=f.flag(helm.get("skipCrds"), f"{field}.skipCrds"),
        skip_tests=f.flag(helm.get("skipTests"), f"{field}.skipTests"),
        skip_schema_validation=f.flag(helm.get("skipSchemaValidation"), f"{field}.skipSchemaValidation"),
        kube_version=f.text(helm.get("kubeVersion"), f"{field}.kubeVersion"),
        api_versions=f.strings(helm.get("apiVersions"), f"{field}.apiVersions"),
    )


def _kustomize(k: dict[str, Any], field: str, ignored: list[str]) -> KustomizeSpec:
    _unknown(k, _KUSTOMIZE_KEYS, field, ignored)
    replicas = []
    for i, r in enumerate(f.items(k.get("replicas"), f"{field}.replicas")):
        r = f.mapping(r, f"{field}.replicas[{i}]")
        count = r.get("count")
        try:
            replicas.append((f.text(r.get("name"), f"{field}.replicas[{i}].name"), int(str(count))))
        except ValueError:
            raise SpecError(f"{field}.replicas[{i}].count must be a whole number, not {count!r}") from None
    return KustomizeSpec(
        images=f.strings(k.get("images"), f"{field}.images"),
        name_prefix=f.text(k.get("namePrefix"), f"{field}.namePrefix"),
        name_suffix=f.text(k.get("nameSuffix"), f"{field}.nameSuffix"),
        namespace=f.text(k.get("namespace"), f"{field}.namespace"),
        common_labels=f.pairs(k.get("commonLabels"), f"{field}.commonLabels"),
        common_annotations=f.pairs(k.get("commonAnnotations"), f"{field}.commonAnnotations"),
        common_annotations_envsubst=f.flag(
            k.get("commonAnnotationsEnvsubst"), f"{field}.commonAnnotationsEnvsubst"
        ),
        label_without_selector=f.flag(k.get("labelWithoutSelector"), f"{field}.labelWithoutSelector"),
        label_include_templates=f.flag(k.get("labelIncludeTemplates"), f"{field}.labelIncludeTemplates"),
        replicas=tuple(replicas),
        patches=json.dumps(f.items(k.get("patches"), f"{field}.patches")) if k.get("patches") else "",
        components=f.strings(k.get("components"), f"{field}.components"),
        ignore_missing_components=f.flag(
            k.get("ignoreMissingComponents"), f"{field}.ignoreMissingComponents"
        ),
    )


def _directory(base: AppSource, d: dict[str, Any], field: str, ignored: list[str]) -> AppSource:
    _unknown(d, _DIRECTORY_KEYS, field, ignored)
    j = f.mapping(d.get("jsonnet"), f"{field}.jsonnet")
    _unknown(j, {"tlas", "extVars", "libs"}, f"{field}.jsonnet", ignored)
    return replace(
        base,
        # Argo CD reads only the top level of a directory app unless told to recurse.
        recurse=f.flag(d.get("recurse"), f"{field}.recurse", default=False),
        include=f.text(d.get("include"), f"{field}.include"),
        exclude=f.text(d.get("exclude"), f"{field}.exclude"),
        jsonnet=JsonnetSpec(
            tlas=_args(j.get("tlas"), f"{field}.jsonnet.tlas"),
            ext_vars=_args(j.get("extVars"), f"{field}.jsonnet.extVars"),
            libs=f.strings(j.get("libs"), f"{field}.jsonnet.libs"),
        ),
    )


def _args(value: Any, field: str) -> tuple[tuple[str, str, bool], ...]:
    out = []
    for i, a in enumerate(f.items(value, field)):
        a = f.mapping(a, f"{field}[{i}]")
        out.append(
            (
                f.text(a.get("name"), f"{field}[{i}].name"),
                f.text(a.get("value"), f"{field}[{i}].value"),
                f.flag(a.get("code"), f"{field}[{i}].code"),
            )
        )
    return tuple(out)
